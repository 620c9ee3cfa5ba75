"""The bridge: what each MCP tool and resource does, in terms of Orchestrate.

Everything here speaks our own types (settings, the Orchestrate client, run results); the MCP
server only wires these methods to the protocol. No failure of Orchestrate escapes as an
exception: each becomes a result that says what happened and what to do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import anyio
from anyio.abc import TaskGroup
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool

from wxo_mcp.api import OrchestrateClient, RunAccumulator
from wxo_mcp.bridge.arguments import ArgumentError, check_arguments
from wxo_mcp.bridge.catalog import AgentCatalog, AgentTool, CatalogView, environment_id
from wxo_mcp.bridge.choices import (
    CHOICE_KEY,
    MAX_CHOICE_ROUNDS,
    ChoiceChannel,
    ChoiceState,
    can_ask,
    choice_prompt,
    chosen,
    input_required,
    option_pairs,
    with_choice_note,
)
from wxo_mcp.bridge.flows import flow_answer
from wxo_mcp.bridge.progress import ProgressRelay, ProgressSender
from wxo_mcp.bridge.results import (
    RunResult,
    capped,
    json_result,
    status_from_orchestrate,
    to_call_result,
)
from wxo_mcp.bridge.runs import (
    RunHandle,
    RunRegistry,
    message_of_run,
    result_from_message,
    result_from_run,
)
from wxo_mcp.bridge.tools import (
    AGENT_PARAMS,
    ASK_PARAMS,
    GENERIC_TOOLS,
    GET_RUN_PARAMS,
    ToolDict,
    agent_tool,
    generic_tools,
)
from wxo_mcp.bridge.unknown import unknown_agent
from wxo_mcp.config import Settings
from wxo_mcp.errors import NotFound, WxoError

__all__ = ["Bridge"]

log = logging.getLogger(__name__)


class Bridge:
    def __init__(self, settings: Settings, client: OrchestrateClient, task_group: TaskGroup):
        self.settings = settings
        self.client = client
        self.registry = RunRegistry(client, task_group, settings.max_result_chars)
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
                    "(list_agents, ask_agent, get_run). Narrow WXO_AGENTS or raise the limit.",
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
        if self.generic_enabled and name == "ask_agent":
            return await self._ask_agent(view, arguments, progress, choices)
        if self.generic_enabled and name == "get_run":
            return await self._get_run_tool(arguments)
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
        return await self.run_agent(
            item,
            args["message"],
            args.get("thread_id"),
            progress,
            name,
            include_steps=args.get("include_steps", False),
            choices=choices,
        )

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
        self,
        view: CatalogView,
        arguments: Mapping[str, Any] | None,
        progress: ProgressSender | None,
        choices: ChoiceChannel | None = None,
    ) -> CallToolResult | InputRequiredResult:
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
        return await self.run_agent(
            item,
            args["message"],
            args.get("thread_id"),
            progress,
            "ask_agent",
            include_steps=args.get("include_steps", False),
            choices=choices,
        )

    def _environment_id(self, item: AgentTool) -> str | None:
        # The catalog only offers agents deployed in WXO_AGENT_ENVIRONMENT, so this is found.
        return environment_id(item.agent, self.settings.agent_environment)

    async def run_agent(
        self,
        item: AgentTool,
        message: str,
        thread_id: str | None,
        progress: ProgressSender | None,
        tool: str,
        *,
        include_steps: bool = False,
        choices: ChoiceChannel | None = None,
    ) -> CallToolResult | InputRequiredResult:
        state = ChoiceState.decode(choices.state) if choices is not None else None
        if state is not None and (state.tool != tool or state.agent != item.agent.name):
            state = None
        # A chosen option runs the agent again, in this call or its 2026-era retry: keep the
        # progress values rising across those runs.
        rising = _RisingProgress(progress, state.progress if state else 0.0) if progress else None
        if choices is not None and state is not None:
            return await self._resume_choice(item, state, choices, rising, tool, include_steps)
        result = await self._run_once(item, message, thread_id, rising)
        return await self._offer_choice(item, result, choices, rising, tool, include_steps, 1)

    async def _run_once(
        self,
        item: AgentTool,
        message: str,
        thread_id: str | None,
        progress: ProgressSender | None,
    ) -> RunResult:
        handle = self.registry.start(
            agent_id=item.agent.id,
            agent_name=item.agent.name,
            message=message,
            thread_id=thread_id,
            environment_id=self._environment_id(item),
        )
        deadline = self.settings.tool_deadline
        await self._await_handle(handle, deadline, progress)
        if handle.unconfirmed:
            return self._unconfirmed(handle, deadline)
        return handle.result()

    def _unconfirmed(self, handle: RunHandle, deadline: float) -> RunResult:
        """Orchestrate has not confirmed the run by the deadline: never a handle without a run."""
        return RunResult(
            text="",
            thread_id=handle.thread_id,
            run_id=None,
            agent=handle.agent,
            status="failed",
            error=(
                f"The run could not be confirmed: Orchestrate had not answered the request to "
                f"start it after {deadline:g} s, so wxo-mcp has no run id to follow. It may still "
                "start. Before asking again, read the list_runs resource (orchestrate://runs) to "
                "see whether it did."
            ),
        )

    async def _offer_choice(
        self,
        item: AgentTool,
        result: RunResult,
        choices: ChoiceChannel | None,
        progress: _RisingProgress | None,
        tool: str,
        include_steps: bool,
        round_: int,
        picked_label: str | None = None,
    ) -> CallToolResult | InputRequiredResult:
        """Put an option reply to the user while the client can be asked; else its text form.

        2025 era: ask in the middle of the call and send the chosen value on at once. 2026 era:
        return the question; the client's retry lands in ``_resume_choice``.
        """
        while choices is not None and can_ask(result) and round_ <= MAX_CHOICE_ROUNDS:
            if choices.input_required:
                return input_required(result, tool, round_, progress.sent if progress else 0.0)
            if choices.push is None:
                break
            message, schema = choice_prompt(result)
            try:
                answer = await choices.push(message, schema)
            except Exception:  # the client refused or is gone: the text form still works
                log.info("could not put the agent's choice to the user", exc_info=True)
                break
            picked = chosen(answer, option_pairs(result.options or []))
            if picked is None or result.thread_id is None:
                break
            picked_label, value = picked
            result = await self._run_once(item, value, result.thread_id, progress)
            round_ += 1
        if picked_label is not None:
            result = with_choice_note(result, picked_label)
        return self._shape(result, tool, include_steps)

    async def _resume_choice(
        self,
        item: AgentTool,
        state: ChoiceState,
        choices: ChoiceChannel,
        progress: _RisingProgress | None,
        tool: str,
        include_steps: bool,
    ) -> CallToolResult | InputRequiredResult:
        """A 2026-era retry: send the chosen value on in the thread, or keep the text form."""
        answer = (choices.responses or {}).get(CHOICE_KEY)
        picked = chosen(answer, state.options)
        if picked is None:  # declined or cancelled: the choice as text, from our record
            return self._shape(await self.run_status(state.run_id), tool, include_steps)
        label, value = picked
        result = await self._run_once(item, value, state.thread_id, progress)
        return await self._offer_choice(
            item, result, choices, progress, tool, include_steps, state.round + 1, label
        )

    async def _await_handle(
        self, handle: RunHandle, wait: float, progress: ProgressSender | None
    ) -> None:
        """Wait up to ``wait`` seconds for a run, relaying its progress; cancel it if we are."""
        try:
            if progress is None:
                with anyio.move_on_after(wait):
                    await handle.done.wait()
                return
            async with ProgressRelay(progress) as relay:
                handle.listener = relay.push
                with anyio.move_on_after(wait):
                    await handle.done.wait()
                handle.listener = None
                await relay.finish(_final_progress(handle))
        except anyio.get_cancelled_exc_class():
            if not handle.done.is_set():
                handle.cancel()
            raise
        finally:
            handle.listener = None

    def _shape(self, result: RunResult, tool: str, include_steps: bool = False) -> CallToolResult:
        result = capped(result, self.settings.max_result_chars)
        return to_call_result(
            result, tool, get_run_tool=self.generic_enabled, include_steps=include_steps
        )

    async def _get_run_tool(self, arguments: Mapping[str, Any] | None) -> CallToolResult:
        try:
            args = check_arguments("get_run", arguments, GET_RUN_PARAMS)
        except ArgumentError as exc:
            return self._failure(str(exc), "get_run")
        deadline = self.settings.tool_deadline
        wait = min(args.get("wait_seconds", 0.0), deadline)
        result = None
        # Reads of Orchestrate retry with pauses: the whole call still keeps to the deadline.
        with anyio.move_on_after(max(deadline, wait + 1.0)):
            result = await self.run_status(args["run_id"], wait)
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
        return self._shape(result, "get_run")

    async def run_status(self, run_id: str, wait: float = 0.0) -> RunResult:
        """The bridge's own record first, then Orchestrate's ``GET /runs/{id}``."""
        handle = self.registry.get(run_id)
        if handle is not None:
            if wait > 0 and not handle.done.is_set():
                with anyio.move_on_after(wait):
                    await handle.done.wait()
            if not (handle.done.is_set() and handle.status == "running"):
                return handle.result()
        try:
            run = await self.client.get_run(run_id)
            with anyio.move_on_after(wait):
                while _still_running(run):
                    await anyio.sleep(1.0)
                    run = await self.client.get_run(run_id)
        except NotFound:
            return RunResult(
                text="",
                thread_id=None,
                run_id=run_id,
                agent=None,
                status="failed",
                error=(
                    f"Orchestrate has no run with id {run_id}. "
                    "Check the run_id returned by the call."
                ),
            )
        except WxoError as exc:
            return RunResult(
                text="", thread_id=None, run_id=run_id, agent=None, status="failed", error=str(exc)
            )
        return await self._flow_outcome(
            run, result_from_run(run, self._agent_name(run.get("agent_id")))
        )

    async def _flow_outcome(self, run: dict[str, Any], result: RunResult) -> RunResult:
        """For a run we have no record of that only started an async flow: the flow's answer
        from its thread, or ``running`` while there is none yet."""
        message = message_of_run(run)
        if (
            message is None
            or result.status != "completed"
            or not result.thread_id
            or not RunAccumulator.message_is_async(message)
        ):
            return result
        try:
            messages = await self.client.thread_messages(result.thread_id)
        except WxoError:
            messages = []
        notice_id = message.get("id")
        answer = flow_answer(messages, notice_id if isinstance(notice_id, str) else None)
        if answer is None:
            return result.model_copy(update={"status": "running"})
        return result_from_message(answer, result, status="completed")

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
            result = await self._flow_outcome(run, result_from_run(run, agent))
        result = capped(result, self.settings.max_result_chars)
        # The answer once: in `text`; the run object's copy of the final message is left out.
        upstream = {k: v for k, v in run.items() if k != "result" or message_of_run(run) is None}
        document = {**upstream, **result.structured(), "status": result.status}
        return json.dumps(document, ensure_ascii=False)

    async def thread_document(self, thread_id: str) -> str:
        return json.dumps(await self.client.thread_messages(thread_id), ensure_ascii=False)


class _RisingProgress:
    """A progress sender whose values keep rising across the runs of one call (each relay counts
    from 1; MCP wants a call's progress to increase), starting after ``sent`` earlier ones."""

    def __init__(self, sender: ProgressSender, sent: float = 0.0) -> None:
        self._sender = sender
        self.sent = sent

    async def __call__(self, value: float, message: str) -> None:
        self.sent += 1.0
        await self._sender(self.sent, message)


def _still_running(run: Mapping[str, Any]) -> bool:
    return status_from_orchestrate(run.get("status")) == "running"


def _final_progress(handle: RunHandle) -> str:
    if handle.status == "running":
        return "Still running; returning a run handle."
    return f"Run {handle.status}."
