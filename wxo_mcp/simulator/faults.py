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

StreamFaultKind = Literal[
    "drop", "stall", "malformed", "endless", "linger", "lose", "invalid_utf8", "echo_token"
]
#: How a request fault answers: a status, nothing at all, a huge body, or a web page.
RequestFaultMode = Literal["status", "hang", "huge_body", "html"]


@dataclass(frozen=True, slots=True)
class StatusFault:
    """Answer a request with ``code`` instead of serving it (or, per ``mode``, not answer it,
    answer with a body of ``size`` bytes made as it is sent, or with an HTML page)."""

    code: int
    retry_after: float | None = None
    path_contains: str | None = None
    body: Any = (
        None  # None: the usual body for ``code`` (quota detail for 429, ``{"detail"}`` else)
    )
    mode: RequestFaultMode = "status"
    method: str | None = None
    size: int = 0
    location: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class StreamFault:
    """Break a run stream after ``events`` events: drop the connection, stall, write a bad line
    (or one echoing the caller's token), never end (``endless``: a ``size``-byte delta every
    ``seconds``), keep the connection open after ``done`` (``linger``), drop it and forget the
    run (``lose``), or put a byte that is not UTF-8 into the final answer (``invalid_utf8``)."""

    kind: StreamFaultKind
    events: int
    seconds: float = 0.0
    size: int = 0


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
        if retry_after is not None and retry_after < 0:
            raise FaultError("retry_after must be >= 0")
        self._arm_status(StatusFault(code, retry_after, path_contains, body), times)

    def _arm_status(self, fault: StatusFault, times: int) -> None:
        if not 100 <= fault.code <= 599:
            raise FaultError(f"status code {fault.code} is not an HTTP status")
        _check_count("times", times, minimum=1)
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

    def echo_token_after(self, events: int, times: int = 1) -> None:
        """The next run streams write a broken line quoting the caller's bearer token."""
        self._arm_stream(StreamFault("echo_token", _check_count("events", events)), times)

    def endless_stream_after(
        self, events: int, size: int = 48 * 1024, seconds: float = 0.01, times: int = 1
    ) -> None:
        """The next run streams, after ``events`` events, send a ``size``-byte ``message.delta``
        every ``seconds`` and never finish (until the client leaves). Nothing is stored."""
        if size < 1 or seconds < 0:
            raise FaultError("size must be >= 1 and seconds >= 0")
        fault = StreamFault("endless", _check_count("events", events), seconds, size)
        self._arm_stream(fault, times)

    def linger_after_done(self, times: int = 1) -> None:
        """The next run streams send every event, ``done`` included, then keep the connection
        open without a word (until the client leaves)."""
        self._arm_stream(StreamFault("linger", 0), times)

    def lose_run_after(self, events: int, times: int = 1) -> None:
        """The next run streams drop after ``events`` events, and the runtime forgets the run:
        ``GET /runs/{id}`` answers 404 from then on."""
        self._arm_stream(StreamFault("lose", _check_count("events", events)), times)

    def invalid_utf8_answer(self, times: int = 1) -> None:
        """The next run streams send their final message with a byte that is not UTF-8."""
        self._arm_stream(StreamFault("invalid_utf8", 0), times)

    def hang(self, path_contains: str, method: str | None = None, seconds: float = 3600.0) -> None:
        """The next matching request gets no answer for ``seconds`` (or until shutdown)."""
        if seconds < 0:
            raise FaultError("seconds must be >= 0")
        fault = StatusFault(
            504, path_contains=path_contains, mode="hang", method=method, seconds=seconds
        )
        self._arm_status(fault, 1)

    def huge_body(
        self, code: int, size: int, path_contains: str | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` matching requests with ``code`` and a ``size``-byte body,
        made as it is sent (the simulator never holds it)."""
        _check_count("size", size, minimum=1)
        self._arm_status(
            StatusFault(code, path_contains=path_contains, mode="huge_body", size=size), times
        )

    def html(
        self,
        code: int = 200,
        path_contains: str | None = None,
        location: str | None = None,
        lines: int = 2000,
        times: int = 1,
    ) -> None:
        """Answer the next matching requests with an HTML page of ``lines`` lines (a login proxy,
        a captive portal), or a redirect to ``location`` when ``code`` is 3xx."""
        fault = StatusFault(
            code, path_contains=path_contains, mode="html", size=lines, location=location
        )
        self._arm_status(fault, times)

    def clear(self) -> None:
        with self._lock:
            self._status.clear()
            self._streams.clear()

    def arm(self, spec: Mapping[str, Any]) -> None:
        """Arm a fault from its JSON form (the body of ``POST /_simulator/faults``).

        ``{"kind": "status", "code", "times"?, "retry_after"?, "path_contains"?, "body"?}``,
        ``{"kind": "drop_stream" | "malformed_line" | "echo_token" | "lose_run", "events",
        "times"?}``, ``{"kind": "stall_stream", "events", "seconds"?, "times"?}``,
        ``{"kind": "endless_stream", "events"?, "size"?, "seconds"?, "times"?}``,
        ``{"kind": "linger_after_done" | "invalid_utf8", "times"?}``,
        ``{"kind": "hang", "path_contains", "method"?, "seconds"?}``,
        ``{"kind": "huge_body", "code", "size", "path_contains"?, "times"?}``,
        ``{"kind": "html", "code"?, "path_contains"?, "location"?, "lines"?, "times"?}``,
        ``{"kind": "clear"}``.
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
                self._arm_more(kind, spec)
        except KeyError as exc:
            raise FaultError(f"fault {kind!r} needs {exc.args[0]!r}") from exc
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FaultError):
                raise
            raise FaultError(f"bad fault {dict(spec)!r}: {exc}") from exc

    def _arm_more(self, kind: object, spec: Mapping[str, Any]) -> None:
        """The fault kinds added for hostile-upstream tests (see ``arm``)."""
        times = int(spec.get("times", 1))
        path = _opt_str(spec.get("path_contains"))
        if kind == "echo_token":
            self.echo_token_after(int(spec["events"]), times=times)
        elif kind == "endless_stream":
            self.endless_stream_after(
                int(spec.get("events", 3)),
                size=int(spec.get("size", 48 * 1024)),
                seconds=float(spec.get("seconds", 0.01)),
                times=times,
            )
        elif kind == "linger_after_done":
            self.linger_after_done(times=times)
        elif kind == "lose_run":
            self.lose_run_after(int(spec["events"]), times=times)
        elif kind == "invalid_utf8":
            self.invalid_utf8_answer(times=times)
        elif kind == "hang":
            self.hang(
                str(spec["path_contains"]),
                method=_opt_str(spec.get("method")),
                seconds=float(spec.get("seconds", 3600.0)),
            )
        elif kind == "huge_body":
            self.huge_body(int(spec["code"]), int(spec["size"]), path_contains=path, times=times)
        elif kind == "html":
            self.html(
                int(spec.get("code", 200)),
                path_contains=path,
                location=_opt_str(spec.get("location")),
                lines=int(spec.get("lines", 2000)),
                times=times,
            )
        else:
            raise FaultError(f"unknown fault kind {kind!r}")

    def take_status(self, path: str, method: str = "GET") -> StatusFault | None:
        """The status fault for a request to ``path``, if one is armed (consuming one use)."""
        with self._lock:
            for index, (fault, remaining) in enumerate(self._status):
                if fault.method is not None and fault.method.upper() != method.upper():
                    continue
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
