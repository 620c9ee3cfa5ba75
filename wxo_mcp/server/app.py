"""The ``MCPServer`` of wxo-mcp: the bridge's tools, prompts, resources and tasks, registered.

Tools are listed and called through overrides of ``MCPServer.list_tools`` / ``call_tool``
because the agent tools are only known at run time and change; prompts likewise; resources use
the SDK's decorator (``resources.py``). Middleware keeps the lists current (``list_changes.py``)
and gives 2025-11-25 clients their tasks (``tasks.py``). The bridge and its companions live for
one run of the server (the lifespan).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server import MCPServer, NotificationOptions
from mcp.server.mcpserver import Context
from mcp.server.request_state import RequestStateSecurity
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.types import CallToolResult, GetPromptResult, InputRequiredResult, Prompt, Tool

from wxo_mcp import __version__
from wxo_mcp.api import OrchestrateClient
from wxo_mcp.auth import make_token_provider
from wxo_mcp.bridge.cards import AgentCards
from wxo_mcp.bridge.prompts import AgentPrompts
from wxo_mcp.bridge.service import Bridge
from wxo_mcp.bridge.task_ids import task_secret
from wxo_mcp.bridge.tasks import TaskBook
from wxo_mcp.config import Settings
from wxo_mcp.config.serving import read_state_keys
from wxo_mcp.server.elicitation import choice_channel
from wxo_mcp.server.list_changes import ListChanges
from wxo_mcp.server.resources import ResourceReaders, register_resources, running
from wxo_mcp.server.tasks import TasksExtension, advertise_legacy_tasks
from wxo_mcp.stdio import claim_stdout, wire_reader, wire_writer

__all__ = ["WxoServer", "build_server"]

INSTRUCTIONS = (
    "Tools here ask IBM watsonx Orchestrate agents. Each result carries a thread_id: pass it on "
    "the next call to continue the same conversation. A result with status 'running' means the "
    "agent is still working: call get_run with its run_id later. To stop it, call cancel_run "
    "with that run_id."
)


class WxoServer(MCPServer[dict[str, Any]]):
    """An MCPServer whose tools come from the bridge."""

    def __init__(self, settings: Settings) -> None:
        self.wxo_settings = settings
        self._bridge: Bridge | None = None
        self._prompts: AgentPrompts | None = None
        self._cards: AgentCards | None = None
        self._tasks: TaskBook | None = None
        bus = InMemorySubscriptionBus()
        lists = ListChanges(bus, lambda: self._bridge, lambda: self._prompts)
        tasks = TasksExtension(lambda: self._tasks)
        keys = read_state_keys(settings)  # one key for all replicas; None: random per process
        self._keys = keys
        super().__init__(
            name="wxo-mcp",
            title="watsonx Orchestrate",
            version=__version__,
            instructions=INSTRUCTIONS,
            lifespan=_lifespan,
            subscriptions=bus,
            # Outermost first: the prebuilt tools/list answer comes last, after every refresh.
            middleware=[
                lists.refresh_tools,
                lists.refresh_prompts,
                tasks.legacy_task_call,
                lists.prebuilt_tools_list,
            ],
            extensions=[tasks],
            log_level=settings.log_level,  # type: ignore[arg-type]
            request_state_security=RequestStateSecurity(keys=keys) if keys else None,
        )
        # MCPServer's transports call create_initialization_options() without arguments, which
        # advertises tools.listChanged=false to handshake-era clients; we do send that
        # notification (and prompts/list_changed), so say so; and that 2025-11-25 clients may
        # ask for tasks.
        lowlevel = self._lowlevel_server
        initialization_options = functools.partial(
            lowlevel.create_initialization_options,
            NotificationOptions(tools_changed=True, prompts_changed=True),
        )
        lowlevel.create_initialization_options = (  # type: ignore[method-assign]
            lambda *_, **__: advertise_legacy_tasks(initialization_options())
        )
        register_resources(self, ResourceReaders(lambda: self._bridge, lambda: self._cards))

    async def run_stdio_async(self) -> None:
        """Serve over stdio on private copies of stdin and stdout, so nothing else can reach the
        wire, read and written by the event loop itself (see wxo_mcp.stdio)."""
        wire_in = wire_reader()
        wire_out = wire_writer(claim_stdout())
        try:
            async with stdio_server(stdin=wire_in, stdout=wire_out) as (read_stream, write_stream):
                lowlevel = self._lowlevel_server
                await lowlevel.run(
                    read_stream, write_stream, lowlevel.create_initialization_options()
                )
        finally:
            for end in (wire_in, wire_out):
                restore = getattr(end, "restore", None)
                if restore is not None:
                    restore()

    @property
    def bridge(self) -> Bridge:
        return running(self._bridge)

    async def list_tools(self) -> list[Tool]:
        tools, _ = await self.bridge.tools()
        return tools

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any],
        context: Context[dict[str, Any], Any] | None = None,
    ) -> CallToolResult | InputRequiredResult:
        progress = None
        choices = None
        if context is not None:
            ctx = context

            async def progress(value: float, message: str) -> None:
                await ctx.report_progress(value, None, message)

            choices = choice_channel(ctx)

        return await self.bridge.call_with_choices(name, arguments, progress, choices)

    # -- agents' starter prompts (bridge/prompts.py) ------------------------------------------

    async def list_prompts(self) -> list[Prompt]:
        return await running(self._prompts).listing()

    async def get_prompt(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        context: Context[dict[str, Any], Any] | None = None,
    ) -> GetPromptResult:
        return await running(self._prompts).get(name)


@asynccontextmanager
async def _lifespan(server: MCPServer[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """Open the Orchestrate client and the run task group for the life of the server."""
    assert isinstance(server, WxoServer)
    settings = server.wxo_settings
    provider = make_token_provider(settings)
    async with (
        OrchestrateClient(settings, provider, read_timeout=settings.read_timeout) as client,
        anyio.create_task_group() as tg,
    ):
        server._bridge = Bridge(settings, client, tg)
        server._prompts = AgentPrompts(server._bridge)
        server._cards = AgentCards(server._bridge, server._prompts)
        server._tasks = TaskBook(server._bridge, task_secret(settings, server._keys))
        try:
            yield {"bridge": server._bridge}
        finally:
            tg.cancel_scope.cancel()
            server._bridge = server._prompts = server._cards = server._tasks = None


def build_server(settings: Settings) -> WxoServer:
    return WxoServer(settings)
