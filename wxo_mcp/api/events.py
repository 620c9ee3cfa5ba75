"""Typed run-stream events.

Orchestrate documents about twenty event names and adds new ones between releases, so the
event is an open record (`event` is any string) rather than a closed union: unknown events
pass through untouched and the accumulator ignores what it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TERMINAL_EVENTS", "RunEvent"]

#: Events after which the run will produce nothing more.
TERMINAL_EVENTS = frozenset(
    {"done", "run.completed", "run.failed", "run.cancelled", "run.expired", "error"}
)


@dataclass(frozen=True)
class RunEvent:
    """One line of a run stream: `{"id": "<ms>-<seq>", "event": "...", "data": {...}}`."""

    id: str | None
    event: str
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> RunEvent | None:
        """Build an event from a decoded line; None if it names no event.

        A v2-style chunk names its kind in `object` instead of `event`; accepted for tolerance.
        """
        name = obj.get("event")
        if not isinstance(name, str) or not name:
            name = obj.get("object")
        if not isinstance(name, str) or not name:
            return None
        data = obj.get("data")
        event_id = obj.get("id")
        return cls(
            id=str(event_id) if event_id is not None else None,
            event=name,
            data=dict(data) if isinstance(data, Mapping) else {},
        )

    @property
    def is_terminal(self) -> bool:
        """Whether the run ends with this event."""
        return self.event in TERMINAL_EVENTS
