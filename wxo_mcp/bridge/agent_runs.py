"""AgentRuns: one call of an agent, from the run's start to the tool result, choices included.

Apart from the Bridge's dispatch because running an agent is the long part of a call: start the
run, wait for it within the deadline while relaying progress, cancel it if the caller goes, and
put an option reply to the user (mid-call in the 2025 era, as an input request in the 2026 era)
before running the agent again with the chosen value. Tasks reuse the waiting and the shaping.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import anyio
from anyio.abc import TaskGroup
from mcp.types import CallToolResult, InputRequiredResult

from wxo_mcp.api import OrchestrateClient
from wxo_mcp.bridge.cancel import cancel_handle
from wxo_mcp.bridge.catalog import AgentTool, environment_id
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
from wxo_mcp.bridge.progress import ProgressRelay, ProgressSender
from wxo_mcp.bridge.results import RunResult, capped, to_call_result
from wxo_mcp.bridge.runs import RunHandle, RunRegistry
from wxo_mcp.config import Settings

__all__ = ["AgentRuns"]

log = logging.getLogger(__name__)

#: The bridge's lookup of a run: its own record first, then Orchestrate.
RunStatus = Callable[[str], Awaitable[RunResult]]


class AgentRuns:
    """Runs agents for tool calls; one per Bridge, sharing its registry and task group."""

    def __init__(
        self,
        settings: Settings,
        client: OrchestrateClient,
        registry: RunRegistry,
        task_group: TaskGroup,
        run_status: RunStatus,
    ) -> None:
        self.settings = settings
        self.client = client
        self.registry = registry
        self._tg = task_group
        self.run_status = run_status

    @property
    def generic_enabled(self) -> bool:
        return "generic" in self.settings.tools

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
        await self.await_handle(handle, deadline, progress)
        if handle.unconfirmed:
            return self.unconfirmed(handle, deadline)
        return handle.result()

    def unconfirmed(self, handle: RunHandle, deadline: float) -> RunResult:
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
        return self.shape(result, tool, include_steps)

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
            return self.shape(await self.run_status(state.run_id), tool, include_steps)
        label, value = picked
        result = await self._run_once(item, value, state.thread_id, progress)
        return await self._offer_choice(
            item, result, choices, progress, tool, include_steps, state.round + 1, label
        )

    async def await_handle(
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
            self.cancel_soon(handle)
            raise
        finally:
            handle.listener = None

    def cancel_soon(self, handle: RunHandle) -> None:
        """Our caller is gone: cancel its run, from the task group that outlives the call."""
        if not handle.done.is_set():
            self._tg.start_soon(cancel_handle, self.client, handle)

    def shape(self, result: RunResult, tool: str, include_steps: bool = False) -> CallToolResult:
        result = capped(result, self.settings.max_result_chars)
        return to_call_result(
            result, tool, get_run_tool=self.generic_enabled, include_steps=include_steps
        )


class _RisingProgress:
    """A progress sender whose values keep rising across the runs of one call (each relay counts
    from 1; MCP wants a call's progress to increase), starting after ``sent`` earlier ones."""

    def __init__(self, sender: ProgressSender, sent: float = 0.0) -> None:
        self._sender = sender
        self.sent = sent

    async def __call__(self, value: float, message: str) -> None:
        self.sent += 1.0
        await self._sender(self.sent, message)


def _final_progress(handle: RunHandle) -> str:
    if handle.status == "running":
        return "Still running; returning a run handle."
    return f"Run {handle.status}."
