"""2025-11-25 core tasks (what VS Code speaks), over stdio and streamable HTTP, raw JSON-RPC.

The SDK's own client validates a ``tools/call`` answer against ``CallToolResult`` on that wire,
so it cannot receive a task: these tests speak the protocol by hand, as such a host does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from anyio.abc import Process

from tests.e2e.conftest import ROOT
from tests.e2e.test_http import command_env, start_http  # noqa: F401 - start_http via getfixturevalue

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

VERSION = "2025-11-25"
INIT = {
    "protocolVersion": VERSION,
    "capabilities": {"tasks": {"requests": {}}},
    "clientInfo": {"name": "raw-2025", "version": "0"},
}


class Raw:
    """One JSON-RPC session; ``request`` returns the ``result`` (or raises on an ``error``)."""

    def __init__(self, send: Callable[[dict[str, Any]], Any]) -> None:
        self._send = send
        self._id = 0
        self.initialized: dict[str, Any] = {}

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._id += 1
        message = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}}
        answer: dict[str, Any] = await self._send(message)
        if "error" in answer:
            raise AssertionError(answer["error"])
        result: dict[str, Any] = answer["result"]
        return result


@asynccontextmanager
async def _stdio(simulator: Any, tmp: Any) -> AsyncIterator[Raw]:
    process: Process = await anyio.open_process(
        [sys.executable, "-m", "wxo_mcp", "serve"],
        env=command_env(simulator, tmp, {}),
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    buffer = b""

    async def send(message: dict[str, Any]) -> dict[str, Any]:
        nonlocal buffer
        assert process.stdin is not None and process.stdout is not None
        await process.stdin.send(json.dumps(message).encode() + b"\n")
        if "id" not in message:
            return {}
        while True:
            while b"\n" not in buffer:
                buffer += await process.stdout.receive()
            line, buffer = buffer.split(b"\n", 1)
            answer: dict[str, Any] = json.loads(line)
            if answer.get("id") == message["id"]:
                return answer

    try:
        raw = Raw(send)
        with anyio.fail_after(60):
            raw.initialized = await raw.request("initialize", INIT)
            await send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            yield raw
    finally:
        await process.stdin.aclose()
        with anyio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()


@asynccontextmanager
async def _http(url: str) -> AsyncIterator[Raw]:
    headers = {"Accept": "application/json, text/event-stream"}
    async with httpx.AsyncClient(timeout=60) as http:

        async def send(message: dict[str, Any]) -> dict[str, Any]:
            response = await http.post(url, json=message, headers=headers)
            response.raise_for_status()
            if "mcp-session-id" in response.headers:
                headers["mcp-session-id"] = response.headers["mcp-session-id"]
            if "id" not in message:
                return {}
            if response.headers["content-type"].startswith("application/json"):
                answer: dict[str, Any] = response.json()
                return answer
            for line in response.text.splitlines():
                if line.startswith("data:"):
                    event = json.loads(line[5:])
                    if event.get("id") == message["id"]:
                        return dict(event)
            raise AssertionError(response.text)

        raw = Raw(send)
        raw.initialized = await raw.request("initialize", INIT)
        headers["mcp-protocol-version"] = VERSION
        await send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield raw


@pytest.fixture(params=["stdio", "http"])
def session(
    request: pytest.FixtureRequest, simulator: Any, tmp_path: Any
) -> Callable[[], AbstractAsyncContextManager[Raw]]:
    if request.param == "stdio":
        return lambda: _stdio(simulator, tmp_path)
    url = request.getfixturevalue("start_http")()
    return lambda: _http(url)


def _cancels(simulator: Any) -> list[str]:
    marker = "/runs/cancel/"
    return [r.path.split(marker)[1] for r in simulator.requests if marker in r.path]


async def test_a_task_augmented_call_is_a_task_with_the_usual_result(
    session: Callable[[], AbstractAsyncContextManager[Raw]], simulator: Any
) -> None:
    async with session() as raw:
        tools = {t["name"]: t for t in (await raw.request("tools/list"))["tools"]}
        created = await raw.request(
            "tools/call",
            {"name": "slow_agent", "arguments": {"message": "seconds=2"}, "task": {"ttl": 60000}},
        )
        task = created["task"]
        state = await raw.request("tasks/get", {"taskId": task["taskId"]})
        result = await raw.request("tasks/result", {"taskId": task["taskId"]})
        after = await raw.request("tasks/get", {"taskId": task["taskId"]})
        plain = await raw.request(
            "tools/call", {"name": "echo_agent", "arguments": {"message": "hi"}}
        )
        refused = await raw.request(
            "tools/call",
            {"name": "ask_agent", "arguments": {"agent": "nobody", "message": "x"}, "task": {}},
        )
    assert {"slow_agent", "ask_agent", "cancel_run"} <= set(tools)
    assert task["status"] == "working"
    assert {"taskId", "createdAt", "lastUpdatedAt", "ttl", "pollInterval"} <= set(task)
    assert state["taskId"] == task["taskId"] and state["status"] == "working"
    assert state["statusMessage"]
    assert "result" not in state  # 2025-11-25 hands the result out through tasks/result
    assert result["structuredContent"]["status"] == "completed"
    assert result["structuredContent"]["text"] == "Done thinking after 2 seconds: seconds=2"
    assert result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": task["taskId"]}
    assert after["status"] == "completed"
    assert plain["structuredContent"]["text"] == "Echo (turn 1): hi"  # no task asked, none given
    assert refused["isError"] is True  # nothing to run: the usual answer, no task
    assert "No agent named 'nobody'" in refused["content"][0]["text"]


async def test_tasks_cancel_cancels_the_run(
    session: Callable[[], AbstractAsyncContextManager[Raw]], simulator: Any
) -> None:
    async with session() as raw:
        created = await raw.request(
            "tools/call",
            {"name": "slow_agent", "arguments": {"message": "seconds=30"}, "task": {}},
        )
        (run_id,) = simulator.runs
        cancelled = await raw.request("tasks/cancel", {"taskId": created["task"]["taskId"]})
    assert cancelled["status"] == "cancelled"
    assert cancelled["taskId"] == created["task"]["taskId"]
    assert _cancels(simulator) == [run_id]
    assert simulator.runs[run_id].status == "cancelled"


async def test_the_handshake_advertises_tasks_for_tool_calls(
    session: Callable[[], AbstractAsyncContextManager[Raw]],
) -> None:
    async with session() as raw:
        tasks = raw.initialized["capabilities"]["tasks"]
        tools = {t["name"]: t for t in (await raw.request("tools/list"))["tools"]}
    assert tasks["requests"] == {"tools": {"call": {}}}
    assert "cancel" in tasks
    # 2025-11-25 reads an absent taskSupport as "forbidden": the tools that run agents say so.
    for name in ("echo_agent", "slow_agent", "ask_agent"):
        assert tools[name]["execution"] == {"taskSupport": "optional"}, name
    for name in ("list_agents", "get_run", "cancel_run"):
        assert "execution" not in tools[name], name
