"""Following a run this process is not streaming, through Orchestrate's event replay.

``get_run`` with ``wait_seconds`` and ``tasks/get`` on another replica (or after a restart) have
no stream to read: ``GET …/runs/{id}/events?stream_timeout=`` gives the run's events so far, held
open while the run goes on, so the same folding as a live stream yields the same result, its step
events drive progress, and the latest step says what the agent is doing. A run whose events
Orchestrate does not have (404, an empty list), or that ended without a final message (an async
flow's notice is settled from the thread), is left to ``GET /runs/{id}``: ``None`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import anyio

from wxo_mcp.api import OrchestrateClient, RunAccumulator, RunEvent
from wxo_mcp.api.run_control import MAX_STREAM_TIMEOUT_MS
from wxo_mcp.bridge.progress import ProgressRelay, ProgressSender, describe_event
from wxo_mcp.bridge.results import RunResult
from wxo_mcp.bridge.runs import RunHandle, RunRegistry
from wxo_mcp.errors import NotFound

__all__ = ["Replayed", "replay_run"]

#: A replay answered this fast with nothing new did not wait: pause before asking again.
_EAGER = 0.2


@dataclass(frozen=True)
class Replayed:
    """A run as its events tell it: the result so far and the latest status line."""

    result: RunResult
    step: str | None


async def replay_run(
    client: OrchestrateClient,
    run_id: str,
    wait: float,
    agent_of: Callable[[object], str | None],
    progress: ProgressSender | None = None,
) -> Replayed | None:
    """Read ``run_id``'s events until it ends or ``wait`` seconds pass; None: ask the run."""
    if progress is None:
        return await _replay(client, run_id, wait, agent_of, None)
    async with ProgressRelay(progress) as relay:
        replayed = await _replay(client, run_id, wait, agent_of, relay.push)
        status = replayed.result.status if replayed else "running"
        await relay.finish("Still running." if status == "running" else f"Run {status}.")
    return replayed


async def _replay(
    client: OrchestrateClient,
    run_id: str,
    wait: float,
    agent_of: Callable[[object], str | None],
    on_step: Callable[[str], None] | None,
) -> Replayed | None:
    deadline = anyio.current_time() + max(wait, 0.0)
    seen = 0
    events: list[RunEvent] = []
    while True:
        remaining = deadline - anyio.current_time()
        timeout_ms = int(min(max(remaining, 0.0) * 1000, MAX_STREAM_TIMEOUT_MS))
        asked = anyio.current_time()
        try:
            events = await client.run_events(run_id, timeout_ms)
        except NotFound:
            return None
        acc = _fold(events)
        if on_step is not None:
            seen_text = False
            for index, event in enumerate(events):
                line = describe_event(event.event, event.data, seen_text)
                seen_text = seen_text or event.event == "message.delta"
                if index >= seen and line:
                    on_step(line)
        seen = max(seen, len(events))
        remaining = deadline - anyio.current_time()
        if acc.finished or remaining <= 0:
            break
        if anyio.current_time() - asked < _EAGER:
            await anyio.sleep(min(1.0, remaining))
    return _result(acc, events, run_id, agent_of)


def _fold(events: list[RunEvent]) -> RunAccumulator:
    acc = RunAccumulator()
    for event in events:
        acc.feed(event)  # unknown event types only count
    return acc


def _result(
    acc: RunAccumulator,
    events: list[RunEvent],
    run_id: str,
    agent_of: Callable[[object], str | None],
) -> Replayed | None:
    if acc.run_id is None:
        return None  # no events (any more): the run object knows better
    settled_elsewhere = acc.final_message is None or acc.is_async
    if acc.finished and acc.status == "completed" and settled_elsewhere:
        return None
    agent_id = next((e.data["agent_id"] for e in events if "agent_id" in e.data), None)
    handle = RunHandle(agent="", thread_id=acc.thread_id, run_id=run_id)
    RunRegistry.fold(handle, acc)
    result = handle.result().model_copy(update={"agent": agent_of(agent_id)})
    return Replayed(result, acc.progress_text)
