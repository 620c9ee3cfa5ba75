"""NDJSON framing of run events, as the real runtime writes them.

The wire is one JSON object per line, ``{"id": "<ms>-<seq>", "event": ..., "data": {...}}``, dumped
with
Python's default separators (``", "`` and ``": "``), under ``Content-Type: text/event-stream;
charset=utf-8`` and chunked transfer encoding: an SSE content type with no SSE framing (§5.1).
"""

from __future__ import annotations

import json
import time
from typing import Any

MEDIA_TYPE = "text/event-stream; charset=utf-8"


class EventIdClock:
    """Makes Redis-stream-style ids ``<epoch ms>-<seq>`` that strictly increase.

    ``seq`` counts events within the same millisecond, as in the recorded ``1770397027222-0`` /
    ``1770397027222-1`` pair; if the wall clock steps back, the last millisecond is reused so the
    ids
    still increase.
    """

    def __init__(self) -> None:
        self._ms = 0
        self._seq = 0

    def next(self) -> str:
        ms = time.time_ns() // 1_000_000
        if ms > self._ms:
            self._ms, self._seq = ms, 0
        else:
            self._seq += 1
        return f"{self._ms}-{self._seq}"


def frame(event_id: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """One event object, keys in wire order."""
    return {"id": event_id, "event": event, "data": data}


def encode(event: dict[str, Any]) -> bytes:
    """One wire line: default ``json.dumps`` separators, non-ASCII escaped as Python does,
    ``\\n``."""
    return json.dumps(event).encode("utf-8") + b"\n"


#: What a ``malformed_line`` fault writes: a truncated JSON object, as a broken proxy might.
MALFORMED_LINE = b'{"id": "0-0", "event": "message.delta", "data": {"thread_id": \n'
