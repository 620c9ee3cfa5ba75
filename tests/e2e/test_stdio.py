"""End to end: a real MCP client spawns ``wxo-mcp`` over stdio against the simulator.

Every test runs in both protocol eras (the ``mode`` fixture).
"""

from __future__ import annotations

import json
import socket

import anyio
import pytest
from mcp import MCPError
from mcp.types import TextResourceContents

from tests.helpers import AGENT_TOOLS, data, text

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_tool_list_and_schemas(connect):
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert AGENT_TOOLS | {"list_agents", "ask_agent", "get_run"} <= set(tools)
    assert "hidden_agent" not in tools
    echo = tools["echo_agent"]
    assert echo.input_schema["required"] == ["message"]
    assert set(echo.input_schema["properties"]) == {"message", "thread_id", "include_steps"}
    assert echo.input_schema["additionalProperties"] is False
    assert "thread_id" in (echo.description or "")
    schemas = {
        json.dumps(tools[n].output_schema, sort_keys=True)
        for n in ("echo_agent", "ask_agent", "get_run")
    }
    assert len(schemas) == 1
    assert set(tools["ask_agent"].input_schema["required"]) == {"agent", "message"}


async def test_call_and_continue_the_thread(connect):
    async with connect() as client:
        first = await client.call_tool("echo_agent", {"message": "hello"})
        assert not first.is_error
        one = data(first)
        assert one["status"] == "completed"
        assert one["agent"] == "echo_agent"
        assert "hello" in one["text"] and "turn 1" in one["text"]
        assert one["thread_id"] and one["run_id"]
        assert one["thread_id"] in text(first)
        second = data(
            await client.call_tool(
                "echo_agent", {"message": "again", "thread_id": one["thread_id"]}
            )
        )
        assert second["thread_id"] == one["thread_id"]
        assert "turn 2" in second["text"]
        assert second["run_id"] != one["run_id"]


async def test_ask_agent_and_list_agents(connect):
    async with connect() as client:
        listed = data(await client.call_tool("list_agents", {}))["agents"]
        assert {a["name"] for a in listed} >= AGENT_TOOLS
        assert all(a["tool"] == a["name"] for a in listed if a["name"] in AGENT_TOOLS)
        asked = data(await client.call_tool("ask_agent", {"agent": "echo_agent", "message": "hi"}))
        assert asked["status"] == "completed" and "hi" in asked["text"]
        by_id_agent = next(a for a in listed if a["name"] == "quiet_agent")
        assert by_id_agent["display_name"]


async def test_final_text_comes_from_message_created_not_deltas(connect):
    async with connect() as client:
        result = data(await client.call_tool("quiet_agent", {"message": "hi"}))
    assert result["status"] == "completed"
    assert result["text"].strip() != ""


async def test_failed_run_is_an_error_with_what_is_known(connect):
    async with connect() as client:
        result = await client.call_tool("failing_agent", {"message": "hi"})
    assert result.is_error
    got = data(result)
    assert got["status"] == "failed"
    assert got["run_id"] and got["thread_id"]
    assert got["error"] and "Orchestrate" in got["error"]


async def test_progress_from_run_events(connect):
    seen: list[str] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message or "")

    async with connect() as client:
        result = await client.call_tool(
            "weather_agent", {"message": "Paris?"}, progress_callback=on_progress
        )
        assert data(result)["status"] == "completed"
        assert any("Calling tool get_weather" in m for m in seen), seen
        seen.clear()
        await client.call_tool(
            "slow_agent", {"message": "seconds=0.8"}, progress_callback=on_progress
        )
        # the slow agent emits a step about every 200 ms: several distinct notifications
        assert len(seen) >= 3, seen
        assert seen[-1].startswith("Run completed")


async def test_deadline_returns_a_handle_and_get_run_finishes_it(connect):
    async with connect(env={"WXO_TOOL_DEADLINE": "0.5"}) as client:
        handle = await client.call_tool("slow_agent", {"message": "seconds=1.5"})
        assert not handle.is_error
        first = data(handle)
        assert first["status"] == "running"
        assert first["run_id"] and first["thread_id"]
        assert "get_run" in text(handle)
        running = data(await client.call_tool("get_run", {"run_id": first["run_id"]}))
        assert running["status"] == "running"
        done = data(
            await client.call_tool("get_run", {"run_id": first["run_id"], "wait_seconds": 0.5})
        )
        for _ in range(10):
            if done["status"] != "running":
                break
            done = data(
                await client.call_tool("get_run", {"run_id": first["run_id"], "wait_seconds": 0.5})
            )
        assert done["status"] == "completed"
        assert done["text"]
        contents = (await client.read_resource(f"orchestrate://runs/{first['run_id']}")).contents
        document = json.loads(contents[0].text)
        assert document["status"] == "completed" and document["text"] == done["text"]


async def test_cancellation_closes_the_upstream_stream(connect, simulator):
    async with connect() as client:
        with pytest.raises(MCPError):
            await client.call_tool("slow_agent", {"message": "seconds=5"}, read_timeout_seconds=0.5)
        with anyio.fail_after(5):
            while not simulator.stream_closed.is_set():
                await anyio.sleep(0.05)
        # the server keeps serving
        assert (
            data(await client.call_tool("echo_agent", {"message": "still there?"}))["status"]
            == "completed"
        )


@pytest.mark.parametrize(
    ("tool", "arguments", "fragment"),
    [
        ("echo_agent", {}, "'message' is required"),
        ("echo_agent", {"message": ""}, "'message' must not be empty"),
        ("echo_agent", {"message": "hi", "colour": "red"}, "unknown argument(s) 'colour'"),
        ("echo_agent", {"message": "hi", "thread_id": "../../x"}, "not a valid Orchestrate id"),
        ("ask_agent", {"agent": "nobody", "message": "hi"}, "No agent named 'nobody'"),
        ("ask_agent", {"agent": "hidden_agent", "message": "hi"}, "WXO_AGENTS='*,hidden_agent'"),
        ("get_run", {"run_id": "a/b"}, "not a valid Orchestrate id"),
        ("no_such_tool", {"message": "hi"}, "There is no tool named"),
    ],
)
async def test_bad_input_is_a_clear_error_and_the_server_keeps_serving(
    connect, tool, arguments, fragment
):
    async with connect() as client:
        result = await client.call_tool(tool, arguments)
        assert result.is_error
        assert fragment in text(result)
        again = await client.call_tool("echo_agent", {"message": "ok"})
        assert not again.is_error


async def test_unknown_thread_and_unknown_run(connect):
    async with connect() as client:
        unknown = "00000000-0000-4000-8000-00000000dead"
        result = await client.call_tool("echo_agent", {"message": "hi", "thread_id": unknown})
        assert result.is_error
        assert "thread" in text(result).lower()
        run = await client.call_tool("get_run", {"run_id": unknown})
        assert run.is_error and unknown in text(run)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_bad_token_and_unreachable_orchestrate_are_explained(connect):
    async with connect(env={"WXO_TOKEN": "wrong-token"}) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert {"list_agents", "ask_agent", "get_run"} <= tools
        result = await client.call_tool("ask_agent", {"agent": "echo_agent", "message": "hi"})
        assert result.is_error
        assert "401" in text(result) or "token" in text(result).lower()
        assert "wrong-token" not in text(result)
    async with connect(env={"WXO_URL": f"http://127.0.0.1:{_closed_port()}"}) as client:
        result = await client.call_tool("ask_agent", {"agent": "echo_agent", "message": "hi"})
        assert result.is_error
        assert "reach" in text(result).lower() or "connect" in text(result).lower()


async def test_agent_and_tool_selection(connect):
    async with connect(env={"WXO_AGENTS": "echo_*,weather_agent,!echo_agent_0*"}) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {"echo_agent", "weather_agent", "list_agents", "ask_agent", "get_run"}
    async with connect(env={"WXO_TOOLS": "generic"}) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {"list_agents", "ask_agent", "get_run"}
    async with connect(env={"WXO_TOOLS": "agents", "WXO_AGENTS": "echo_agent"}) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {"echo_agent"}
    async with connect(env={"WXO_MAX_AGENT_TOOLS": "2"}) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {"list_agents", "ask_agent", "get_run"}
        listed = data(await client.call_tool("list_agents", {}))["agents"]
        assert all(a["tool"] == "ask_agent" for a in listed)


async def test_resources(connect):
    async with connect() as client:
        called = data(await client.call_tool("echo_agent", {"message": "for the record"}))
        page = json.loads((await client.read_resource("orchestrate://runs")).contents[0].text)
        assert {"total", "limit", "offset", "data"} <= set(page)
        assert called["run_id"] in {r["id"] for r in page["data"]}
        run = json.loads(
            (await client.read_resource(f"orchestrate://runs/{called['run_id']}")).contents[0].text
        )
        assert run["status"] == "completed" and "for the record" in run["text"]
        thread = (
            await client.read_resource(f"orchestrate://threads/{called['thread_id']}")
        ).contents[0]
        assert isinstance(thread, TextResourceContents)
        messages = json.loads(thread.text)
        assert [m["role"] for m in messages] == ["user", "assistant"]
        with pytest.raises(MCPError):
            await client.read_resource("orchestrate://runs/00000000-0000-4000-8000-00000000dead")
        failed = data(await client.call_tool("failing_agent", {"message": "x"}))
        document = json.loads(
            (await client.read_resource(f"orchestrate://runs/{failed['run_id']}")).contents[0].text
        )
        assert document["status"] == "failed"
        assert document["error"]
    async with connect() as other:  # a server with no record of these runs asks Orchestrate
        document = json.loads(
            (await other.read_resource(f"orchestrate://runs/{failed['run_id']}")).contents[0].text
        )
        assert document["status"] == "failed"
        assert document["last_error"]
        again = json.loads(
            (await other.read_resource(f"orchestrate://runs/{called['run_id']}")).contents[0].text
        )
        assert again["status"] == "completed"
        assert "for the record" in again["text"]
