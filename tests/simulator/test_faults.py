"""Injected faults, armed in-process (``sim.faults``) and over the control endpoints."""

from __future__ import annotations

import itertools
import json
import time

import httpx
import pytest

from wxo_mcp.simulator import Simulator

from .helpers import client, parse_lines, run_body, stream, wait_for_status


def _stream_body(sim: Simulator, agent: str = "echo_agent", text: str = "hi") -> dict[str, object]:
    return run_body(sim.agent_id(agent), text)


def test_status_fault_hits_the_next_k_requests(simulator: Simulator) -> None:
    simulator.faults.status(503, times=2)
    with client(simulator) as http:
        codes = [http.get("/v1/orchestrate/agents").status_code for _ in range(3)]
        first = http.get("/v1/orchestrate/agents")
    assert codes == [503, 503, 200]
    assert first.status_code == 200
    simulator.faults.status(500)
    with client(simulator) as http:
        failed = http.get("/v1/orchestrate/agents")
    assert isinstance(failed.json()["detail"], str)
    assert "retry-after" not in failed.headers


def test_status_fault_retry_after_only_when_asked(simulator: Simulator) -> None:
    simulator.faults.status(503, retry_after=1.5)
    simulator.faults.status(503)
    with client(simulator) as http:
        with_header = http.get("/v1/orchestrate/agents")
        without = http.get("/v1/orchestrate/agents")
    assert with_header.headers["retry-after"] == "1.5"
    assert "retry-after" not in without.headers


def test_429_is_the_quota_shape_without_retry_after(simulator: Simulator) -> None:
    simulator.faults.status(429)
    with client(simulator) as http:
        response = http.post("/v1/orchestrate/runs", json=_stream_body(simulator))
    assert response.status_code == 429
    assert "retry-after" not in response.headers
    detail = response.json()["detail"]
    assert detail["code"] == "RESOURCE_QUOTA_EXCEEDED"
    assert set(detail) == {"code", "resource", "current", "requested", "limit", "message"}
    assert simulator.runs == {}  # the request never reached the runtime


def test_status_fault_path_filter(simulator: Simulator) -> None:
    simulator.faults.status(502, path_contains="/orchestrate/runs")
    with client(simulator) as http:
        agents = http.get("/v1/orchestrate/agents")
        runs = http.get("/v1/orchestrate/runs")
        again = http.get("/v1/orchestrate/runs")
    assert (agents.status_code, runs.status_code, again.status_code) == (200, 502, 200)


def test_status_fault_401_under_instances_is_the_gateway_shape(simulator: Simulator) -> None:
    simulator.faults.status(401)
    simulator.faults.status(401)
    with client(simulator, saas=True) as http:
        saas = http.get("/v1/orchestrate/agents")
    with client(simulator) as http:
        local = http.get("/v1/orchestrate/agents")
    assert saas.status_code == 401
    assert saas.json()["status"] == 401
    assert "code" in saas.json()
    assert local.status_code == 401
    assert "detail" in local.json()


def test_status_fault_with_custom_body(simulator: Simulator) -> None:
    body = {"code": "WXO-PROXY-11112E", "message": "Agent not deployed", "status": 500}
    simulator.faults.status(500, body=body)
    with client(simulator, saas=True) as http:
        response = http.get("/v1/orchestrate/agents")
    assert response.json() == body


def test_drop_stream_cuts_the_connection_but_not_the_run(simulator: Simulator) -> None:
    simulator.faults.drop_stream_after(events=3)
    received = b""
    with client(simulator) as http:
        with (  # noqa: PT012 - the error comes mid-read
            pytest.raises(httpx.RemoteProtocolError),
            http.stream("POST", "/v1/orchestrate/runs/stream", json=_stream_body(simulator)) as r,
        ):
            for chunk in r.iter_bytes():
                received += chunk
        events = parse_lines(received)
        assert len(events) == 3
        run_id = events[0]["data"]["run_id"]
        run = wait_for_status(http, f"/v1/orchestrate/runs/{run_id}", {"completed"})
        # the next stream is healthy again
        healthy = stream(http, "/v1/orchestrate/runs/stream", _stream_body(simulator))
    assert run["result"]["data"]["message"]["content"][0]["text"] == "Echo (turn 1): hi"
    assert healthy.names()[-1] == "done"
    assert not simulator.stream_closed.is_set()


def test_stall_stream_pauses_then_goes_on(simulator: Simulator) -> None:
    simulator.faults.stall_stream_after(events=2, seconds=0.4)
    arrivals: list[float] = []
    with (
        client(simulator) as http,
        http.stream("POST", "/v1/orchestrate/runs/stream", json=_stream_body(simulator)) as r,
    ):
        for _line in r.iter_lines():
            arrivals.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert gaps[1] >= 0.35  # between the 2nd and the 3rd event
    assert max(gaps[:1] + gaps[2:]) < 0.3


def test_stall_longer_than_the_client_timeout_is_seen_as_a_closed_stream(
    simulator: Simulator,
) -> None:
    simulator.faults.stall_stream_after(events=1, seconds=30)
    started = time.monotonic()
    with (
        httpx.Client(
            base_url=simulator.url, headers=client(simulator).headers, timeout=0.3
        ) as http,
        pytest.raises(httpx.ReadTimeout),
        http.stream("POST", "/v1/orchestrate/runs/stream", json=_stream_body(simulator)) as r,
    ):
        for _ in r.iter_lines():
            pass
    assert simulator.stream_closed.wait(5)
    assert time.monotonic() - started < 5
    (run_id,) = simulator.stream_closed.run_ids
    assert simulator.runs[run_id].status == "completed"


def test_malformed_line_fault(simulator: Simulator) -> None:
    simulator.faults.malformed_line_after(events=2)
    with (
        client(simulator) as http,
        http.stream("POST", "/v1/orchestrate/runs/stream", json=_stream_body(simulator)) as r,
    ):
        lines = [line for line in r.iter_lines() if line]
    parsed: list[object] = []
    bad = []
    for index, line in enumerate(lines):
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            bad.append(index)
    assert bad == [2]
    assert json.loads(lines[-1])["event"] == "done"


def test_stream_faults_apply_once_each_in_order(simulator: Simulator) -> None:
    simulator.faults.malformed_line_after(events=0, times=2)
    with client(simulator) as http:
        raws = []
        for _ in range(3):
            with http.stream(
                "POST", "/v1/orchestrate/runs/stream", json=_stream_body(simulator)
            ) as r:
                raws.append(r.read())
    assert [raw.startswith(b'{"id": "0-0"') for raw in raws] == [True, True, False]


def test_clear_forgets_armed_faults(simulator: Simulator) -> None:
    simulator.faults.status(500, times=5)
    simulator.faults.drop_stream_after(events=1)
    simulator.faults.clear()
    with client(simulator) as http:
        assert http.get("/v1/orchestrate/agents").status_code == 200
        assert (
            stream(http, "/v1/orchestrate/runs/stream", _stream_body(simulator)).names()[-1]
            == "done"
        )


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "status", "code": 503, "times": 1},
        {"kind": "drop_stream", "events": 2},
        {"kind": "stall_stream", "events": 2, "seconds": 0.3},
        {"kind": "malformed_line", "events": 2},
    ],
)
def test_control_endpoint_arms_every_kind(simulator: Simulator, spec: dict[str, object]) -> None:
    armed = httpx.post(simulator.url + "/_simulator/faults", json=spec)
    assert armed.status_code == 200
    with client(simulator) as http:
        if spec["kind"] == "status":
            assert http.get("/v1/orchestrate/agents").status_code == 503
            return
        raw = b""
        started = time.monotonic()
        try:
            with http.stream(
                "POST", "/v1/orchestrate/runs/stream", json=_stream_body(simulator)
            ) as r:
                for chunk in r.iter_bytes():
                    raw += chunk
        except httpx.RemoteProtocolError:
            assert spec["kind"] == "drop_stream"
        lines = raw.split(b"\n")
        if spec["kind"] == "drop_stream":
            assert len([line for line in lines if line]) == 2
        elif spec["kind"] == "malformed_line":
            with pytest.raises(json.JSONDecodeError):
                json.loads(lines[2])
        else:
            assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    "spec", [{"kind": "nope"}, {"kind": "status"}, {"kind": "drop_stream", "events": -1}, [1]]
)
def test_control_endpoint_rejects_bad_faults(simulator: Simulator, spec: object) -> None:
    response = httpx.post(simulator.url + "/_simulator/faults", json=spec)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_control_reset_and_stats(simulator: Simulator) -> None:
    with client(simulator) as http:
        stream(http, "/v1/orchestrate/runs/stream", _stream_body(simulator))
        stats = httpx.get(simulator.url + "/_simulator/stats").json()
        assert stats["runs"] == {"completed": 1}
        assert stats["threads"] == 1
        simulator.faults.status(500)
        assert httpx.post(simulator.url + "/_simulator/reset").json() == {"ok": True}
        assert http.get("/v1/orchestrate/runs").json()["total"] == 0
    assert simulator.runs == {}
    assert simulator.threads == {}
    assert simulator.requests == [("GET", "/v1/orchestrate/runs", "")]
