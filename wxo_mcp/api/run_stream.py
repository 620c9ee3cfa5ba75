"""RunStream: the events of one streamed run, read off its HTTP response.

Apart from the client because reading a run is its own job (NDJSON decoding, the terminal
event, stalls, the size cap, diagnostics for a StreamError, draining the body so the connection
can be reused), while the client only starts runs and reads resources.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

import anyio
import httpx2 as httpx

from wxo_mcp.api.events import RunEvent
from wxo_mcp.api.ndjson import DEFAULT_MAX_LINE_BYTES, NDJSONDecoder
from wxo_mcp.errors import StreamError, redact

__all__ = ["RunStream"]

logger = logging.getLogger(__name__)

#: After a terminal event, how long (and how much) the rest of the body is read so that the
#: connection can go back to the pool; a server that keeps it open loses it instead.
DRAIN_SECONDS = 0.1
DRAIN_BYTES = 64 * 1024
#: Events a RunStream keeps for a StreamError's diagnostics (it keeps no others).
RECENT_EVENTS = 16


class RunStream:
    """The events of one streamed run, as an async iterator that owns its HTTP response.

    Ends at the first terminal event, even if the connection stays open after it. Raises
    StreamError (with the last few events) if the connection breaks, stalls past the read
    timeout, ends before a terminal event, or sends more than ``max_bytes`` without finishing.
    Events are handed out, never kept: memory does not grow with the length of the run.
    Closed by `stream_run`'s block.
    """

    def __init__(
        self,
        response: httpx.Response,
        where: str,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        *,
        max_bytes: int | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        self._response = response
        self._where = where
        self._chunks = response.aiter_bytes()
        self._decoder = NDJSONDecoder(max_line_bytes)
        self._pending: deque[RunEvent] = deque()
        self._exhausted = False
        self._terminal = False
        self._max_bytes = max_bytes
        self._secrets = secrets or []
        self._summarised = False
        #: The last events handed out (for diagnostics), and how many there were in all.
        self.recent: deque[RunEvent] = deque(maxlen=RECENT_EVENTS)
        self.count = 0
        self.bytes_read = 0
        self.run_id: str | None = None
        self.thread_id: str | None = None

    def __aiter__(self) -> RunStream:
        return self

    def _queue(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            if self._terminal:
                return  # nothing after the end of the run counts
            event = RunEvent.from_wire(obj)
            if event is None:
                continue
            self._terminal = event.is_terminal
            data = event.data
            if self.run_id is None and isinstance(data.get("run_id"), str):
                self.run_id = data["run_id"]
            if self.thread_id is None and isinstance(data.get("thread_id"), str):
                self.thread_id = data["thread_id"]
            self._pending.append(event)

    def _broken(self, reason: str, *, stalled: bool = False) -> StreamError:
        run = f" (run {self.run_id})" if self.run_id else ""
        hint = (
            f'The run may still finish: call get_run with run_id "{self.run_id}" later.'
            if self.run_id
            else "Try again."
        )
        return StreamError(
            f"The run stream from {self._where}{run} {reason} after {self.count} events.",
            hint,
            events=self.recent,
            run_id=self.run_id,
            thread_id=self.thread_id,
            stalled=stalled,
        )

    async def __anext__(self) -> RunEvent:
        while not self._pending:
            if self._exhausted or self._terminal:
                raise StopAsyncIteration
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._exhausted = True
                self._queue(self._decoder.flush())
                if not self._pending and not self._terminal:
                    raise self._broken(self._ended_early()) from None
                continue
            except httpx.TimeoutException as exc:
                self._exhausted = True
                raise self._broken("went silent", stalled=True) from exc
            except httpx.HTTPError as exc:
                self._exhausted = True
                raise self._broken(f"broke ({redact(str(exc)) or type(exc).__name__})") from exc
            self.bytes_read += len(chunk)
            if self._max_bytes is not None and self.bytes_read > self._max_bytes:
                self._exhausted = True
                raise self._broken(
                    f"sent more than {self._max_bytes // (1024 * 1024)} MB without finishing, "
                    "so wxo-mcp stopped reading it,"
                )
            self._queue(self._decoder.feed(chunk))
        event = self._pending.popleft()
        self.count += 1
        self.recent.append(event)
        return event

    def _ended_early(self) -> str:
        if self.count == 0 and self._decoder.skipped_lines:
            kind = self._response.headers.get("content-type", "no content type")
            return (
                f"ended before the run finished: HTTP {self._response.status_code} ({kind}) "
                f"with {self._decoder.skipped_lines} lines that are not run events"
            )
        return "ended before the run finished"

    def _summarise_skipped(self) -> None:
        """One warning per run for lines that were not events, never one per line."""
        decoder = self._decoder
        if self._summarised or not decoder.skipped_lines:
            return
        self._summarised = True
        run = f" of run {self.run_id}" if self.run_id else ""
        logger.warning(
            "Skipped %d run-stream lines%s from %s that were not JSON events (first: %r).",
            decoder.skipped_lines,
            run,
            self._where,
            redact(decoder.first_skipped, self._secrets),
        )

    async def aclose(self) -> None:
        """Close the response now (also when cancelled: the close is shielded, and brief)."""
        drain = self._terminal and not self._exhausted
        self._exhausted = True
        self._summarise_skipped()
        with anyio.move_on_after(5, shield=True):
            try:
                if drain:
                    await self._drain()
                await self._response.aclose()
            except httpx.HTTPError as exc:
                logger.debug("Ignored an error while closing a run stream: %s", exc)

    async def _drain(self) -> None:
        """The body's end usually follows the terminal event at once: read it, briefly, so the
        connection can serve the next run."""
        left = DRAIN_BYTES
        with anyio.move_on_after(DRAIN_SECONDS):
            async for chunk in self._chunks:
                left -= len(chunk)
                if left < 0:
                    return
