"""What tests observe about traffic: the requests seen and the streams their clients abandoned."""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

import anyio


class SeenRequest(NamedTuple):
    """One request as the simulator received it (``query`` is the raw query string)."""

    method: str
    path: str
    query: str


class StreamClosed:
    """Counts run streams whose client went away before the stream's last event.

    Behaves like a ``threading.Event`` (``is_set``, ``wait``, ``clear``) that also knows how many
    times and for which runs it fired, so a test can assert that cancelling an MCP call closed the
    upstream stream (and that nothing else did).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._run_ids: list[str] = []

    def record(self, run_id: str) -> None:
        with self._cond:
            self._run_ids.append(run_id)
            self._cond.notify_all()

    @property
    def count(self) -> int:
        with self._cond:
            return len(self._run_ids)

    @property
    def run_ids(self) -> list[str]:
        with self._cond:
            return list(self._run_ids)

    def is_set(self) -> bool:
        return self.count > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block (the calling thread) until a stream was closed early; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: bool(self._run_ids), timeout)

    async def wait_async(self, within: float, *, count: int = 1) -> bool:
        """Like ``wait`` for async tests (``count`` early closes ``within`` seconds), without
        blocking the caller's event loop; False if they did not happen in time."""
        deadline = time.monotonic() + within
        while self.count < count:
            if time.monotonic() >= deadline:
                return False
            await anyio.sleep(0.01)
        return True

    def clear(self) -> None:
        with self._cond:
            self._run_ids.clear()
