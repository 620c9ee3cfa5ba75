"""The agent list is re-read after WXO_AGENTS_TTL, and clients hear when the tools changed."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp.types import ToolListChangedNotification

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def _is_list_changed(message: Any) -> bool:
    inner = getattr(message, "root", message)
    return isinstance(inner, ToolListChangedNotification)


async def _tool_names(client: Any) -> set[str]:
    return {t.name for t in (await client.list_tools(cache_mode="bypass")).tools}


@pytest.mark.parametrize("mode", ["legacy"])
async def test_legacy_client_gets_list_changed_within_the_request(connect, simulator):
    heard = anyio.Event()

    async def on_message(message: Any) -> None:
        if _is_list_changed(message):
            heard.set()

    async with connect(env={"WXO_AGENTS_TTL": "0.3"}, message_handler=on_message) as client:
        assert client.server_capabilities.tools is not None
        assert client.server_capabilities.tools.list_changed is True
        before = await _tool_names(client)
        assert "late_agent" not in before
        simulator.add_agent("late_agent")
        await anyio.sleep(0.4)
        after = await _tool_names(client)
        assert "late_agent" in after
        with anyio.fail_after(5):
            await heard.wait()
        # the new tool works at once
        result = await client.call_tool("late_agent", {"message": "hi"})
        assert not result.is_error


@pytest.mark.parametrize("mode", ["auto"])
async def test_modern_client_gets_list_changed_through_its_subscription(connect, simulator):
    async with connect(env={"WXO_AGENTS_TTL": "0.3"}) as client:
        assert client.protocol_version == "2026-07-28"
        assert "late_agent" not in await _tool_names(client)
        async with client.listen(tools_list_changed=True) as subscription:
            simulator.add_agent("late_agent")
            await anyio.sleep(0.4)
            assert "late_agent" in await _tool_names(client)
            with anyio.fail_after(5):
                event = await subscription.__anext__()
        assert type(event).__name__ == "ToolsListChanged"


@pytest.mark.parametrize("mode", ["legacy"])
async def test_no_notification_when_nothing_changed(connect):
    notes: list[Any] = []

    async def on_message(message: Any) -> None:
        notes.append(message)

    async with connect(env={"WXO_AGENTS_TTL": "0.2"}, message_handler=on_message) as client:
        first = await _tool_names(client)
        await anyio.sleep(0.3)
        assert await _tool_names(client) == first
    assert not any(_is_list_changed(n) for n in notes)
