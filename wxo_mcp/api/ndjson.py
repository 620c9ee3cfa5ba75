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
        view = memoryview(chunk)  # slices of a view copy nothing
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            if newline < 0:
                break
            piece = view[start:newline]
            start = newline + 1
            if self._discarding:
                self._discarding = False
                continue
            if self._buffer:
                self._buffer += piece
                obj = self._decode_buffer()
            elif len(piece) > self._max:
                self._drop_long_line()
                continue
            else:
                obj = self._decode_line(piece)
            if obj is not None:
                out.append(obj)
        if start < len(chunk) and not self._discarding:
            if len(self._buffer) + len(chunk) - start > self._max:
                self._buffer = bytearray()
                self._discarding = True
                self._drop_long_line()
            else:
                self._buffer += view[start:]
        return out

    def flush(self) -> list[dict[str, Any]]:
        """End of stream: decode a last line that had no newline."""
        self._discarding = False
        if not self._buffer:
            return []
        obj = self._decode_buffer()
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

    def _decode_buffer(self) -> dict[str, Any] | None:
        """Decode the buffered line and release the buffer before parsing it.

        A 10 MB answer arrives as one line in many chunks: its bytes are decoded straight into
        text (no intermediate copy) and let go, so at most two copies of it live at once (bytes
        and text, then text and parsed value) instead of three.
        """
        raw, self._buffer = self._buffer, bytearray()
        if len(raw) > self._max:
            self._drop_long_line()
            return None
        if not _plain_json(raw):
            return self._decode_line(bytes(raw))
        try:
            text = str(raw, "utf-8", "surrogatepass")
        except UnicodeDecodeError:  # the ordinary path decides what becomes of it
            return self._parse(bytes(raw))
        del raw
        return self._parse(text)

    def _decode_line(self, raw: bytes | memoryview) -> dict[str, Any] | None:
        if _plain_json(raw):
            # The JSON parser skips surrounding whitespace itself: no strip, no copy.
            return self._parse(raw if isinstance(raw, bytes) else raw.tobytes())
        line = bytes(raw).strip()
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
        return self._parse(line)

    def _parse(self, line: str | bytes) -> dict[str, Any] | None:
        try:
            obj = _loads(line)
        except ValueError:
            # UnicodeDecodeError is a ValueError too. Keep only a short prefix: the line is
            # server data and may be large.
            start = line[:60]
            self._skip(
                redact(start if isinstance(start, str) else start.decode("utf-8", "replace"))
            )
            return None
        if not isinstance(obj, dict):
            self._skip("(a JSON value that is not an object)")
            return None
        return obj


def _loads(line: str | bytes) -> Any:
    try:
        return json.loads(line)
    except UnicodeDecodeError:
        # Invalid UTF-8 in an answer: keep the text, with U+FFFD where the bytes were broken.
        assert isinstance(line, bytes)  # only bytes can fail to decode
        return json.loads(line.decode("utf-8", errors="replace"))


def _plain_json(raw: bytes | bytearray | memoryview) -> bool:
    """Whether a line is a bare JSON object (no SSE framing, BOM or leading blanks to cut)."""
    return raw[:1] == b"{"
