"""An I/O-free decoder for Orchestrate's run stream: NDJSON served as `text/event-stream`.

The wire is one JSON object per line (orchestrate-api.md §5.1), but the content type invites
proxies and future versions to add SSE framing, so the decoder also accepts `data:` prefixes
and skips `event:`/`id:`/`retry:` fields, blank lines, `:` comments and `[DONE]`.

Bytes are split into lines *before* decoding, so a UTF-8 character or a CRLF split across
chunks needs no special care: a line is decoded only once its `\\n` has arrived. Memory is
bounded by one line; a line longer than `max_line_bytes` is dropped (with a warning) without
buffering the rest of it. A malformed line is skipped: one bad line must not lose the answer
that follows it. Skipped lines are counted and the first is kept, short, for the one summary
the stream's owner logs (an HTML page would otherwise log a warning per line). Bytes that are
not UTF-8 become U+FFFD: an answer with one bad byte is still the answer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from wxo_mcp.errors import redact

__all__ = ["DEFAULT_MAX_LINE_BYTES", "NDJSONDecoder"]

logger = logging.getLogger(__name__)

#: One event carries one message; 64 MiB is far above any real one and still bounded.
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024

_SSE_SKIPPED_FIELDS = (b"event:", b"id:", b"retry:")


class NDJSONDecoder:
    """Feed it chunks, get back the JSON objects of the complete lines.

    >>> d = NDJSONDecoder()
    >>> d.feed(b'{"event": "done", "da')
    []
    >>> d.feed(b'ta": {}}\\n')
    [{'event': 'done', 'data': {}}]
    """

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_line_bytes
        # True while skipping the rest of an over-long line, up to its newline.
        self._discarding = False
        self.skipped_lines = 0
        #: The start of the first skipped line (unredacted: the owner redacts before logging).
        self.first_skipped = ""

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        """Add bytes; return the objects of every line completed by them."""
        out: list[dict[str, Any]] = []
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            if newline < 0:
                break
            piece = chunk[start:newline]
            start = newline + 1
            if self._discarding:
                self._discarding = False
                continue
            if self._buffer:
                self._buffer += piece
                line = bytes(self._buffer)
                self._buffer.clear()
            else:
                line = piece
            if len(line) > self._max:
                self._drop_long_line()
                continue
            obj = self._decode_line(line)
            if obj is not None:
                out.append(obj)
        rest = chunk[start:]
        if rest and not self._discarding:
            if len(self._buffer) + len(rest) > self._max:
                self._buffer.clear()
                self._discarding = True
                self._drop_long_line()
            else:
                self._buffer += rest
        return out

    def flush(self) -> list[dict[str, Any]]:
        """End of stream: decode a last line that had no newline."""
        self._discarding = False
        if not self._buffer:
            return []
        line = bytes(self._buffer)
        self._buffer.clear()
        obj = self._decode_line(line)
        return [obj] if obj is not None else []

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete line (for tests of the memory bound)."""
        return len(self._buffer)

    def _drop_long_line(self) -> None:
        self._skip(f"(a line longer than {self._max} bytes)")

    def _skip(self, sample: str) -> None:
        self.skipped_lines += 1
        if self.skipped_lines == 1:
            self.first_skipped = sample
        logger.debug("Skipped run-stream line %d.", self.skipped_lines)

    def _decode_line(self, raw: bytes) -> dict[str, Any] | None:
        line = raw.strip()
        if not line or line.startswith(b":"):
            return None
        if line.startswith(b"data:"):
            line = line[5:].strip()
            if not line:
                return None
        elif line.startswith(_SSE_SKIPPED_FIELDS):
            return None
        if line == b"[DONE]":
            return None
        try:
            obj = _loads(line)
        except ValueError:
            # Keep only a short prefix: the line is server data and may be large.
            self._skip(redact(line[:60].decode("utf-8", errors="replace")))
            return None
        if not isinstance(obj, dict):
            self._skip("(a JSON value that is not an object)")
            return None
        return obj


def _loads(line: bytes) -> Any:
    try:
        return json.loads(line)
    except UnicodeDecodeError:
        return json.loads(line.decode("utf-8", errors="replace"))
