"""Cancel (``POST …/runs/cancel/{id}``) and event replay (``GET …/runs/{id}/events``), in both
path families, as orchestrate-api.md §6 describes them."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from wxo_mcp.simulator import Simulator

from .helpers import JSON, client, parse_lines, run_body, wait_for_status

FAMILIES = pytest.mark.parametrize(
    ("saas", "runs"),
    [
        (False, "/v1/orchestrate/runs"),
        (False, "/api/v1/orchestrate/runs"),
        (True, "/v1/orchestrate/runs"),
    ],
)


def _start(http: httpx.Client, runs: str, agent_id: str, text: str) -> JSON:
    created = http.post(runs, json=run_body(agent_id, text))
    assert created.status_code == 200, created.text
    ids: JSON = created.json()
    return ids


@FAMILIES
def test_cancel_stops_a_running_run(simulator: Simulator, saas: bool, runs: str) -> None:
    with client(simulator, saas=saas) as http:
        ids = _start(http, runs, simulator.agent_id("slow_agent"), "seconds=30")
        wait_for_status(http, f"{runs}/{ids['run_id']}", {"running"})
        answer = http.post(f"{runs}/cancel/{ids['run_id']}")
        assert answer.status_code == 200
        assert answer.json() == {"thread_id": ids["thread_id"], "run_id": ids["run_id"]}
        run = http.get(f"{runs}/{ids['run_id']}").json()
        assert run["status"] == "cancelled"
        assert run["cancelled_at"]
        assert run["completed_at"] is None
        time.sleep(0.3)  # the run's task is gone: nothing changes it any more
        assert http.get(f"{runs}/{ids['run_id']}").json() == run


def test_a_live_stream_ends_with_run_cancelled_then_done(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("slow_agent")
    lines: list[JSON] = []
    with client(simulator) as http:

        def read() -> None:
            with http.stream(
                "POST", "/v1/orchestrate/runs?stream=true", json=run_body(agent_id, "seconds=30")
            ) as response:
                lines.extend(parse_lines(response.read()))

        reader = threading.Thread(target=read)
        reader.start()
        deadline = time.monotonic() + 10
        while not simulator.runs:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        run_id = next(iter(simulator.runs))
        wait_for_status(http, f"/v1/orchestrate/runs/{run_id}", {"running"})
        assert http.post(f"/v1/orchestrate/runs/cancel/{run_id}").status_code == 200
        reader.join(10)
    assert not reader.is_alive()
    names = [e["event"] for e in lines]
    assert names[-2:] == ["run.cancelled", "done"]
    assert lines[-2]["data"]["run_id"] == run_id
    assert "run.completed" not in names


def test_cancelling_a_finished_run_leaves_it_as_it_was(simulator: Simulator) -> None:
    with client(simulator) as http:
        ids = _start(http, "/v1/orchestrate/runs", simulator.agent_id("echo_agent"), "hi")
        done = wait_for_status(http, f"/v1/orchestrate/runs/{ids['run_id']}", {"completed"})
        answer = http.post(f"/v1/orchestrate/runs/cancel/{ids['run_id']}")
        assert answer.status_code == 200
        assert answer.json() == {"thread_id": ids["thread_id"], "run_id": ids["run_id"]}
        assert http.get(f"/v1/orchestrate/runs/{ids['run_id']}").json() == done


@pytest.mark.parametrize("saas", [False, True])
def test_unknown_run_is_404_for_cancel_and_events(simulator: Simulator, saas: bool) -> None:
    missing = "00000000-0000-4000-8000-00000000dead"
    with client(simulator, saas=saas) as http:
        assert http.post(f"/v1/orchestrate/runs/cancel/{missing}").status_code == 404
        assert http.get(f"/v1/orchestrate/runs/{missing}/events").status_code == 404


def test_cancel_needs_the_bearer_token(simulator: Simulator) -> None:
    with httpx.Client(base_url=simulator.url, timeout=10) as http:
        assert http.post("/v1/orchestrate/runs/cancel/abc").status_code == 401


@FAMILIES
def test_events_of_a_finished_run_are_its_stream(
    simulator: Simulator, saas: bool, runs: str
) -> None:
    with client(simulator, saas=saas) as http:
        ids = _start(http, runs, simulator.agent_id("echo_agent"), "hello")
        wait_for_status(http, f"{runs}/{ids['run_id']}", {"completed"})
        started = time.monotonic()
        answer = http.get(f"{runs}/{ids['run_id']}/events", params={"stream_timeout": 5000})
        elapsed = time.monotonic() - started
    assert answer.status_code == 200
    events = answer.json()
    assert isinstance(events, list)
    assert [set(e) for e in events] == [{"id", "event", "data"}] * len(events)
    names = [e["event"] for e in events]
    assert names[0] == "run.started"
    assert names[-1] == "done"
    assert "message.created" in names
    created = next(e for e in events if e["event"] == "message.created")
    assert created["data"]["message"]["content"][0]["text"] == "Echo (turn 1): hello"
    assert elapsed < 4  # a finished run is answered without waiting out the timeout


def test_events_of_a_live_run_wait_up_to_the_timeout(simulator: Simulator) -> None:
    with client(simulator) as http:
        ids = _start(http, "/v1/orchestrate/runs", simulator.agent_id("slow_agent"), "seconds=30")
        wait_for_status(http, f"/v1/orchestrate/runs/{ids['run_id']}", {"running"})
        started = time.monotonic()
        answer = http.get(
            f"/v1/orchestrate/runs/{ids['run_id']}/events", params={"stream_timeout": 300}
        )
        elapsed = time.monotonic() - started
        first = answer.json()
        later = http.get(
            f"/v1/orchestrate/runs/{ids['run_id']}/events", params={"stream_timeout": 300}
        ).json()
        http.post(f"/v1/orchestrate/runs/cancel/{ids['run_id']}")
        final = http.get(f"/v1/orchestrate/runs/{ids['run_id']}/events").json()
    assert answer.status_code == 200
    assert 0.25 <= elapsed < 5
    assert first[0]["event"] == "run.started"
    assert "done" not in [e["event"] for e in first]
    assert later[: len(first)] == first  # the same events, then more
    assert len(later) > len(first)
    assert [e["event"] for e in final][-2:] == ["run.cancelled", "done"]


def test_events_bad_stream_timeout_is_422(simulator: Simulator) -> None:
    with client(simulator) as http:
        ids = _start(http, "/v1/orchestrate/runs", simulator.agent_id("echo_agent"), "x")
        answer = http.get(
            f"/v1/orchestrate/runs/{ids['run_id']}/events", params={"stream_timeout": "soon"}
        )
    assert answer.status_code == 422
    assert json.loads(answer.text)["detail"][0]["loc"] == ["query", "stream_timeout"]
