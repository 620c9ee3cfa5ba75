"""Faults of Orchestrate, injected in the simulator over real HTTP: nothing known is lost."""

from __future__ import annotations

import socket
from typing import Any

import anyio
import pytest

from tests.helpers import data, text
from wxo_mcp.simulator import Simulator, SimulatorOptions

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def _wait_for_outcome(client: Any, run_id: str) -> dict[str, Any]:
    with anyio.fail_after(20):
        while True:
            got = data(await client.call_tool("get_run", {"run_id": run_id, "wait_seconds": 1}))
            if got["status"] not in ("running", "interrupted"):
                return got


async def test_a_dropped_stream_is_interrupted_and_get_run_shows_the_outcome(connect, simulator):
    simulator.faults.drop_stream_after(events=3)
    async with connect() as client:
        result = await client.call_tool("slow_agent", {"message": "seconds=0.6"})
        assert result.is_error
        got = data(result)
        assert got["status"] == "interrupted"
        assert got["run_id"] and got["thread_id"]
        assert "get_run" in got["error"]
        final = await _wait_for_outcome(client, got["run_id"])
        assert final["status"] == "completed"
        assert final["text"]
        assert final["thread_id"] == got["thread_id"]


async def test_a_stalled_stream_times_out_and_is_followed_up(connect, simulator):
    simulator.faults.stall_stream_after(events=3, seconds=30)
    async with connect(env={"WXO_READ_TIMEOUT": "0.5"}) as client:
        with anyio.fail_after(15):
            result = await client.call_tool("echo_agent", {"message": "are you there?"})
        got = data(result)
        assert result.is_error
        assert got["status"] == "interrupted"
        assert got["run_id"]
        final = await _wait_for_outcome(client, got["run_id"])
        assert final["status"] == "completed"
        assert "are you there?" in final["text"]


async def test_a_malformed_line_is_skipped(connect, simulator):
    simulator.faults.malformed_line_after(events=2)
    async with connect() as client:
        got = data(await client.call_tool("echo_agent", {"message": "hi"}))
    assert got["status"] == "completed"
    assert "hi" in got["text"]


async def test_a_5xx_on_run_creation_is_explained_and_not_resent(connect, simulator):
    async with connect() as client:
        await client.list_tools()
        simulator.faults.status(503, times=1, path_contains="/runs")
        result = await client.call_tool("echo_agent", {"message": "hi"})
        assert result.is_error
        assert "503" in text(result) or "unavailable" in text(result).lower()
        posts = [r for r in simulator.requests if r.method == "POST" and "/runs" in r.path]
        assert len(posts) == 1
        # the next call works
        assert (
            data(await client.call_tool("echo_agent", {"message": "again"}))["status"]
            == "completed"
        )


async def test_reads_are_retried_on_429_and_5xx(connect, simulator):
    simulator.faults.status(429, times=1, retry_after=0.2, path_contains="/agents")
    simulator.faults.status(502, times=1, path_contains="/agents")
    async with connect() as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "echo_agent" in names
    agent_reads = [r for r in simulator.requests if r.path.endswith("/orchestrate/agents")]
    assert len(agent_reads) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_orchestrate_down_then_back(connect):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    async with connect(env={"WXO_URL": url, "WXO_TOKEN": "t0k3n-for-down-test"}) as client:
        down = await client.call_tool("ask_agent", {"agent": "echo_agent", "message": "hi"})
        assert down.is_error
        assert "127.0.0.1" in text(down) or "reach" in text(down).lower()
        with Simulator(SimulatorOptions(token="t0k3n-for-down-test", port=port)):
            back = await client.call_tool("ask_agent", {"agent": "echo_agent", "message": "hi"})
            assert not back.is_error, text(back)
            assert "echo_agent" in {t.name for t in (await client.list_tools()).tools}


async def test_100_concurrent_calls_do_not_cross(connect):
    async with connect() as client:
        results: dict[int, dict[str, Any]] = {}

        async def one(i: int) -> None:
            results[i] = data(await client.call_tool("echo_agent", {"message": f"message #{i}"}))

        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                for i in range(100):
                    tg.start_soon(one, i)
    assert len(results) == 100
    for i, got in results.items():
        assert got["status"] == "completed"
        assert got["text"] == f"Echo (turn 1): message #{i}"
    assert len({got["thread_id"] for got in results.values()}) == 100
    assert len({got["run_id"] for got in results.values()}) == 100
