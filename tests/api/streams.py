"""Helpers for the stream tests: load the recorded streams of tests/data."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from wxo_mcp.api import NDJSONDecoder, RunAccumulator, RunEvent

DATA = Path(__file__).resolve().parent.parent / "data"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def decode_all(data: bytes, chunks: list[int] | None = None) -> list[dict[str, Any]]:
    """Decode `data` fed in pieces cut at the given offsets (whole if None)."""
    decoder = NDJSONDecoder()
    out: list[dict[str, Any]] = []
    cuts = [0, *(chunks or []), len(data)]
    for a, b in itertools.pairwise(cuts):
        out.extend(decoder.feed(data[a:b]))
    out.extend(decoder.flush())
    return out


def events(data: bytes) -> list[RunEvent]:
    return [e for e in (RunEvent.from_wire(o) for o in decode_all(data)) if e is not None]


def fold(evs: list[RunEvent]) -> RunAccumulator:
    acc = RunAccumulator()
    for ev in evs:
        acc.feed(ev)
    return acc


def ev(event: str, **data: object) -> RunEvent:
    return RunEvent(id=None, event=event, data=dict(data))
