"""A hostile upstream, over stdio in both protocol eras: bounded memory, true outcomes.

Each test arms one of the simulator's hostile faults (issue 12) and checks what a model sees.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.e2e.conftest import ROOT
from tests.helpers import data, text
from wxo_mcp.simulator import Simulator, SimulatorOptions

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

MiB = 1024 * 1024


async def _first_outcome(client: Client, run_id: str, within: float = 30) -> dict[str, Any]:
    """get_run until the run is no longer running (the first settled reading)."""
    with anyio.fail_after(within):
        while True:
            got = data(await client.call_tool("get_run", {"run_id": run_id, "wait_seconds": 5}))
            if got["status"] != "running":
                return got


async def test_an_endless_stream_is_left_with_a_clear_outcome(connect, simulator):
    simulator.faults.endless_stream_after(events=3, size=48 * 1024, seconds=0.01)
    env = {"WXO_TOOL_DEADLINE": "2", "WXO_MAX_STREAM_MB": "16", "WXO_MAX_RESULT_CHARS": "1000"}
    async with connect(env=env) as client:
        first = await client.call_tool("echo_agent", {"message": "never ending"})
        handle = data(first)
        assert handle["status"] == "running" and handle["run_id"]
        assert len(handle["text"]) < 1500  # the text so far, cut, while it streams
        outcome = await _first_outcome(client, handle["run_id"])
    assert outcome["status"] == "interrupted"
    assert "more than 16 MB" in outcome["error"]
    assert f'run_id "{handle["run_id"]}"' in outcome["error"]
    assert outcome["text"].startswith("zzz")
    assert "[Cut: this shows the first 1000 of " in outcome["text"]


async def test_done_then_silence_completes_at_once(connect, simulator):
    simulator.faults.linger_after_done()
    env = {"WXO_TOOL_DEADLINE": "20", "WXO_READ_TIMEOUT": "60"}
    async with connect(env=env) as client:
        with anyio.fail_after(15):  # the deadline is 20 s: completing means not waiting for it
            result = await client.call_tool("echo_agent", {"message": "and then nothing"})
    assert not result.is_error, text(result)
    assert data(result)["status"] == "completed"
    assert data(result)["text"] == "Echo (turn 1): and then nothing"


async def test_a_run_start_that_never_answers_is_a_clear_error(connect, simulator):
    simulator.faults.hang("/runs", method="POST", seconds=60)
    async with connect(env={"WXO_TOOL_DEADLINE": "1"}) as client:
        result = await client.call_tool("echo_agent", {"message": "hello?"})
    got = data(result)
    assert result.is_error
    assert got["status"] == "failed" and got["run_id"] is None
    assert "could not be confirmed" in got["error"]
    assert "orchestrate://runs" in got["error"]


async def test_a_lost_run_ends_its_follow_up(connect, simulator):
    simulator.faults.lose_run_after(events=3)
    async with connect() as client:
        broken = data(await client.call_tool("echo_agent", {"message": "lost"}))
        assert broken["status"] == "interrupted" and broken["run_id"]
        outcome = await _first_outcome(client, broken["run_id"])
        if outcome["status"] == "interrupted":  # the follow-up has not read the run yet
            with anyio.fail_after(10):
                while outcome["status"] == "interrupted":
                    await anyio.sleep(0.5)
                    outcome = data(await client.call_tool("get_run", {"run_id": broken["run_id"]}))
        assert outcome["status"] == "failed"
        assert "404" in outcome["error"] and "lost" in outcome["error"]
        await anyio.sleep(3)  # nothing polls the lost run any more
        reads = [r for r in simulator.requests if r.path.endswith(broken["run_id"])]
    assert len(reads) <= 2


async def test_a_huge_answer_is_cut_in_the_result_and_the_resource(connect, simulator):
    env = {"WXO_MAX_RESULT_CHARS": "5000"}
    async with connect(env=env) as client:
        result = await client.call_tool("long_agent", {"message": "chars=3000000 chunk=100000"})
        got = data(result)
        assert got["status"] == "completed"
        assert "[Cut: this shows the first 5000 of 3000000 characters" in got["text"]
        assert len(got["text"]) < 6000
        contents = (await client.read_resource(f"orchestrate://runs/{got['run_id']}")).contents
        document = json.loads(contents[0].text)
    assert len(contents[0].text) < 20_000  # the answer once, cut: not 2 × 3 MB
    assert document["status"] == "completed"
    assert document["text"] == got["text"]
    assert "result" not in document


async def test_a_200_mb_error_body_is_read_only_in_part(connect, simulator):
    run_id = "00000000-0000-4000-8000-0000000000cc"
    simulator.faults.huge_body(503, 200 * MiB, path_contains=f"/runs/{run_id}", times=3)
    async with connect() as client:
        with anyio.fail_after(30):
            result = await client.call_tool("get_run", {"run_id": run_id})
    got = data(result)
    assert result.is_error
    assert "503" in got["error"]
    assert len(got["error"]) < 2000


async def test_an_agent_list_past_its_cap_is_a_clear_error(connect, simulator):
    simulator.faults.huge_body(200, 65 * MiB, path_contains="/orchestrate/agents", times=3)
    async with connect() as client:
        result = await client.call_tool("list_agents", {})
    assert result.is_error
    assert "more than 64 MB" in text(result)


@pytest.mark.parametrize(
    ("code", "expected"),
    [(200, "HTTP 200 with text/html"), (302, "a redirect (HTTP 302) to sso.example")],
)
async def test_a_web_page_answering_the_run_start_is_named(connect, simulator, code, expected):
    simulator.faults.html(code, path_contains="/runs", location="https://sso.example/login")
    async with connect() as client:
        result = await client.call_tool("echo_agent", {"message": "hi"})
    assert result.is_error
    assert expected in data(result)["error"]
    assert "0 events" not in data(result)["error"]


async def test_invalid_utf8_in_the_answer_is_kept(connect, simulator):
    simulator.faults.invalid_utf8_answer()
    async with connect() as client:
        got = data(await client.call_tool("echo_agent", {"message": "bytes"}))
    assert got["status"] == "completed"
    assert got["text"].startswith("Echo (turn 1): bytes")
    assert "\ufffd" in got["text"]


async def test_get_run_keeps_to_the_deadline_through_retries(connect, simulator):
    run_id = "00000000-0000-4000-8000-0000000000dd"
    simulator.faults.status(503, times=5, retry_after=15, path_contains=f"/runs/{run_id}")
    async with connect(env={"WXO_TOOL_DEADLINE": "2"}) as client:
        started = time.monotonic()
        result = await client.call_tool("get_run", {"run_id": run_id})
        took = time.monotonic() - started
    got = data(result)
    assert took < 12  # three attempts 15 s apart would take 30 s
    assert got["status"] == "interrupted"
    assert "2 s deadline" in got["error"]
    assert f'call get_run with run_id "{run_id}"' in got["error"]


@pytest.mark.parametrize("run_id", ["run_" + "a" * 100, "x" * 200, "a.b"])
async def test_bad_run_ids_in_resource_uris_are_invalid_params(connect, simulator, run_id):
    async with connect() as client:
        with pytest.raises(MCPError) as info:
            await client.read_resource(f"orchestrate://runs/{run_id}")
    assert info.value.error.code == -32602


async def test_a_line_echoing_the_token_is_summarised_and_redacted(simulator):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "wxo_mcp", "serve"],
        env={"WXO_URL": simulator.url, "WXO_TOKEN": simulator.token, "PYTHONPATH": ROOT},
        cwd=ROOT,
    )
    simulator.faults.echo_token_after(events=2)
    with tempfile.TemporaryFile("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            echoed = data(await client.call_tool("echo_agent", {"message": "hi"}))
            simulator.faults.html(200, path_contains="/runs", lines=500)
            page = await client.call_tool("echo_agent", {"message": "a page"})
        errlog.seek(0)
        logged = errlog.read()
    assert echoed["status"] == "completed"
    assert page.is_error
    assert simulator.token not in logged
    assert "[redacted]" in logged
    assert len(re.findall(r"Skipped \d+ run-stream line", logged)) == 1  # one, not one per line


async def test_stale_keep_alive_connections_lose_no_run():
    """The simulator closes connections idle for 1 s; calls come about a second apart. (HTTP
    below the server, not the MCP protocol: one era is enough.)"""
    with Simulator(SimulatorOptions(token="t0k", keep_alive_seconds=1.0)) as sim:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "wxo_mcp", "serve"],
            env={"WXO_URL": sim.url, "WXO_TOKEN": "t0k", "PYTHONPATH": ROOT},
            cwd=ROOT,
        )
        async with Client(stdio_client(params), mode="legacy") as client:
            statuses = []
            for n in range(8):
                got = data(await client.call_tool("echo_agent", {"message": f"#{n}"}))
                statuses.append(got["status"])
                await anyio.sleep(0.9 + 0.05 * n)  # around the server's idle timeout
        assert statuses == ["completed"] * 8
        assert len(sim.runs) == 8  # none lost, none started twice
