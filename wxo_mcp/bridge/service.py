"""The bridge: what each MCP tool and resource does, in terms of Orchestrate.

Everything here speaks our own types (settings, the Orchestrate client, run results); the MCP
server only wires these methods to the protocol. No failure of Orchestrate escapes as an
exception: each becomes a result that says what happened and what to do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.abc import TaskGroup
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool

from wxo_mcp.api import OrchestrateClient
from wxo_mcp.bridge.agent_runs import AgentRuns
from wxo_mcp.bridge.arguments import ArgumentError, check_arguments
from wxo_mcp.bridge.cancel import cancel_run
from wxo_mcp.bridge.catalog import AgentCatalog, AgentTool, CatalogView
from wxo_mcp.bridge.choices import ChoiceChannel
from wxo_mcp.bridge.lookup import RunLookup
from wxo_mcp.bridge.outcomes import message_of_run, result_from_run
from wxo_mcp.bridge.progress import ProgressSender
from wxo_mcp.bridge.results import (
    RunResult,
    capped,
    json_result,
    to_call_result,
)
from wxo_mcp.bridge.runs import RunRegistry
from wxo_mcp.bridge.tools import (
    AGENT_PARAMS,
    ASK_PARAMS,
    CANCEL_RUN_PARAMS,
    GENERIC_TOOLS,
    GET_RUN_PARAMS,
    ToolDict,
    agent_tool,
    generic_tools,
)
from wxo_mcp.bridge.unknown import unknown_agent
from wxo_mcp.config import Settings
from wxo_mcp.errors import WxoError

__all__ = ["AgentCall", "Bridge"]

log = logging.getLogger(__name__)


class Bridge:
    def __init__(self, settings: Settings, client: OrchestrateClient, task_group: TaskGroup):
        self.settings = settings
        self.client = client
        self.registry = RunRegistry(client, task_group, settings.max_result_chars)
        self.lookup = RunLookup(client, self.registry, self._agent_name)
        self.agent_runs = AgentRuns(settings, client, self.registry, task_group, self.run_status)
        self.catalog = AgentCatalog(
            client,
            list(settings.agents),
            settings.agents_ttl,
            frozenset(GENERIC_TOOLS),
            environment=settings.agent_environment,
        )
        self._warned_too_many = False
        # The tools built for the last catalog view, in wire form and (only when asked for) as
        # SDK models: tools/list is answered from here until the view changes.
        self._built: tuple[CatalogView, list[ToolDict]] | None = None
        self._models: tuple[CatalogView, list[Tool]] | None = None

    # -- tool listing -------------------------------------------------------------------------

    @property
    def generic_enabled(self) -> bool:
        return "generic" in self.settings.tools

    def _agent_tools_offered(self, view: CatalogView) -> tuple[AgentTool, ...]:
        if "agents" not in self.settings.tools:
            return ()
        if len(view.tools) > self.settings.max_agent_tools:
            if not self._warned_too_many:
                self._warned_too_many = True
                log.warning(
                    "%d agents exceed WXO_MAX_AGENT_TOOLS=%d: offering only the generic tools "
                    "(list_agents, ask_agent, get_run, cancel_run). Narrow WXO_AGENTS or raise "
                    "the limit.",
                    len(view.tools),
                    self.settings.max_agent_tools,
                )
            return ()
        return view.tools

    async def tool_dicts(self) -> tuple[list[ToolDict], bool]:
        """The tools to list now in their wire form (shared: do not modify them), and whether
        they changed since the last reading."""
        view, changed = await self.catalog.view()
        if self._built is None or self._built[0] is not view:
            tools = [agent_tool(t) for t in self._agent_tools_offered(view)]
            if self.generic_enabled:
                tools.extend(generic_tools(self.settings.tool_deadline))
            self._built = (view, tools)
        return list(self._built[1]), changed

    async def tools(self) -> tuple[list[Tool], bool]:
        """The same tools as SDK models (for the SDK's own tools/list path and the CLI)."""
        dicts, changed = await self.tool_dicts()
        assert self._built is not None
        view = self._built[0]
        if self._models is None or self._models[0] is not view:
            self._models = (view, [Tool.model_validate(d) for d in dicts])
        return list(self._models[1]), changed

    # -- tool calls ---------------------------------------------------------------------------

    async def call(
        self, name: str, arguments: Mapping[str, Any] | None, progress: ProgressSender | None
    ) -> CallToolResult:
        """Run one tool call; an agent's choice comes back in its text form."""
        result = await self.call_with_choices(name, arguments, progress, None)
        assert isinstance(result, CallToolResult)  # only a ChoiceChannel can ask the user
        return result

    async def call_with_choices(
        self,
        name: str,
        arguments: Mapping[str, Any] | None,
        progress: ProgressSender | None,
        choices: ChoiceChannel | None,
    ) -> CallToolResult | InputRequiredResult:
        """Run one tool call; ``choices`` says how an option reply can be put to the user."""
        view, _ = await self.catalog.view()
        if self.generic_enabled and name == "list_agents":
            return self._list_agents(view, arguments)
        if self.generic_enabled and name == "get_run":
            return await self._get_run_tool(arguments, progress)
        if self.generic_enabled and name == "cancel_run":
            return await self._cancel_run_tool(arguments)
        call = await self.agent_call(view, name, arguments)
        if not isinstance(call, AgentCall):
            return call
        return await self.agent_runs.run_agent(
            call.item,
            call.message,
            call.thread_id,
            progress,
            name,
            include_steps=call.include_steps,
            choices=choices,
        )

    async def agent_call(
        self, view: CatalogView, name: str, arguments: Mapping[str, Any] | None
    ) -> AgentCall | CallToolResult:
        """What a call of an agent tool or ``ask_agent`` asks, or the result that says why not."""
        if self.generic_enabled and name == "ask_agent":
            return await self._ask_agent(view, arguments)
        item = (
            view.by_tool(name)
            if name in {t.tool for t in self._agent_tools_offered(view)}
            else None
        )
        if item is None:
            return self._unknown_tool(name, view)
        try:
            args = check_arguments(name, arguments, AGENT_PARAMS)
        except ArgumentError as exc:
            return self._failure(str(exc), name, agent=item.agent.name)
        return AgentCall.of(item, args)

    def _unknown_tool(self, name: str, view: CatalogView) -> CallToolResult:
        hint = " Call list_agents to see the agents." if self.generic_enabled else ""
        problem = f" ({view.error})" if view.error else ""
        return self._failure(f"There is no tool named {name[:80]!r}{problem}.{hint}", name)

    def _failure(self, error: str, tool: str, agent: str | None = None) -> CallToolResult:
        result = RunResult(
            text="", thread_id=None, run_id=None, agent=agent, status="failed", error=error
        )
        return to_call_result(result, tool, get_run_tool=self.generic_enabled)

    def _list_agents(
        self, view: CatalogView, arguments: Mapping[str, Any] | None
    ) -> CallToolResult:
        if arguments:
            return self._failure(
                "Invalid arguments for list_agents: it takes no arguments.", "list_agents"
            )
        offered = {t.tool for t in self._agent_tools_offered(view)}
        agents = [
            {
                "name": t.agent.name,
                "tool": t.tool if t.tool in offered else "ask_agent",
                "display_name": t.agent.display_name or t.agent.name,
                "description": t.agent.description or "",
            }
            for t in view.tools
        ]
        if view.error is not None and not agents:
            return CallToolResult(
                content=[TextContent(type="text", text=str(view.error))],
                structured_content={"agents": [], "error": str(view.error)},
                is_error=True,
            )
        return json_result(agents, {"agents": agents})

    async def _ask_agent(
        self, view: CatalogView, arguments: Mapping[str, Any] | None
    ) -> AgentCall | CallToolResult:
        try:
            args = check_arguments("ask_agent", arguments, ASK_PARAMS)
        except ArgumentError as exc:
            return self._failure(str(exc), "ask_agent")
        item = view.find(args["agent"].strip())
        if item is None:
            if view.error is not None:
                return self._failure(str(view.error), "ask_agent")
            ref = args["agent"].strip()
            why = await unknown_agent(self.client, self.settings.agents, view, ref)
            return self._failure(why, "ask_agent")
        return AgentCall.of(item, args)

    def shape(self, result: RunResult, tool: str, include_steps: bool = False) -> CallToolResult:
        """A run result as a tool result (capped to WXO_MAX_RESULT_CHARS)."""
        return self.agent_runs.shape(result, tool, include_steps)

    async def _get_run_tool(
        self, arguments: Mapping[str, Any] | None, progress: ProgressSender | None
    ) -> CallToolResult:
        try:
            args = check_arguments("get_run", arguments, GET_RUN_PARAMS)
        except ArgumentError as exc:
            return self._failure(str(exc), "get_run")
        deadline = self.settings.tool_deadline
        wait = min(args.get("wait_seconds", 0.0), deadline)
        result = None
        # Reads of Orchestrate retry with pauses: the whole call still keeps to the deadline.
        with anyio.move_on_after(max(deadline, wait + 1.0)):
            result = await self.run_status(args["run_id"], wait, progress if wait > 0 else None)
        if result is None:
            run_id = args["run_id"]
            result = RunResult(
                text="",
                thread_id=None,
                run_id=run_id,
                agent=None,
                status="interrupted",
                error=(
                    f"Orchestrate did not answer about run {run_id} within the {deadline:g} s "
                    f'deadline; call get_run with run_id "{run_id}" again later.'
                ),
            )
        return self.shape(result, "get_run")

    async def _cancel_run_tool(self, arguments: Mapping[str, Any] | None) -> CallToolResult:
        try:
            args = check_arguments("cancel_run", arguments, CANCEL_RUN_PARAMS)
        except ArgumentError as exc:
            return self._failure(str(exc), "cancel_run")
        return await self.cancel_run(args["run_id"], "cancel_run")

    async def cancel_run(self, run_id: str, tool: str) -> CallToolResult:
        """Cancel a run in Orchestrate; the usual result, ``status: "cancelled"`` when it worked."""
        result, problem = await cancel_run(
            self.client, self.registry.get(run_id), run_id, self.run_status
        )
        shaped = self.shape(result, tool)
        if problem is None and result.status == "cancelled":
            shaped.is_error = False  # the cancel the caller asked for happened
        return shaped

    async def run_status(
        self, run_id: str, wait: float = 0.0, progress: ProgressSender | None = None
    ) -> RunResult:
        """The bridge's own record first, then Orchestrate (event replay, ``GET /runs/{id}``)."""
        return await self.lookup.run_status(run_id, wait, progress)

    def _agent_name(self, agent_id: object) -> str | None:
        view = self.catalog.last_view
        if view is None or not isinstance(agent_id, str):
            return None
        item = view.find(agent_id)
        return item.agent.name if item else None

    # -- resources ----------------------------------------------------------------------------

    async def runs_page(self) -> str:
        return json.dumps(await self.client.list_runs(limit=20, offset=0), ensure_ascii=False)

    async def run_document(self, run_id: str) -> str:
        """``{text, status, ...the run object}``: our own record first.

        Raises the client's error (NotFound for an unknown run) when neither we nor Orchestrate
        know the run; a failed run is a document like any other.
        """
        handle = self.registry.get(run_id)
        try:
            run = await self.client.get_run(run_id)
        except WxoError:
            if handle is None:
                raise
            log.debug("run %s not readable upstream; our record stands", run_id)
            run = {}
        if handle is not None and (
            not run or not (handle.done.is_set() and handle.status == "running")
        ):
            result = handle.result()
        else:
            agent = self._agent_name(run.get("agent_id"))
            result = await self.lookup.flow_outcome(run, result_from_run(run, agent))
        result = capped(result, self.settings.max_result_chars)
        # The answer once: in `text`; the run object's copy of the final message is left out.
        upstream = {k: v for k, v in run.items() if k != "result" or message_of_run(run) is None}
        document = {**upstream, **result.structured(), "status": result.status}
        return json.dumps(document, ensure_ascii=False)

    async def thread_document(self, thread_id: str) -> str:
        return json.dumps(await self.client.thread_messages(thread_id), ensure_ascii=False)


@dataclass(frozen=True)
class AgentCall:
    """A checked call of an agent: which agent, and what to send it."""

    item: AgentTool
    message: str
    thread_id: str | None
    include_steps: bool

    @classmethod
    def of(cls, item: AgentTool, args: Mapping[str, Any]) -> AgentCall:
        return cls(item, args["message"], args.get("thread_id"), args.get("include_steps", False))
