"""Long runs end to end: MCP tasks, Orchestrate's cancel and event replay, over stdio and HTTP.

A real ``mcp.Client`` with the SDK's ``ClientExtension``/``ResultClaim`` declares
``io.modelcontextprotocol/tasks`` (``tests/tasks_client.py``); every check that something was
cancelled looks at what the simulator saw (``POST …/runs/cancel/{id}``, the run's status).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.conftest import server_params
from tests.e2e.test_http import start_http  # noqa: F401 - used through getfixturevalue
from tests.helpers import data, text
from tests.tasks_client import (
    TASKS,
    CreateTaskResult,
    TasksClient,
    cancel_task,
    get_task,
    update_task,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

Open = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture(params=["stdio", "http"])
def open_server(request: pytest.FixtureRequest, simulator: Any) -> Open:
    """``open_server(env=..., **client_options)``: a fresh wxo-mcp process and a client of it."""
    transport = str(request.param)
    start = request.getfixturevalue("start_http") if transport == "http" else None

    @asynccontextmanager
    async def _open(
        env: Mapping[str, object] | None = None, **options: Any
    ) -> AsyncIterator[Client]:
        extra = {k: str(v) for k, v in (env or {}).items()}
        target: Any = (
            server_params(simulator.url, simulator.token, extra)
            if start is None
            else start(env=extra)
        )
        async with Client(target, **options) as client:
            yield client

    return _open


def _cancels(simulator: Any) -> list[str]:
    """Run ids the simulator was asked to cancel."""
    marker = "/runs/cancel/"
    return [
        r.path.split(marker)[1]
        for r in simulator.requests
        if r.method == "POST" and marker in r.path
    ]


async def _until(predicate: Callable[[], bool], within: float = 15) -> None:
    with anyio.fail_after(within):
        while not predicate():
            await anyio.sleep(0.05)


def _only_run(simulator: Any, agent: str | None = None) -> str:
    (run_id,) = [rid for rid, r in simulator.runs.items() if agent in (None, r.agent.name)]
    return str(run_id)


async def _start_task(client: Client, tool: str, arguments: dict[str, Any]) -> CreateTaskResult:
    created = await client.session.call_tool(tool, arguments, allow_claimed=True)
    assert isinstance(created, CreateTaskResult), created
    return created


async def test_a_slow_agent_becomes_a_task_polled_to_the_synchronous_result(
    open_server: Open, simulator: Any
) -> None:
    tasks = TasksClient()
    async with open_server(extensions=[tasks]) as client:
        assert client.protocol_version == "2026-07-28"
        caps = client.server_capabilities
        assert caps is not None and caps.extensions is not None and TASKS in caps.extensions
        tasks.mark()
        result = await client.call_tool("slow_agent", {"message": "seconds=2.5"})
        fast = await client.call_tool("echo_agent", {"message": "quick"})
    (created,) = tasks.created  # the quick call was answered directly
    assert created.result_type == "task"
    assert created.status == "working"
    assert created.ttl_ms and created.poll_interval_ms and created.created_at
    assert created.task_id.startswith("wxo1.")
    working = [p for p in tasks.polls if p.status == "working"]
    assert working and all(p.status_message for p in working)
    assert tasks.polls[-1].status == "completed"
    assert all(p.task_id == created.task_id for p in tasks.polls)
    assert not result.is_error
    answer = data(result)
    assert answer["status"] == "completed"
    assert answer["text"] == "Done thinking after 2.5 seconds: seconds=2.5"
    assert answer["run_id"] == _only_run(simulator, "slow_agent")
    assert f'call slow_agent again with thread_id "{answer["thread_id"]}"' in text(result)
    assert data(fast)["text"] == "Echo (turn 1): quick"


async def test_a_failed_run_is_a_completed_task_with_is_error(
    open_server: Open, simulator: Any
) -> None:
    tasks = TasksClient()
    async with open_server(extensions=[tasks]) as client:
        slow = await client.call_tool("failing_agent", {"message": "seconds=2"})
        quick = await client.call_tool("failing_agent", {"message": "now"})
    assert len(tasks.created) == 1
    assert tasks.polls[-1].status == "completed"  # not "failed": that is for JSON-RPC errors
    assert slow.is_error and quick.is_error
    assert data(slow)["status"] == data(quick)["status"] == "failed"
    assert data(slow)["error"] == data(quick)["error"]
    assert "always_fails" in data(slow)["error"]


async def test_a_second_server_process_resolves_the_same_task(
    open_server: Open, simulator: Any
) -> None:
    async with open_server(extensions=[TasksClient()]) as first:
        created = await _start_task(
            first, "ask_agent", {"agent": "slow_agent", "message": "seconds=3"}
        )
    simulator.requests.clear()
    # The first process is gone; a new one knows the task only from its id (and Orchestrate).
    async with open_server(extensions=[TasksClient()]) as second:
        with anyio.fail_after(30):
            while (state := await get_task(second.session, created.task_id)).status == "working":
                assert state.task_id == created.task_id
                await anyio.sleep(0.3)
        with pytest.raises(MCPError) as unknown:
            await get_task(second.session, created.task_id[:-2] + "xx")
    assert state.status == "completed"
    assert state.result is not None
    assert state.result["structuredContent"]["text"] == "Done thinking after 3 seconds: seconds=3"
    assert state.result["isError"] is False
    assert any(r.path.endswith("/events") for r in simulator.requests)  # followed by event replay
    assert unknown.value.error.code == -32602


async def test_options_become_input_required_answered_by_tasks_update(
    open_server: Open, simulator: Any
) -> None:
    tasks = TasksClient()
    async with open_server(extensions=[tasks]) as client:
        result = await client.call_tool("choice_agent", {"message": "report please"})
    asked = [p for p in tasks.polls if p.status == "input_required"]
    assert asked, tasks.polls
    (key, request) = next(iter((asked[0].input_requests or {}).items()))
    assert key.startswith("choice-")
    assert request["method"] == "elicitation/create"
    assert request["params"]["mode"] == "form"
    assert tasks.polls[-1].status == "completed"
    answer = data(result)
    assert answer["text"].startswith('(The agent offered a choice; the user chose "PDF document".)')
    (thread,) = simulator.threads.values()
    users = [m["content"][0]["text"] for m in thread.messages if m["role"] == "user"]
    assert users == ["report please", "pdf"]  # the choice continued the same thread


async def test_tasks_cancel_cancels_the_run_in_orchestrate(
    open_server: Open, simulator: Any
) -> None:
    async with open_server(extensions=[TasksClient()]) as client:
        created = await _start_task(client, "slow_agent", {"message": "seconds=30"})
        run_id = _only_run(simulator)
        ack = await cancel_task(client.session, created.task_id)
        await _until(lambda: simulator.runs[run_id].status == "cancelled")
        state = await get_task(client.session, created.task_id)
    assert ack.result_type == "complete"
    assert _cancels(simulator) == [run_id]
    assert simulator.runs[run_id].run["cancelled_at"]
    assert state.status == "cancelled"


async def test_tasks_methods_need_the_extension(open_server: Open, simulator: Any) -> None:
    async with open_server(extensions=[TasksClient()]) as client:
        created = await _start_task(client, "slow_agent", {"message": "seconds=2"})
    async with open_server() as plain:
        with pytest.raises(MCPError) as refused:
            await get_task(plain.session, created.task_id)
        with pytest.raises(MCPError) as refused_update:
            await update_task(plain.session, created.task_id, {})
    assert refused.value.error.code == -32021
    assert refused_update.value.error.code == -32021


async def test_mcp_cancellation_cancels_the_run(
    open_server: Open, simulator: Any, mode: str
) -> None:
    async with open_server(mode=mode) as client:
        with anyio.move_on_after(1.5):
            await client.call_tool("slow_agent", {"message": "seconds=30"})
        await _until(lambda: bool(simulator.runs) and _cancels(simulator) != [])
        run_id = _only_run(simulator)
        await _until(lambda: simulator.runs[run_id].status == "cancelled")
    assert _cancels(simulator) == [run_id]


async def test_cancel_run_tool_stops_a_running_run(
    open_server: Open, simulator: Any, mode: str
) -> None:
    async with open_server(env={"WXO_TOOL_DEADLINE": "1"}, mode=mode) as client:
        handle = data(await client.call_tool("slow_agent", {"message": "seconds=30"}))
        assert handle["status"] == "running"
        cancelled = await client.call_tool("cancel_run", {"run_id": handle["run_id"]})
        again = await client.call_tool("get_run", {"run_id": handle["run_id"]})
        done = data(await client.call_tool("echo_agent", {"message": "hi"}))
        finished = await client.call_tool("cancel_run", {"run_id": done["run_id"]})
        missing = await client.call_tool(
            "cancel_run", {"run_id": "00000000-0000-4000-8000-00000000dead"}
        )
    assert not cancelled.is_error
    assert data(cancelled)["status"] == "cancelled"
    assert data(cancelled)["run_id"] == handle["run_id"]
    assert data(cancelled)["thread_id"] == handle["thread_id"]
    assert simulator.runs[handle["run_id"]].status == "cancelled"
    assert data(again)["status"] == "cancelled"
    assert data(finished)["status"] == "completed"
    assert "already ended" in text(finished)
    assert missing.is_error
    assert "no run with id" in text(missing)
    assert _cancels(simulator) == [handle["run_id"], "00000000-0000-4000-8000-00000000dead"]


async def test_get_run_elsewhere_follows_the_run_by_event_replay(
    open_server: Open, simulator: Any
) -> None:
    async with open_server(env={"WXO_TOOL_DEADLINE": "1"}) as first:
        handle = data(await first.call_tool("slow_agent", {"message": "seconds=2.5"}))
    assert handle["status"] == "running"
    steps: list[str] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        steps.append(message or "")

    async with open_server(env={"WXO_TOOL_DEADLINE": "20"}) as second:
        result = await second.call_tool(
            "get_run",
            {"run_id": handle["run_id"], "wait_seconds": 20},
            progress_callback=on_progress,
        )
    assert data(result)["status"] == "completed"
    assert data(result)["text"] == "Done thinking after 2.5 seconds: seconds=2.5"
    assert data(result)["agent"] == "slow_agent"
    assert steps and steps[-1] == "Run completed."
    assert any(r.path.endswith(f"/runs/{handle['run_id']}/events") for r in simulator.requests)


def _client_with_token(url: str, token: str) -> Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(url, http_client=http), extensions=[TasksClient()])


async def test_over_http_a_task_belongs_to_the_client_token_that_made_it(
    request: pytest.FixtureRequest, simulator: Any
) -> None:
    start = request.getfixturevalue("start_http")
    token_a, token_b = "token-of-team-a-0123456789", "token-of-team-b-0123456789"
    async with _client_with_token(start(env={"WXO_MCP_TOKEN": token_a}), token_a) as client:
        created = await _start_task(client, "slow_agent", {"message": "seconds=1.5"})
        state = await get_task(client.session, created.task_id)
    async with _client_with_token(start(env={"WXO_MCP_TOKEN": token_b}), token_b) as other:
        with pytest.raises(MCPError) as refused:
            await get_task(other.session, created.task_id)
    assert state.task_id == created.task_id
    assert refused.value.error.code == -32602  # not found: another caller's task is not shown


async def test_a_choice_answered_on_one_replica_is_seen_on_another(
    open_server: Open, simulator: Any
) -> None:
    async with open_server(extensions=[TasksClient()]) as first:
        created = await _start_task(first, "choice_agent", {"message": "report please"})
    async with open_server(extensions=[TasksClient()]) as second:
        asked = await get_task(second.session, created.task_id)
        ((key, request),) = (asked.input_requests or {}).items()
        choice = request["params"]["requestedSchema"]["properties"]["choice"]["oneOf"][1]
        await update_task(
            second.session,
            created.task_id,
            {key: {"action": "accept", "content": {"choice": choice["const"]}}},
        )
    async with open_server(extensions=[TasksClient()]) as third:
        with anyio.fail_after(20):
            while (state := await get_task(third.session, created.task_id)).status == "working":
                await anyio.sleep(0.2)
    assert asked.status == "input_required"
    assert state.status == "completed", state
    assert state.result is not None
    assert "CSV spreadsheet" in state.result["structuredContent"]["text"]


async def test_a_broken_stream_does_not_end_the_task_before_the_run(
    open_server: Open, simulator: Any
) -> None:
    simulator.faults.drop_stream_after(10)  # after ~1.5 s: the task exists, the run goes on
    tasks = TasksClient()
    async with open_server(extensions=[tasks]) as client:
        result = await client.call_tool("slow_agent", {"message": "seconds=3"})
    assert len(tasks.created) == 1
    assert data(result)["status"] == "completed", data(result)
    assert data(result)["text"] == "Done thinking after 3 seconds: seconds=3"
