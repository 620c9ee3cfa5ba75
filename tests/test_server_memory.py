"""In-process checks of the MCP server (``mcp.Client(server)``): leaks and hostile input.

The end-to-end suite covers behaviour over stdio; these look inside the process, which a
subprocess would hide: tasks, file descriptors and upstream connections after cancelled calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client, MCPError

from wxo_mcp.api.pools import POOL_SHARDS
from wxo_mcp.config import Settings
from wxo_mcp.server import build_server

pytestmark = pytest.mark.anyio


def _settings(sim: Any, tmp_path: Path, **env: str) -> Settings:
    environ = {"WXO_URL": sim.url, "WXO_TOKEN": sim.token, **env}
    return Settings.load(environ=environ, home=tmp_path)


@pytest.fixture
async def client(simulator: Any, tmp_path: Path) -> AsyncIterator[Client]:
    async with Client(build_server(_settings(simulator, tmp_path)), mode="legacy") as c:
        yield c


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _tasks() -> int:
    return len(asyncio.all_tasks())


async def test_cancelled_calls_leave_nothing_behind(client: Client, simulator: Any):
    # warm up: one finished call opens the pooled connection we expect to keep
    await client.call_tool("echo_agent", {"message": "warm"})
    await anyio.sleep(0.1)
    gc.collect()
    fds, tasks = _fds(), _tasks()
    for _ in range(10):
        with anyio.move_on_after(0.3):
            await client.call_tool("slow_agent", {"message": "seconds=5"})
    # Each cancelled call cancels its run in Orchestrate (and so ends the stream).
    with anyio.fail_after(5):
        while sum(r.status == "cancelled" for r in simulator.runs.values()) < 10:
            await anyio.sleep(0.05)
    await anyio.sleep(0.2)
    gc.collect()
    assert _tasks() <= tasks
    # at most one more pooled keep-alive connection per pool (the cancels use them in turn)
    assert _fds() <= fds + POOL_SHARDS


ID_PATH = re.compile(
    r"^/(api/)?v1/(orchestrate/)?(runs|threads|agents)(/[A-Za-z0-9_-]+)?(/messages)?$"
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
hostile_ids = st.sampled_from(
    ["../../x", "a/b", "x?y=z", "%2e%2e", "", " ", "\x00", "é", "x" * 500, "a#b", "..", "/"]
) | st.text(max_size=40)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    tool=st.sampled_from(["echo_agent", "ask_agent", "get_run", "list_agents"]),
    arguments=st.dictionaries(
        st.sampled_from(["message", "thread_id", "agent", "run_id", "wait_seconds", "x", ""]),
        json_values | hostile_ids,
        max_size=4,
    ),
)
async def test_fuzzed_tool_arguments_get_clear_results(
    client: Client, simulator: Any, tool, arguments
):
    result = await client.call_tool(tool, arguments)
    if result.is_error:
        assert result.content
        assert getattr(result.content[0], "text", None)
    for seen in simulator.requests:
        assert ID_PATH.match(seen.path), seen.path


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(["runs", "threads"]), ident=hostile_ids)
async def test_fuzzed_resource_uris_are_refused_cleanly(
    client: Client, simulator: Any, kind, ident
):
    with contextlib.suppress(MCPError):
        await client.read_resource(f"orchestrate://{kind}/{ident}")
    for seen in simulator.requests:
        assert ID_PATH.match(seen.path), seen.path


async def test_huge_and_odd_messages(client: Client):
    big = "x" * 5_000_000
    result = await client.call_tool("echo_agent", {"message": big})
    assert result.structured_content is not None
    assert result.structured_content["status"] == "completed"
    odd = "\u202e\x00\x1b[31m ☃ 𝄞 \r\n"
    got = await client.call_tool("echo_agent", {"message": odd})
    assert got.structured_content is not None
    assert got.structured_content["status"] == "completed"
