"""The hostile-upstream faults, seen from a plain HTTP client (armed over the control endpoint)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from wxo_mcp.simulator import Simulator

from .helpers import client, run_body

RUNS = "/v1/orchestrate/runs"


def _arm(sim: Simulator, **spec: object) -> None:
    response = httpx.post(sim.url + "/_simulator/faults", json=spec)
    assert response.status_code == 200, response.text


def _body(sim: Simulator, agent: str = "echo_agent", text: str = "hi") -> dict[str, object]:
    return run_body(sim.agent_id(agent), text)


def _read_run_stream(
    sim: Simulator, timeout: float = 10.0, stop_after: int | None = None
) -> tuple[bytes, Exception | None]:
    """POST a streamed run; the body read until it ends, breaks (the error) or ``stop_after``."""
    raw = b""
    http = client(sim)
    try:
        with http.stream(
            "POST", RUNS, params={"stream": "true"}, json=_body(sim), timeout=timeout
        ) as r:
            for chunk in r.iter_bytes():
                raw += chunk
                if stop_after is not None and len(raw) > stop_after:
                    break
    except httpx.HTTPError as exc:
        return raw, exc
    finally:
        http.close()
    return raw, None


def test_a_huge_error_body_is_streamed_with_its_exact_size(simulator: Simulator) -> None:
    _arm(simulator, kind="huge_body", code=503, size=5 * 1024 * 1024, path_contains="/agents")
    size = 0
    with client(simulator) as http, http.stream("GET", "/v1/orchestrate/agents") as response:
        assert response.status_code == 503
        assert "content-length" not in response.headers  # chunked: no early refusal possible
        for chunk in response.iter_bytes():
            size += len(chunk)
    assert size == 5 * 1024 * 1024


def test_html_and_redirect_answer_the_run_start(simulator: Simulator) -> None:
    _arm(simulator, kind="html", code=200, path_contains="/runs", lines=50)
    _arm(simulator, kind="html", code=302, path_contains="/runs", location="https://sso.example")
    with client(simulator) as http:
        page = http.post(RUNS, params={"stream": "true"}, json=_body(simulator))
        moved = http.post(RUNS, params={"stream": "true"}, json=_body(simulator))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.text.count("<p>") == 50
    assert moved.status_code == 302 and moved.headers["location"] == "https://sso.example"


def test_a_hanging_request_gets_no_answer(simulator: Simulator) -> None:
    _arm(simulator, kind="hang", path_contains="/runs", method="POST", seconds=30)
    with client(simulator) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.post(RUNS, json=_body(simulator), timeout=0.5)
        assert http.get(RUNS).status_code == 200  # only the armed request hangs


def test_an_endless_stream_never_ends_and_stores_nothing(simulator: Simulator) -> None:
    _arm(simulator, kind="endless_stream", events=2, size=32 * 1024, seconds=0.005)
    raw, error = _read_run_stream(simulator, stop_after=2 * 1024 * 1024)
    assert error is None and len(raw) > 2 * 1024 * 1024
    assert raw.count(b'"message.delta"') > 50
    run = next(iter(simulator.runs.values()))
    assert all(len(json.dumps(e)) < 10_000 for e in run.events)  # deltas are not kept


def test_done_then_silence_keeps_the_connection_open(simulator: Simulator) -> None:
    _arm(simulator, kind="linger_after_done")
    raw, error = _read_run_stream(simulator, timeout=1.0)
    assert isinstance(error, httpx.ReadTimeout)  # the body never ends after `done`
    assert raw.rstrip(b"\n").rsplit(b"\n", 1)[-1].startswith(b'{"id"')
    assert b'"event": "done"' in raw


def test_a_lost_run_answers_404_after_its_stream_drops(simulator: Simulator) -> None:
    _arm(simulator, kind="lose_run", events=3)
    raw, error = _read_run_stream(simulator)
    assert isinstance(error, httpx.RemoteProtocolError)
    run_id = json.loads(raw.split(b"\n")[0])["data"]["run_id"]
    with client(simulator) as http:
        assert http.get(f"{RUNS}/{run_id}").status_code == 404
        assert http.get(RUNS).json()["total"] == 0


def test_invalid_utf8_in_the_final_answer(simulator: Simulator) -> None:
    _arm(simulator, kind="invalid_utf8")
    raw, _ = _read_run_stream(simulator)
    created = next(line for line in raw.split(b"\n") if b'"message.created"' in line)
    with pytest.raises(UnicodeDecodeError):
        created.decode("utf-8")
    parsed = json.loads(created.decode("utf-8", errors="replace"))
    assert parsed["data"]["message"]["content"][0]["text"].startswith("Echo (turn 1): hi")


def test_a_broken_line_can_echo_the_callers_token(simulator: Simulator) -> None:
    _arm(simulator, kind="echo_token", events=2)
    raw, _ = _read_run_stream(simulator)
    assert f"Bearer {simulator.token}".encode() in raw


def test_idle_keep_alive_connections_close_after_the_configured_time() -> None:
    from wxo_mcp.simulator import SimulatorOptions

    with Simulator(SimulatorOptions(keep_alive_seconds=0.5)) as sim, client(sim) as http:
        assert http.get("/health/alive").status_code == 200
        pool = http._transport._pool  # type: ignore[attr-defined]
        first = pool.connections[0]
        time.sleep(1.0)
        assert first.is_closed() or first.has_expired()
