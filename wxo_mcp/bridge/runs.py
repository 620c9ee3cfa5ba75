"""Runs consumed by tasks the server owns, so a tool call can stop waiting without losing them.

A tool call never reads the upstream stream itself: it starts a :class:`RunHandle` whose task,
in the registry's task group, folds the stream into a result. The call waits for that task up to
the deadline and then returns a handle (``status: "running"``) while the task keeps going and
records the outcome for ``get_run``. If the call is cancelled, it cancels the task, which closes
the upstream stream at once: nothing is left behind.

Memory stays bounded, whatever Orchestrate sends: a record keeps its text up to what a result can
show (``WXO_MAX_RESULT_CHARS``) and its length; at most ``MAX_RECORDS`` runs and
``MAX_REMEMBERED_CHARS`` of their text are remembered (oldest forgotten first); a background run is
given at most ``MAX_BACKGROUND_SECONDS``, and its follow-up ends when Orchestrate has lost the run.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from anyio.abc import TaskGroup

from wxo_mcp.api import OrchestrateClient, RunAccumulator, RunEvent
from wxo_mcp.bridge.flows import wait_for_flow_answer
from wxo_mcp.bridge.outcomes import (
    orchestrate_reports,
    result_from_message,
    result_from_run,
    step_dict,
)
from wxo_mcp.bridge.progress import describe_event
from wxo_mcp.bridge.render import render_message
from wxo_mcp.bridge.results import RunResult, RunStatus
from wxo_mcp.errors import NotFound, StreamError, WxoError

__all__ = [
    "CANCELLED",
    "MAX_BACKGROUND_SECONDS",
    "MAX_RECORDS",
    "RunHandle",
    "RunRegistry",
]

log = logging.getLogger(__name__)

MAX_RECORDS = 1000
#: Text (and tool-step text) all remembered runs may hold together, in characters.
MAX_REMEMBERED_CHARS = 32_000_000
STEP_WEIGHT = 1000
MAX_BACKGROUND_SECONDS = 15 * 60
#: After a broken stream, the run is read again after 1 s, then less and less often.
POLL_INTERVAL = 1.0
CANCELLED = "Cancelled at the caller's request; the run was stopped in Orchestrate too."
MAX_POLL_INTERVAL = 30.0


@dataclass(eq=False)
class RunHandle:
    """One run as the bridge knows it, updated by its task as events arrive."""

    agent: str
    thread_id: str | None
    run_id: str | None = None
    status: RunStatus = "running"
    text: str = ""
    error: str | None = None
    steps: list[dict[str, Any]] | None = None
    citations: list[dict[str, Any]] | None = None
    options: list[dict[str, Any]] | None = None
    files: list[dict[str, Any]] | None = None
    done: anyio.Event = field(default_factory=anyio.Event)
    started: float = field(default_factory=time.monotonic)
    listener: Callable[[str], None] | None = None
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    cancelled_by_caller: bool = False
    created: anyio.Event = field(default_factory=anyio.Event)
    """Set once the run exists upstream (its id is known) or it failed before that."""
    live: RunAccumulator | None = field(default=None, repr=False)
    """While the stream is read: the accumulator, whose text is read only when asked for
    (copying the text so far at every event is quadratic in a long answer)."""
    max_chars: int | None = None
    """Text kept, in characters; ``full_chars`` says how long the whole answer was."""
    full_chars: int = 0

    @property
    def unconfirmed(self) -> bool:
        """Still waiting for Orchestrate to say the run exists (no run id yet)."""
        return self.run_id is None and not self.created.is_set()

    @property
    def weight(self) -> int:
        """Characters this record holds, for the registry's budget: its text, and each tool
        step counted as ``STEP_WEIGHT`` (cut to 2,000 characters, most are far shorter)."""
        return len(self.text) + STEP_WEIGHT * len(self.steps or ())

    def set_text(self, text: str) -> None:
        """Keep the text up to ``max_chars``, and how long it was."""
        self.full_chars = len(text)
        self.text = text if self.max_chars is None else text[: self.max_chars]

    def result(self) -> RunResult:
        live = self.live
        full = max(self.full_chars, live.delta_chars if live is not None else 0)
        return RunResult(
            text=live.text() if live is not None else self.text,
            thread_id=self.thread_id if self.run_id else None,
            run_id=self.run_id,
            agent=self.agent,
            status=self.status,
            error=self.error,
            steps=self.steps,
            citations=self.citations,
            options=self.options,
            files=self.files,
        ).with_full_chars(full)

    def adopt(self, result: RunResult) -> None:
        """Take over what another reading of the run (``GET /runs``, the thread) says."""
        full = result.full_chars
        self.set_text(result.text)
        self.full_chars = full
        self.status, self.error = result.status, result.error
        self.steps = result.steps or self.steps
        self.citations, self.options, self.files = result.citations, result.options, result.files

    def cancel(self) -> None:
        """The caller went away: stop reading the run (this closes the upstream stream)."""
        self.cancelled_by_caller = True
        self.scope.cancel()

    def _emit(self, message: str | None) -> None:
        if message and self.listener is not None:
            self.listener(message)


class RunRegistry:
    """Starts runs as server-owned tasks and remembers their outcomes."""

    def __init__(
        self, client: OrchestrateClient, task_group: TaskGroup, max_chars: int | None = None
    ) -> None:
        self._client = client
        self._tg = task_group
        self._max_chars = max_chars
        self._records: OrderedDict[str, RunHandle] = OrderedDict()

    def __len__(self) -> int:
        return len(self._records)

    def get(self, run_id: str) -> RunHandle | None:
        return self._records.get(run_id)

    def start(
        self,
        *,
        agent_id: str,
        agent_name: str,
        message: str,
        thread_id: str | None,
        environment_id: str | None = None,
    ) -> RunHandle:
        handle = RunHandle(agent=agent_name, thread_id=thread_id, max_chars=self._max_chars)
        self._tg.start_soon(self._consume, handle, agent_id, message, environment_id)
        return handle

    def _remember(self, handle: RunHandle) -> None:
        if handle.run_id is None:
            return
        self._records[handle.run_id] = handle
        self._records.move_to_end(handle.run_id)
        self._trim()

    def _trim(self) -> None:
        """Forget the oldest runs past ``MAX_RECORDS``, or past the text budget (finished ones)."""
        while len(self._records) > MAX_RECORDS:
            self._records.popitem(last=False)
        total = sum(h.weight for h in self._records.values())
        for run_id, handle in list(self._records.items()):
            if total <= MAX_REMEMBERED_CHARS:
                break
            if handle.done.is_set() and handle.status != "running":
                total -= handle.weight
                del self._records[run_id]

    async def _consume(
        self, handle: RunHandle, agent_id: str, message: str, environment_id: str | None
    ) -> None:
        acc = RunAccumulator(self._max_chars)
        with handle.scope:
            handle.scope.deadline = anyio.current_time() + MAX_BACKGROUND_SECONDS
            try:
                await self._stream(handle, acc, agent_id, message, environment_id)
            except StreamError as exc:
                self.fold(handle, acc)
                handle.status = "interrupted"
                handle.error = (
                    f"{exc.message} The run may still finish in Orchestrate: call get_run with "
                    f'run_id "{handle.run_id}" to see its outcome.'
                    if handle.run_id
                    else str(exc)
                )
                handle.done.set()
                if handle.run_id:
                    await self._follow_up(handle)
            except WxoError as exc:
                self.fold(handle, acc)
                handle.status = "failed"
                handle.error = str(exc)
            finally:
                handle.created.set()
                if handle.status == "running" and not handle.done.is_set():
                    handle.status = "cancelled" if handle.cancelled_by_caller else "interrupted"
                    if handle.status == "cancelled":
                        handle.error = CANCELLED
                    else:
                        handle.error = "The run was still going after 15 minutes; it was left."
                handle.done.set()
                self._trim()

    async def _stream(
        self,
        handle: RunHandle,
        acc: RunAccumulator,
        agent_id: str,
        message: str,
        environment_id: str | None,
    ) -> None:
        async with self._client.stream_run(
            agent_id, message, thread_id=handle.thread_id, environment_id=environment_id
        ) as events:
            async for event in events:
                self._on_event(handle, acc, event)
        self.fold(handle, acc)
        if acc.final_message is None and handle.status not in ("failed", "cancelled", "expired"):
            await self._settle_without_final_message(handle)
        elif acc.is_async and handle.status == "completed" and handle.thread_id:
            await self._await_flow(handle, acc.final_message)
        handle.done.set()

    async def _await_flow(self, handle: RunHandle, notice: dict[str, Any] | None) -> None:
        """The run only started an async flow: its answer is a later message in the thread.

        The run stays ``running`` meanwhile, so a call past its deadline returns a handle and
        ``get_run`` later shows the flow's answer, not the notice.
        """
        assert handle.thread_id is not None
        handle.status = "running"
        handle._emit("The agent started a flow; waiting for its answer in the thread…")
        notice_id = notice.get("id") if notice else None
        answer = await wait_for_flow_answer(
            self._client,
            handle.thread_id,
            notice_id if isinstance(notice_id, str) else None,
            on_wait=handle._emit,
        )
        handle.adopt(result_from_message(answer, handle.result(), status="completed"))

    async def _settle_without_final_message(self, handle: RunHandle) -> None:
        """Deltas are not authoritative: ask the run itself before settling for them."""
        from_run: RunResult | None = None
        if handle.run_id:
            try:
                from_run = result_from_run(await self._client.get_run(handle.run_id), handle.agent)
            except WxoError:
                log.debug("run %s could not be read after its stream", handle.run_id)
        if from_run is not None and from_run.text:
            handle.adopt(from_run)
        elif from_run is not None and from_run.status == "running":
            handle.status = "running"
        elif handle.text:
            handle.status = "interrupted"
            handle.error = (
                "Orchestrate sent no final message; the text was assembled from streamed "
                "fragments and may be incomplete."
            )
        elif handle.status == "running":
            handle.status = "interrupted"
            handle.error = "The stream ended before the run did."

    def _on_event(self, handle: RunHandle, acc: RunAccumulator, event: RunEvent) -> None:
        seen_text = acc.has_delta_text
        acc.feed(event)
        if handle.run_id is None and acc.run_id:
            handle.run_id = acc.run_id
            handle.thread_id = acc.thread_id or handle.thread_id
            self._remember(handle)
            handle.created.set()
        elif acc.thread_id and handle.thread_id is None:
            handle.thread_id = acc.thread_id
        handle.live = acc
        handle._emit(describe_event(event.event, event.data, seen_text))

    @staticmethod
    def fold(handle: RunHandle, acc: RunAccumulator) -> None:
        """Copy what the stream told us into the handle."""
        handle.live = None
        steps = acc.steps
        rendered = render_message(acc.final_message, steps) if acc.final_message else None
        if rendered is not None and rendered.text:
            handle.set_text(rendered.text)
        else:
            handle.set_text(acc.text())
            handle.full_chars = max(handle.full_chars, acc.delta_chars)
        handle.steps = [step_dict(step) for step in steps] or None
        if rendered is not None:
            handle.citations = rendered.citations or None
            handle.options = rendered.options or None
            handle.files = rendered.files or None
        handle.run_id = handle.run_id or acc.run_id
        handle.thread_id = acc.thread_id or handle.thread_id
        if acc.finished:
            status = acc.status
            if status == "completed":
                handle.status = (
                    "requires_input"
                    if rendered is not None and rendered.requires_input
                    else "completed"
                )
            elif status in ("failed", "cancelled", "expired"):
                handle.status = status
                handle.error = orchestrate_reports(acc.error or f"the run {status}")

    async def _follow_up(self, handle: RunHandle) -> None:
        """After a broken stream, read the run until it ends, less and less often, so get_run
        can show its outcome; a run Orchestrate no longer knows (404) ends the follow-up."""
        assert handle.run_id is not None
        delay = POLL_INTERVAL
        while True:
            await anyio.sleep(delay)
            delay = min(delay * 2, MAX_POLL_INTERVAL)
            try:
                run = await self._client.get_run(handle.run_id)
            except NotFound:
                handle.status = "failed"
                handle.error = (
                    f"Orchestrate no longer knows run {handle.run_id} (it answers 404): the run "
                    "was lost after its stream broke. The text received before that is kept; ask "
                    "the agent again for a whole answer."
                )
                return
            except WxoError:
                continue
            from_run = result_from_run(run, handle.agent)
            if from_run.status != "running":
                if not from_run.text:  # keep what the stream brought
                    kept = from_run.model_copy(update={"text": handle.text})
                    from_run = kept.with_full_chars(handle.full_chars)
                handle.adopt(from_run)
                return
