"""Injected faults: error statuses and broken streams, armed by tests and consumed by requests.

Faults are armed from the test's thread (``sim.faults``) or over ``POST /_simulator/faults`` and
taken by
request handlers on the server's event loop, hence the lock. Each armed fault applies to the next
matching request(s) only, in the order armed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

StreamFaultKind = Literal["drop", "stall", "malformed"]


@dataclass(frozen=True, slots=True)
class StatusFault:
    """Answer a request with ``code`` instead of serving it."""

    code: int
    retry_after: float | None = None
    path_contains: str | None = None
    body: Any = (
        None  # None: the usual body for ``code`` (quota detail for 429, ``{"detail"}`` else)
    )


@dataclass(frozen=True, slots=True)
class StreamFault:
    """Break a run stream after ``events`` events: drop the connection, stall, or write a bad
    line."""

    kind: StreamFaultKind
    events: int
    seconds: float = 0.0


class FaultError(ValueError):
    """A fault specification that makes no sense (bad kind, negative count…)."""


class Faults:
    """The armed faults of one simulator. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: list[tuple[StatusFault, int]] = []
        self._streams: list[StreamFault] = []

    def status(
        self,
        code: int,
        times: int = 1,
        retry_after: float | None = None,
        path_contains: str | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next ``times`` requests (whose path contains ``path_contains``) with ``code``.

        A ``Retry-After`` header is sent only when ``retry_after`` is given: the real service sends
        none, and clients must cope with that.
        """
        if not 100 <= code <= 599:
            raise FaultError(f"status code {code} is not an HTTP status")
        _check_count("times", times, minimum=1)
        if retry_after is not None and retry_after < 0:
            raise FaultError("retry_after must be >= 0")
        fault = StatusFault(code, retry_after, path_contains, body)
        with self._lock:
            self._status.append((fault, times))

    def drop_stream_after(self, events: int, times: int = 1) -> None:
        """The next ``times`` run streams close the connection, mid-body, after ``events``
        events."""
        self._arm_stream(StreamFault("drop", _check_count("events", events)), times)

    def stall_stream_after(self, events: int, seconds: float = 30.0, times: int = 1) -> None:
        """The next run streams send nothing for ``seconds`` after ``events`` events, then go on."""
        if seconds < 0:
            raise FaultError("seconds must be >= 0")
        self._arm_stream(StreamFault("stall", _check_count("events", events), seconds), times)

    def malformed_line_after(self, events: int, times: int = 1) -> None:
        """The next run streams write one line that is not JSON after ``events`` events."""
        self._arm_stream(StreamFault("malformed", _check_count("events", events)), times)

    def clear(self) -> None:
        with self._lock:
            self._status.clear()
            self._streams.clear()

    def arm(self, spec: Mapping[str, Any]) -> None:
        """Arm a fault from its JSON form (the body of ``POST /_simulator/faults``).

        ``{"kind": "status", "code", "times"?, "retry_after"?, "path_contains"?, "body"?}``,
        ``{"kind": "drop_stream" | "malformed_line", "events", "times"?}``,
        ``{"kind": "stall_stream", "events", "seconds"?, "times"?}``, ``{"kind": "clear"}``.
        """
        kind = spec.get("kind")
        try:
            if kind == "status":
                self.status(
                    int(spec["code"]),
                    times=int(spec.get("times", 1)),
                    retry_after=_opt_float(spec.get("retry_after")),
                    path_contains=_opt_str(spec.get("path_contains")),
                    body=spec.get("body"),
                )
            elif kind == "drop_stream":
                self.drop_stream_after(int(spec["events"]), times=int(spec.get("times", 1)))
            elif kind == "stall_stream":
                self.stall_stream_after(
                    int(spec["events"]),
                    seconds=float(spec.get("seconds", 30.0)),
                    times=int(spec.get("times", 1)),
                )
            elif kind == "malformed_line":
                self.malformed_line_after(int(spec["events"]), times=int(spec.get("times", 1)))
            elif kind == "clear":
                self.clear()
            else:
                raise FaultError(f"unknown fault kind {kind!r}")
        except KeyError as exc:
            raise FaultError(f"fault {kind!r} needs {exc.args[0]!r}") from exc
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FaultError):
                raise
            raise FaultError(f"bad fault {dict(spec)!r}: {exc}") from exc

    def take_status(self, path: str) -> StatusFault | None:
        """The status fault for a request to ``path``, if one is armed (consuming one use)."""
        with self._lock:
            for index, (fault, remaining) in enumerate(self._status):
                if fault.path_contains is None or fault.path_contains in path:
                    if remaining <= 1:
                        del self._status[index]
                    else:
                        self._status[index] = (fault, remaining - 1)
                    return fault
        return None

    def take_stream(self) -> StreamFault | None:
        """The fault for the next run stream, if one is armed (consuming it)."""
        with self._lock:
            return self._streams.pop(0) if self._streams else None

    def _arm_stream(self, fault: StreamFault, times: int) -> None:
        _check_count("times", times, minimum=1)
        with self._lock:
            self._streams.extend([fault] * times)


def _check_count(name: str, value: int, minimum: int = 0) -> int:
    if value < minimum:
        raise FaultError(f"{name} must be >= {minimum}")
    return value


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
