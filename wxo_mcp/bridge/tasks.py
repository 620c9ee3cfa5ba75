"""Agent runs as MCP tasks (the 2026-07-28 extension ``io.modelcontextprotocol/tasks``, SEP-2663).

A client that declares the extension on a call of an agent tool or ``ask_agent`` gets the answer
at once when the run ends within about a second, and otherwise a task it polls. The task *is* the
Orchestrate run: its ``taskId`` carries the run id (and the tool, agent and caller), sealed with an
HMAC, so ``tasks/get`` works on any replica and after a restart by reading the run from
Orchestrate (event replay, ``GET /runs/{id}``), and a task id shown to another caller, or changed
by a byte, is simply not found.

Task states, from the run: ``working`` while it runs (the latest step as ``statusMessage``);
``input_required`` when the agent offers options (an elicitation in ``inputRequests``, keyed by
the run that asked, answered through ``tasks/update``, which sends the choice on in the same
thread as Orchestrate's chat would); ``completed`` with exactly the result a synchronous call
returns (a failed run is a completed task whose result has ``isError``); ``cancelled``.

What a second process cannot know from the id alone (which run answered a choice, a cancel while
a choice was pending) lives in a bounded in-process record; a client keeps polling the replica
that accepted its update (``Mcp-Name`` carries the task id, for routing).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
from mcp.types import CallToolResult, ElicitRequest, ElicitRequestFormParams, ElicitResult
from pydantic import ValidationError

from wxo_mcp.bridge.cancel import CANCEL_WAIT, cancel_handle, cancel_upstream, is_settled
from wxo_mcp.bridge.catalog import environment_id
from wxo_mcp.bridge.choices import (
    MAX_CHOICE_ROUNDS,
    can_ask,
    choice_prompt,
    chosen,
    option_pairs,
    with_choice_note,
)
from wxo_mcp.bridge.replay import Replayed
from wxo_mcp.bridge.results import RunResult
from wxo_mcp.bridge.service import AgentCall, Bridge
from wxo_mcp.bridge.task_ids import TaskCodec, TaskRef
from wxo_mcp.bridge.tools import GENERIC_TOOLS
from wxo_mcp.errors import WxoError

__all__ = [
    "POLL_INTERVAL_MS",
    "TASKS_EXTENSION",
    "TASK_AFTER",
    "TaskBook",
    "TaskNotFound",
]

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
#: A run still going after this many seconds becomes a task.
TASK_AFTER = 1.0
#: What we suggest between polls: one poll is one in-memory read here, one Orchestrate read
#: elsewhere.
POLL_INTERVAL_MS = 1000
#: Tasks resolve through Orchestrate for as long as it keeps the run; a day is what we promise.
TTL_MS = 24 * 3600 * 1000
MAX_LIVE = 1000
#: Tools that never run an agent themselves.
_GENERIC = frozenset(GENERIC_TOOLS) - {"ask_agent"}


def with_task_support(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools as a 2025-11-25 client must see them to send ``params.task``: that era reads an
    absent ``execution.taskSupport`` as "forbidden", so every tool that runs an agent says
    "optional" (the generic helpers answer at once and never make a task)."""
    return [
        tool if tool["name"] in _GENERIC else {**tool, "execution": {"taskSupport": "optional"}}
        for tool in tools
    ]


class TaskNotFound(LookupError):
    """No task with this id for this caller (unknown, tampered with, or someone else's)."""


@dataclass
class _Live:
    """What this process learnt about a task beyond its id."""

    run_id: str
    picked: str | None = None
    rounds: int = 1
    answered: set[str] = field(default_factory=set)
    cancelled: bool = False
    declined: bool = False
    failure: RunResult | None = None


class TaskBook:
    """Makes tasks of agent calls; answers ``tasks/get``, ``tasks/update`` and ``tasks/cancel``."""

    def __init__(self, bridge: Bridge, secret: bytes) -> None:
        self._bridge = bridge
        self._codec = TaskCodec(secret)
        self._live: OrderedDict[str, _Live] = OrderedDict()

    # -- tools/call ---------------------------------------------------------------------------

    async def start(
        self,
        name: str,
        arguments: Mapping[str, Any] | None,
        caller: str,
        *,
        after: float | None = TASK_AFTER,
    ) -> CallToolResult | dict[str, Any] | None:
        """A result, a ``CreateTaskResult``, or None for a tool that never makes a task.

        ``after=None``: a task whenever the run exists (the 2025-11-25 client asked for one).
        """
        bridge = self._bridge
        if name in _GENERIC:
            return None
        view, _ = await bridge.catalog.view()
        call = await bridge.agent_call(view, name, arguments)
        if not isinstance(call, AgentCall):
            return call
        handle = bridge.registry.start(
            agent_id=call.item.agent.id,
            agent_name=call.item.agent.name,
            message=call.message,
            thread_id=call.thread_id,
            environment_id=environment_id(call.item.agent, bridge.settings.agent_environment),
        )
        await bridge.agent_runs.await_handle(handle, 0.0 if after is None else after, None)
        if handle.run_id is None:  # still being created: a task needs its run id
            try:
                with anyio.move_on_after(bridge.settings.tool_deadline):
                    await handle.created.wait()
            except anyio.get_cancelled_exc_class():
                bridge.agent_runs.cancel_soon(handle)
                raise
        settled = is_settled(handle)
        asks = after is not None and _asks(handle.result(), 1)
        if handle.run_id is None or (after is not None and settled and not asks):
            result = handle.result()
            if handle.unconfirmed:  # no run id by the deadline: never a task without a run
                result = bridge.agent_runs.unconfirmed(handle, bridge.settings.tool_deadline)
            return bridge.shape(result, name, call.include_steps)
        ref = TaskRef(handle.run_id, name, call.item.agent.name, call.include_steps, _now_ms())
        task_id = self._codec.encode(ref, caller)
        self._remember(task_id, _Live(handle.run_id))
        status = "working" if not settled else "input_required" if asks else "completed"
        message = "The agent offers a choice." if asks else "The agent is working on it."
        return {
            "resultType": "task",
            **self._base(task_id, ref),
            "status": status,
            "statusMessage": message,
        }

    # -- tasks/* ------------------------------------------------------------------------------

    async def get(self, task_id: str, caller: str, *, asking: bool = True) -> dict[str, Any]:
        """The task now; ``asking=False`` (2025-11-25 clients) keeps options in text form."""
        ref = self._ref(task_id, caller)
        live = self._live.get(task_id)
        base = self._base(task_id, ref)
        if live is not None and live.cancelled:
            return {**base, "status": "cancelled", "statusMessage": "Cancelled at your request."}
        if live is not None and live.failure is not None:
            return self._completed(base, ref, live.failure)
        live, observed = await self._current(task_id, ref, keep=False)
        result = observed.result
        rounds = live.rounds
        if result.status == "running":
            step = observed.step or "The agent is working on it."
            return {**base, "status": "working", "statusMessage": step}
        if result.status == "cancelled":
            return {**base, "status": "cancelled", "statusMessage": result.error or "Cancelled."}
        if asking and _asks(result, rounds) and not live.declined:
            message, schema = choice_prompt(result)
            request = ElicitRequest(
                params=ElicitRequestFormParams(message=message, requested_schema=schema)
            )
            return {
                **base,
                "status": "input_required",
                "statusMessage": message,
                "inputRequests": {
                    _choice_key(result): request.model_dump(
                        by_alias=True, mode="json", exclude_none=True
                    )
                },
            }
        if live.picked is not None:
            result = with_choice_note(result, live.picked)
        return self._completed(base, ref, result)

    def _completed(self, base: dict[str, Any], ref: TaskRef, result: RunResult) -> dict[str, Any]:
        """Exactly what the synchronous call returns, inlined (``isError`` included)."""
        shaped = self._bridge.shape(result, ref.tool, ref.include_steps)
        return {
            **base,
            "status": "completed",
            "result": shaped.model_dump(by_alias=True, mode="json", exclude_none=True),
        }

    async def outcome(self, task_id: str, caller: str) -> dict[str, Any]:
        """The tool result once the task ends (2025-11-25 ``tasks/result`` blocks for it)."""
        while True:
            state = await self.get(task_id, caller, asking=False)
            if state["status"] == "completed":
                result: dict[str, Any] = state["result"]
                return result
            live = self._live.get(task_id)
            run_id = live.run_id if live is not None else self._ref(task_id, caller).run_id
            if state["status"] == "cancelled":
                ref = self._ref(task_id, caller)
                observed = (await self._bridge.lookup.observe(run_id)).result
                cancelled = observed.model_copy(update={"status": "cancelled"})
                return self._completed({}, ref, cancelled)["result"]  # type: ignore[no-any-return]
            await self._bridge.lookup.observe(run_id, POLL_INTERVAL_MS / 1000)

    async def update(self, task_id: str, caller: str, responses: Mapping[str, Any]) -> None:
        """Send the user's choice on in the thread; responses to anything else are ignored."""
        ref = self._ref(task_id, caller)
        live, observed = await self._current(task_id, ref)
        if live.cancelled:
            return
        result = observed.result
        key = _choice_key(result)
        if not _asks(result, live.rounds) or key not in responses or key in live.answered:
            return
        live.answered.add(key)
        try:
            answer = ElicitResult.model_validate(responses[key])
        except ValidationError:
            answer = None
        picked = chosen(answer, option_pairs(result.options or []))
        view, _ = await self._bridge.catalog.view()
        item = view.find(ref.agent)
        if picked is None or item is None or result.thread_id is None:
            live.declined = True  # the choice stays in its text form
            return
        label, value = picked
        handle = self._bridge.registry.start(
            agent_id=item.agent.id,
            agent_name=item.agent.name,
            message=value,
            thread_id=result.thread_id,
            environment_id=environment_id(item.agent, self._bridge.settings.agent_environment),
        )
        with anyio.move_on_after(CANCEL_WAIT):
            await handle.created.wait()
        if handle.run_id is None:  # it never started: that is the task's outcome
            with anyio.move_on_after(CANCEL_WAIT):
                await handle.done.wait()
            live.failure = handle.result()
        live.run_id = handle.run_id or live.run_id
        live.picked, live.rounds = label, live.rounds + 1

    async def cancel(self, task_id: str, caller: str) -> None:
        """Cancel the task's run in Orchestrate; a task already ended stays as it was."""
        ref = self._ref(task_id, caller)
        live, observed = await self._current(task_id, ref)
        handle = self._bridge.registry.get(live.run_id)
        if handle is not None and not is_settled(handle):
            await cancel_handle(self._bridge.client, handle)
            live.cancelled = True
            return
        result = observed.result
        if result.status == "running":
            await cancel_upstream(self._bridge.client, live.run_id)
            live.cancelled = True
        elif _asks(result, live.rounds) and not live.declined:
            live.cancelled = True  # nothing runs; the pending choice is withdrawn

    # -- helpers ------------------------------------------------------------------------------

    async def _current(
        self, task_id: str, ref: TaskRef, keep: bool = True
    ) -> tuple[_Live, Replayed]:
        """The task's current run and how it stands.

        Another replica may have taken the answer to the task's choice: then the thread shows it,
        as the next run after the one that asked (followed round by round).
        """
        live = self._live.get(task_id)
        if live is not None:
            return live, await self._bridge.lookup.observe(live.run_id, final_only=True)
        live = _Live(ref.run_id)
        observed = await self._bridge.lookup.observe(ref.run_id, final_only=True)
        while _asks(observed.result, live.rounds):
            later = await self._next_run(observed.result)
            if later is None:
                break
            live.run_id, live.rounds = later, live.rounds + 1
            observed = await self._bridge.lookup.observe(later, final_only=True)
        return (self._remember(task_id, live) if keep else live), observed

    async def _next_run(self, result: RunResult) -> str | None:
        """The first run in ``result``'s thread after it (Orchestrate's newest 100 runs)."""
        try:
            page = await self._bridge.client.list_runs(limit=100)
        except WxoError:
            return None
        runs = [
            run
            for run in page.get("data") or []
            if isinstance(run, dict)
            and run.get("thread_id") == result.thread_id
            and isinstance(run.get("id"), str)
        ]
        mine = next((run for run in runs if run["id"] == result.run_id), None)
        if mine is None:
            return None
        since = str(mine.get("created_at") or "")
        later = [run for run in runs if str(run.get("created_at") or "") > since]
        return str(min(later, key=lambda run: str(run.get("created_at")))["id"]) if later else None

    def _ref(self, task_id: str, caller: str) -> TaskRef:
        ref = self._codec.decode(task_id, caller)
        if ref is None:
            raise TaskNotFound(task_id)
        return ref

    def _remember(self, task_id: str, live: _Live) -> _Live:
        self._live[task_id] = live
        self._live.move_to_end(task_id)
        while len(self._live) > MAX_LIVE:
            self._live.popitem(last=False)
        return live

    @staticmethod
    def _base(task_id: str, ref: TaskRef) -> dict[str, Any]:
        return {
            "taskId": task_id,
            "createdAt": _iso(ref.created_ms / 1000),
            "lastUpdatedAt": _iso(time.time()),
            "ttlMs": TTL_MS,
            "pollIntervalMs": POLL_INTERVAL_MS,
        }


def _asks(result: RunResult, rounds: int) -> bool:
    return can_ask(result) and rounds <= MAX_CHOICE_ROUNDS


def _choice_key(result: RunResult) -> str:
    """Unique over the task's life: each question is asked by its own run."""
    return f"choice-{result.run_id}"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
