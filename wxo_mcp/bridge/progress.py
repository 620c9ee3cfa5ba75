"""Progress notifications from a run's own events, coalesced.

An agent can emit dozens of step events a second; a host only needs to show that something is
happening and what. So the first event after a quiet spell goes out at once (no added latency
where it matters), and events arriving faster than ``min_interval`` are merged into one
notification when the interval has passed: their lines joined, so a quick tool call is not lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import anyio
from anyio.abc import TaskGroup

__all__ = ["ProgressRelay", "ProgressSender", "describe_event"]

log = logging.getLogger(__name__)

ProgressSender = Callable[[float, str], Awaitable[None]]
"""Sends one notification: (progress counter, message)."""

MIN_INTERVAL = 0.05  # at most ~20 notifications a second
MAX_MERGED = 8  # lines kept in one merged notification (the newest)


def describe_event(event: str, data: dict[str, Any], seen_text: bool) -> str | None:
    """The progress line for one run event, or None when the event says nothing new."""
    if event == "run.step.intermediate":
        message = data.get("message")
        if isinstance(message, dict):
            text = message.get("text")
            if isinstance(text, str) and text.strip():
                return text.strip()
        return None
    if event in ("run.step.delta", "run.step.thinking"):
        delta = data.get("delta")
        details = delta.get("step_details") if isinstance(delta, dict) else None
        if not isinstance(details, list):
            return None
        lines: list[str] = []
        for step in details:
            if not isinstance(step, dict):
                continue
            kind = step.get("type")
            if kind == "tool_calls":
                for call in step.get("tool_calls") or []:
                    if isinstance(call, dict) and call.get("name"):
                        lines.append(f"Calling tool {call['name']}…")
            elif kind == "tool_response" and step.get("name"):
                lines.append(f"Tool {step['name']} responded.")
        return " ".join(lines) or None
    if event == "message.delta" and not seen_text:
        return "Writing the answer…"
    return None


class ProgressRelay:
    """Sends progress lines through ``sender`` at most every ``min_interval`` seconds.

    ``push`` never blocks the run: it only records the newest line and wakes the sending task.
    """

    def __init__(self, sender: ProgressSender, min_interval: float = MIN_INTERVAL) -> None:
        self._sender = sender
        self._min_interval = min_interval
        self._pending: list[str] = []
        self._wake = anyio.Event()
        self._count = 0
        self._tg: TaskGroup | None = None
        self._broken = False

    async def __aenter__(self) -> ProgressRelay:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._pump)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        return await self._tg.__aexit__(exc_type, exc, tb)

    def push(self, message: str) -> None:
        if not self._pending or self._pending[-1] != message:
            self._pending.append(message)
            del self._pending[:-MAX_MERGED]
        self._wake.set()

    def _take(self) -> str | None:
        lines, self._pending = self._pending, []
        return " · ".join(lines) if lines else None

    async def finish(self, message: str) -> None:
        """Flush what is pending, then the last notification, both at once."""
        pending = self._take()
        if pending is not None:
            await self._send(pending)
        await self._send(message)

    async def _send(self, message: str) -> None:
        if self._broken:
            return
        self._count += 1
        try:
            await self._sender(float(self._count), message)
        except Exception:  # a client that went away must not fail the run
            self._broken = True
            log.debug("progress notification could not be sent", exc_info=True)

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = anyio.Event()
            message = self._take()
            if message is None:
                continue
            await self._send(message)
            await anyio.sleep(self._min_interval)
