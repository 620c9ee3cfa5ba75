"""The MCP face of wxo-mcp: wires the bridge's tools and resources to an ``MCPServer``.

No logic of its own lives here. Tools are listed and called through overrides of
``MCPServer.list_tools`` / ``call_tool`` because the agent tools are only known at run time and
change; resources use the SDK's decorators. A small middleware re-reads the agent list when it is
stale and tells clients when the tools changed: within the request for handshake-era (2025)
clients, through the subscription bus for 2026-era clients.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
from mcp.server import MCPServer, NotificationOptions
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.server.request_state import RequestStateSecurity
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    PromptsListChanged,
    ServerEvent,
    ToolsListChanged,
)
from mcp.types import (
    CallToolResult,
    ElicitResult,
    GetPromptResult,
    InputRequiredResult,
    Prompt,
    Tool,
)
from mcp_types.methods import validate_client_request
from mcp_types.version import MODERN_PROTOCOL_VERSIONS, is_version_at_least

from wxo_mcp import __version__
from wxo_mcp.api import OrchestrateClient
from wxo_mcp.auth import make_token_provider
from wxo_mcp.bridge.arguments import is_valid_id
from wxo_mcp.bridge.cards import AgentCards
from wxo_mcp.bridge.choices import ChoiceChannel
from wxo_mcp.bridge.prompts import AgentPrompts
from wxo_mcp.bridge.service import Bridge
from wxo_mcp.bridge.tasks import TaskBook, with_task_support
from wxo_mcp.config import Settings
from wxo_mcp.config.serving import read_state_keys
from wxo_mcp.errors import InvalidArgument, NotFound, WxoError
from wxo_mcp.stdio import claim_stdout, wire_reader, wire_writer
from wxo_mcp.task_extension import (
    LEGACY_TASK_VERSIONS,
    TasksExtension,
    advertise_legacy_tasks,
)

__all__ = ["WxoServer", "build_server"]

log = logging.getLogger(__name__)

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
        self._bus = InMemorySubscriptionBus()
        self._bridge: Bridge | None = None
        self._prompts: AgentPrompts | None = None
        self._cards: AgentCards | None = None
        self._tasks: TaskBook | None = None
        tasks = TasksExtension(lambda: self._tasks)
        keys = read_state_keys(settings)  # one key for all replicas; None: random per process
        self._keys = keys
        super().__init__(
            name="wxo-mcp",
            title="watsonx Orchestrate",
            version=__version__,
            instructions=INSTRUCTIONS,
            lifespan=_lifespan,
            subscriptions=self._bus,
            # Outermost first: the prebuilt tools/list answer comes last, after every refresh.
            middleware=[
                self._refresh_tools,
                self._refresh_prompts,
                tasks.legacy_task_call,
                self._prebuilt_tools_list,
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
        self._register_resources()
        self._register_agent_resources()

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
        if self._bridge is None:
            raise RuntimeError("the bridge exists only while the server runs")
        return self._bridge

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

            choices = _choice_channel(ctx)

        return await self.bridge.call_with_choices(name, arguments, progress, choices)

    async def _refresh_tools(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        bridge = self._bridge
        if ctx.method in _CATALOG_METHODS and bridge is not None and bridge.catalog.stale:
            _, changed = await bridge.tool_dicts()
            if changed:
                await self._announce_tools_changed(ctx)
        return await call_next(ctx)

    async def _prebuilt_tools_list(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Answer a handshake-era tools/list with the bridge's prebuilt tool dicts (see
        ``_prebuilt_list_fits``); anything else goes on to the SDK."""
        bridge = self._bridge
        if ctx.method == "tools/list" and bridge is not None and _prebuilt_list_fits(ctx):
            tools, _ = await bridge.tool_dicts()
            if ctx.protocol_version in LEGACY_TASK_VERSIONS:
                tools = with_task_support(tools)
            return {"tools": tools}
        return await call_next(ctx)

    async def _announce_tools_changed(self, ctx: ServerRequestContext[Any, Any]) -> None:
        await self._announce(ctx, ToolsListChanged(), ctx.session.send_tool_list_changed)

    async def _announce(
        self,
        ctx: ServerRequestContext[Any, Any],
        event: ServerEvent,
        send_legacy: Callable[[], Awaitable[None]],
    ) -> None:
        """To 2026-era listeners through the bus; to a 2025-era client within its request."""
        await self._bus.publish(event)
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            try:
                await send_legacy()
            except Exception:  # the client may be gone; the next list request tells it anyway
                log.debug("could not send %s", type(event).__name__, exc_info=True)

    # -- agents' starter prompts and agent cards (bridge/prompts.py, bridge/cards.py) ---------

    async def list_prompts(self) -> list[Prompt]:
        return await _running(self._prompts).listing()

    async def get_prompt(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        context: Context[dict[str, Any], Any] | None = None,
    ) -> GetPromptResult:
        return await _running(self._prompts).get(name)

    async def _refresh_prompts(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Tell clients when the prompts changed; offer the prompts capability only with some
        prompt to offer (which takes reading the agent list at the handshake, bounded)."""
        prompts = self._prompts
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

    def _register_agent_resources(self) -> None:
        @self.resource(
            "orchestrate://agents",
            name="list_agents",
            title="Orchestrate agents",
            description=(
                "A card for each agent on offer: name, display_name, description, the tool "
                "that asks it, its tools' and collaborators' names, llm, style, starter prompts."
            ),
            mime_type="application/json",
        )
        async def list_agents() -> str:
            return await _resource(_running(self._cards).listing())

        @self.resource(
            "orchestrate://agents/{name}",
            name="get_agent",
            title="An Orchestrate agent",
            description="One agent's card (see orchestrate://agents), by the agent's name.",
            mime_type="application/json",
        )
        async def get_agent(name: str) -> str:
            return await _resource(_running(self._cards).card(name))

    def _register_resources(self) -> None:
        @self.resource(
            "orchestrate://runs",
            name="list_runs",
            title="Recent Orchestrate runs",
            description=(
                "The 20 most recent runs as Orchestrate lists them: {total, limit, offset, data}."
            ),
            mime_type="application/json",
        )
        async def list_runs() -> str:
            return await _resource(self.bridge.runs_page())

        @self.resource(
            "orchestrate://runs/{run_id}",
            name="get_run",
            title="An Orchestrate run",
            description="A run's outcome: {text, status, ...the run object}.",
            mime_type="application/json",
        )
        async def get_run(run_id: str) -> str:
            _check_id(run_id, "run")
            return await _resource(self.bridge.run_document(run_id))

        @self.resource(
            "orchestrate://threads/{thread_id}",
            name="get_thread",
            title="An Orchestrate thread",
            description="A conversation's messages, oldest first.",
            mime_type="application/json",
        )
        async def get_thread(thread_id: str) -> str:
            _check_id(thread_id, "thread")
            return await _resource(self.bridge.thread_document(thread_id))


_INPUT_REQUIRED_VERSION = "2026-07-28"
_Part = TypeVar("_Part")
#: Requests that may re-read a stale agent list (and so change tools and prompts).
_CATALOG_METHODS = frozenset(
    {"tools/list", "tools/call", "prompts/list", "prompts/get", "resources/read"}
)
#: How long the handshake waits for the agent list to decide on the prompts capability.
_HANDSHAKE_READ_SECONDS = 5.0


def _running(part: _Part | None) -> _Part:
    """A part the lifespan makes (prompts, cards), which exists only while the server runs."""
    if part is None:
        raise RuntimeError("the prompts and agent cards exist only while the server runs")
    return part


def _without_prompts_capability(result: HandlerResult) -> HandlerResult:
    """An initialize or discover result that does not claim prompts (none to offer)."""
    if not isinstance(result, dict) or not isinstance(result.get("capabilities"), dict):
        return result
    capabilities = {k: v for k, v in result["capabilities"].items() if k != "prompts"}
    return {**result, "capabilities": capabilities}


def _prebuilt_list_fits(ctx: ServerRequestContext[Any, Any]) -> bool:
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


def _choice_channel(ctx: Context[dict[str, Any], Any]) -> ChoiceChannel | None:
    """How this call can ask the user to pick an option: only if the client does form
    elicitation; 2026-era calls with an input-required result, older ones mid-call."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return None
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return ChoiceChannel(
            input_required=True, responses=ctx.input_responses, state=ctx.request_state
        )
    session = ctx.session
    if not session.can_send_request:
        return None
    request_id = ctx.request_id

    async def push(message: str, schema: dict[str, Any]) -> ElicitResult:
        answer: ElicitResult = await session.elicit_form(
            message, schema, related_request_id=request_id
        )
        return answer

    return ChoiceChannel(push=push)


def _check_id(value: str, kind: str) -> None:
    if not is_valid_id(value):
        raise ResourceNotFoundError(f"{value[:80]!r} is not a valid Orchestrate {kind} id.")


async def _resource(pending: Any) -> str:
    """Await a resource read, turning our errors into the SDK's resource errors."""
    try:
        text: str = await pending
    except (NotFound, InvalidArgument) as exc:  # both -32602: the URI names nothing usable
        raise ResourceNotFoundError(str(exc)) from exc
    except WxoError as exc:
        raise ResourceError(str(exc)) from exc
    return text


@asynccontextmanager
async def _lifespan(server: MCPServer[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """Open the Orchestrate client and the run task group for the life of the server."""
    assert isinstance(server, WxoServer)
    provider = make_token_provider(server.wxo_settings)
    async with (
        OrchestrateClient(
            server.wxo_settings, provider, read_timeout=server.wxo_settings.read_timeout
        ) as client,
        anyio.create_task_group() as tg,
    ):
        server._bridge = Bridge(server.wxo_settings, client, tg)
        server._prompts = AgentPrompts(server._bridge)
        server._cards = AgentCards(server._bridge, server._prompts)
        server._tasks = TaskBook(server._bridge, _task_secret(server.wxo_settings, server._keys))
        try:
            yield {"bridge": server._bridge}
        finally:
            tg.cancel_scope.cancel()
            server._bridge = server._prompts = server._cards = server._tasks = None


def _task_secret(settings: Settings, state_keys: list[str] | None) -> bytes:
    """What seals task ids, the same on every replica of one deployment: the state key (its
    newest key when rotating), else the client token. Neither (stdio, or HTTP open to anyone):
    a fixed key, so a task id still resolves after a restart; whoever may call may poll."""
    if state_keys:
        return state_keys[0].encode()
    return settings.mcp_token.get_secret_value().encode() if settings.mcp_token else b""


def build_server(settings: Settings) -> WxoServer:
    return WxoServer(settings)
