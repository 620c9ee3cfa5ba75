"""In-memory threads and runs.

The store lives on the server's event loop and is only written there; tests on other threads read it
(``sim.runs``, ``sim.threads``), which is safe for plain dict and list reads in CPython.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from . import payloads
from .agents import AgentSpec
from .stream import EventIdClock, frame

JSON = dict[str, Any]

TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "expired"})


@dataclass(eq=False)
class ThreadRecord:
    """A thread object and its messages, oldest first."""

    thread: JSON
    messages: list[JSON] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.thread["id"])

    def user_turns(self) -> int:
        return sum(1 for m in self.messages if m.get("role") == "user")


@dataclass(eq=False)
class RunRecord:
    """A run: its run object (as ``GET /runs/{id}`` returns it) and every event it has produced.

    The run's background task appends events; any number of streams relay them from the start, so a
    stream that attaches late, or a second reader, sees the whole run. ``closed`` means no event
    will
    follow (the run ended, or was cut short by a reset or shutdown).
    """

    run: JSON
    agent: AgentSpec
    user_message_id: str
    task_id: str
    user_text: str
    events: list[JSON] = field(default_factory=list)
    closed: bool = False
    cancel_scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    _clock: EventIdClock = field(default_factory=EventIdClock)
    _changed: anyio.Event = field(default_factory=anyio.Event)

    @property
    def id(self) -> str:
        return str(self.run["id"])

    @property
    def thread_id(self) -> str:
        return str(self.run["thread_id"])

    @property
    def status(self) -> str:
        return str(self.run["status"])

    def emit(self, event: str, data: JSON) -> JSON:
        """Record one event (with its wire id) and wake the streams waiting for it."""
        framed = frame(self._clock.next(), event, data)
        self.events.append(framed)
        self._wake()
        return framed

    def close(self) -> None:
        """No more events: wakes every waiting stream so it can finish."""
        self.closed = True
        self._wake()

    async def wait_beyond(self, count: int) -> None:
        """Return once more than ``count`` events exist or the run is closed."""
        while len(self.events) <= count and not self.closed:
            await self._changed.wait()

    def _wake(self) -> None:
        changed, self._changed = self._changed, anyio.Event()
        changed.set()


def page(items: list[JSON], *, limit: int, offset: int) -> JSON:
    """The documented list envelope: ``{total, limit, offset, data}``."""
    return {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "data": items[offset : offset + limit],
    }


class Store:
    """All threads and runs of one simulator."""

    def __init__(self) -> None:
        self.threads: dict[str, ThreadRecord] = {}
        self.runs: dict[str, RunRecord] = {}

    def create_thread(self, *, title: str | None, agent_id: str | None) -> ThreadRecord:
        thread_id = payloads.new_id()
        record = ThreadRecord(
            payloads.thread_object(thread_id=thread_id, title=title, agent_id=agent_id)
        )
        self.threads[thread_id] = record
        return record

    def add_run(self, record: RunRecord) -> None:
        self.runs[record.id] = record

    def forget_run(self, run_id: str) -> None:
        """Lose a run, as a runtime that lost its state does: reads of it answer 404."""
        self.runs.pop(run_id, None)

    def page_of_runs(self, *, limit: int, offset: int) -> JSON:
        """``{total, limit, offset, data}`` with the newest run first."""
        return page([r.run for r in reversed(self.runs.values())], limit=limit, offset=offset)

    def threads_newest_first(self, agent_id: str | None) -> list[JSON]:
        """Thread objects, newest first, of one agent or (``None``) of all."""
        return [
            record.thread
            for record in reversed(self.threads.values())
            if agent_id is None or record.thread.get("agent_id") == agent_id
        ]

    def close_all(self) -> None:
        """Cut every unfinished run short (reset / shutdown) so no stream waits forever."""
        for record in self.runs.values():
            record.cancel_scope.cancel()
            if record.status not in TERMINAL_STATUSES:
                # Set here, not only by the run's task, so the record is final when this returns.
                record.run.update(status="cancelled", cancelled_at=payloads.now_iso())
            record.close()

    def clear(self) -> None:
        self.close_all()
        self.threads = {}
        self.runs = {}
