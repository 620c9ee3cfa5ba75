"""Keeping clients' tool and prompt lists current, as middleware around the SDK's handlers.

The agent list is re-read when stale by any request that shows or uses tools or prompts; when
it changed, clients are told: 2026-era listeners through the subscription bus, a handshake-era
(2025) client within its own request. The prompts capability is offered only with some prompt to
offer. A handshake-era ``tools/list`` is answered with the bridge's prebuilt tool dicts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    PromptsListChanged,
    ServerEvent,
    ToolsListChanged,
)
from mcp_types.methods import validate_client_request
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from wxo_mcp.bridge.prompts import AgentPrompts
from wxo_mcp.bridge.service import Bridge
from wxo_mcp.bridge.tasks import with_task_support
from wxo_mcp.server.tasks import LEGACY_TASK_VERSIONS

__all__ = ["ListChanges"]

log = logging.getLogger(__name__)

#: Requests that may re-read a stale agent list (and so change tools and prompts).
_CATALOG_METHODS = frozenset(
    {"tools/list", "tools/call", "prompts/list", "prompts/get", "resources/read"}
)
#: How long the handshake waits for the agent list to decide on the prompts capability.
_HANDSHAKE_READ_SECONDS = 5.0

_Context = ServerRequestContext[Any, Any]


class ListChanges:
    """The middlewares; the bridge and prompts are looked up per request (they live per run)."""

    def __init__(
        self,
        bus: InMemorySubscriptionBus,
        bridge: Callable[[], Bridge | None],
        prompts: Callable[[], AgentPrompts | None],
    ) -> None:
        self._bus = bus
        self._bridge = bridge
        self._prompts = prompts

    async def refresh_tools(self, ctx: _Context, call_next: CallNext) -> HandlerResult:
        bridge = self._bridge()
        if ctx.method in _CATALOG_METHODS and bridge is not None and bridge.catalog.stale:
            _, changed = await bridge.tool_dicts()
            if changed:
                await self._announce(ctx, ToolsListChanged(), ctx.session.send_tool_list_changed)
        return await call_next(ctx)

    async def refresh_prompts(self, ctx: _Context, call_next: CallNext) -> HandlerResult:
        """Tell clients when the prompts changed; offer the prompts capability only with some
        prompt to offer (which takes reading the agent list at the handshake, bounded)."""
        prompts = self._prompts()
        if prompts is None:
            return await call_next(ctx)
        if ctx.method in ("initialize", "server/discover"):
            with anyio.move_on_after(_HANDSHAKE_READ_SECONDS):
                await prompts.changed()
            result = await call_next(ctx)
            return result if prompts.known() else _without_prompts_capability(result)
        if ctx.method in _CATALOG_METHODS and await prompts.changed():
            await self._announce(ctx, PromptsListChanged(), ctx.session.send_prompt_list_changed)
        return await call_next(ctx)

    async def prebuilt_tools_list(self, ctx: _Context, call_next: CallNext) -> HandlerResult:
        """Answer a handshake-era tools/list with the bridge's prebuilt tool dicts (see
        ``_prebuilt_list_fits``); anything else goes on to the SDK."""
        bridge = self._bridge()
        if ctx.method == "tools/list" and bridge is not None and _prebuilt_list_fits(ctx):
            tools, _ = await bridge.tool_dicts()
            if ctx.protocol_version in LEGACY_TASK_VERSIONS:
                tools = with_task_support(tools)
            return {"tools": tools}
        return await call_next(ctx)

    async def _announce(
        self, ctx: _Context, event: ServerEvent, send_legacy: Callable[[], Awaitable[None]]
    ) -> None:
        """To 2026-era listeners through the bus; to a 2025-era client within its request."""
        await self._bus.publish(event)
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            try:
                await send_legacy()
            except Exception:  # the client may be gone; the next list request tells it anyway
                log.debug("could not send %s", type(event).__name__, exc_info=True)


def _without_prompts_capability(result: HandlerResult) -> HandlerResult:
    """An initialize or discover result that does not claim prompts (none to offer)."""
    if not isinstance(result, dict) or not isinstance(result.get("capabilities"), dict):
        return result
    capabilities = {k: v for k, v in result["capabilities"].items() if k != "prompts"}
    return {**result, "capabilities": capabilities}


def _prebuilt_list_fits(ctx: _Context) -> bool:
    """Whether a tools/list may be answered with the bridge's prebuilt tool dicts.

    The SDK would dump every tool, validate the list against the request's protocol version and
    dump it again: ~250 ms and ~30 MB for 1,000 agents, for the same dicts (the handshake era's
    wire form of a result is exactly its ``tools``; tests/e2e/test_tools_wire.py compares the two
    for every tool). Only for an initialized handshake-era session with well-formed parameters:
    anything else (a 2026-era request, whose result the SDK stamps, or an error to report) takes
    the SDK's own path.
    """
    version = ctx.protocol_version
    if version in MODERN_PROTOCOL_VERSIONS or ctx.session.client_params is None:
        return False
    try:
        validate_client_request("tools/list", version, ctx.params)
    except (ValueError, KeyError):  # pydantic's ValidationError is a ValueError
        return False
    return True
