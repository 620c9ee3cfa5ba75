"""Fold run-stream events into what the run produced.

Where the answer comes from (design.md §1): the last assistant `message.created` is the
answer; `message.delta` texts are only a fallback, because captures show deltas that are
empty or disagree with the final message (orchestrate-api.md §5.2). Tool steps come from
`run.step.delta` step_details; when no delta carried any (some versions only persist them),
from the final message's `step_history`. The status comes from terminal events only, so the
2025 event set (no `message.completed`, no `run.step.intermediate`) folds the same way.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wxo_mcp.api.events import RunEvent

__all__ = ["RunAccumulator", "RunOutcome", "RunStatus", "ToolStep"]

RunStatus = Literal["running", "completed", "failed", "cancelled", "expired"]

_TERMINAL_STATUS: dict[str, RunStatus] = {
    "run.completed": "completed",
    "done": "completed",
    "run.failed": "failed",
    "error": "failed",
    "run.cancelled": "cancelled",
    "run.expired": "expired",
}


@dataclass(frozen=True)
class ToolStep:
    """A tool call an agent made, or the response it got back.

    `args` is set for calls, `content` (a string, often JSON) for responses.
    """

    kind: Literal["tool_call", "tool_response"]
    name: str | None
    tool_call_id: str | None
    args: Any = None
    content: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    """A snapshot of a run as folded so far (see `RunAccumulator.outcome`)."""

    run_id: str | None
    thread_id: str | None
    status: RunStatus
    text: str
    text_source: Literal["message", "deltas", "none"]
    error: str | None
    final_message: dict[str, Any] | None
    steps: tuple[ToolStep, ...] = field(default_factory=tuple)
    is_async: bool = False


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _error_of(data: Mapping[str, Any]) -> str | None:
    """The error text of run.failed / error data: a string, or a dict with a message."""
    for key in ("error", "last_error", "detail", "message"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping):
            for sub in ("message", "detail", "text", "code"):
                if isinstance(value.get(sub), str) and value[sub]:
                    return str(value[sub])
            return json.dumps(value)[:500]
    return None


def _call_step(call: Mapping[str, Any]) -> ToolStep:
    """One call, from a ``tool_calls`` batch (``id``) or a ``tool_call`` (``tool_call_id``)."""
    return ToolStep(
        "tool_call",
        _str_or_none(call.get("name")),
        _str_or_none(call.get("id") or call.get("tool_call_id")),
        args=call.get("args", call.get("arguments")),
    )


def _steps_of(details: object) -> list[ToolStep]:
    """ToolSteps of one `step_details` value (a list of steps, or a single step dict)."""
    items: Iterable[object] = (
        details if isinstance(details, list) else [details] if isinstance(details, dict) else []
    )
    steps: list[ToolStep] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type")
        if kind == "tool_calls":
            steps.extend(
                _call_step(call)
                for call in item.get("tool_calls") or []
                if isinstance(call, Mapping)
            )
        elif kind == "tool_call":
            steps.append(_call_step(item))
        elif kind == "tool_response":
            content = item.get("content")
            if content is not None and not isinstance(content, str):
                content = json.dumps(content)
            steps.append(
                ToolStep(
                    "tool_response",
                    _str_or_none(item.get("name")),
                    _str_or_none(item.get("tool_call_id")),
                    content=content,
                )
            )
    return steps


#: Tool steps kept from a stream's deltas; a run that makes more is not one a model reads whole.
MAX_STEPS = 200
#: A tool response's content kept per step (results show 2,000 characters; files named in it
#: are found by parsing it, so keep far more than that).
MAX_STEP_CONTENT = 64 * 1024


class RunAccumulator:
    """Folds RunEvents, in order, into the run's ids, status, text and tool steps.

    Memory is bounded by what a result can show, not by the stream: delta text is kept up to
    ``max_text_chars`` (the rest only counted, in ``delta_chars``), tool steps up to
    ``MAX_STEPS``; events themselves are folded, never stored.
    """

    def __init__(self, max_text_chars: int | None = None) -> None:
        self.run_id: str | None = None
        self.thread_id: str | None = None
        self.status: RunStatus = "running"
        self.error: str | None = None
        self.final_message: dict[str, Any] | None = None
        self._delta_parts: list[str] = []
        self._delta_text: str | None = ""
        self._max_text = max_text_chars
        self._kept_chars = 0
        #: Characters of delta text received, kept or not.
        self.delta_chars = 0
        #: The latest status line of run.step.intermediate ("Thinking this through…").
        self.progress_text: str | None = None
        self.finished = False
        self.events_seen = 0
        self._delta_steps: list[ToolStep] = []

    # -- folding ---------------------------------------------------------------------------

    def feed(self, ev: RunEvent) -> None:
        """Fold one event; unknown events only count."""
        self.events_seen += 1
        data = ev.data
        self.run_id = self.run_id or _str_or_none(data.get("run_id"))
        self.thread_id = self.thread_id or _str_or_none(data.get("thread_id"))
        name = ev.event
        if name == "message.delta":
            self._fold_delta(data.get("delta"))
        elif name == "run.step.delta":
            delta = data.get("delta")
            if isinstance(delta, Mapping):
                self._add_delta_steps(_steps_of(delta.get("step_details")))
        elif name == "message.created":
            message = data.get("message")
            if isinstance(message, dict) and message.get("role", "assistant") == "assistant":
                self.final_message = message
                self.thread_id = self.thread_id or _str_or_none(message.get("thread_id"))
        elif name == "run.step.intermediate":
            message = data.get("message")
            if isinstance(message, Mapping) and isinstance(message.get("text"), str):
                self.progress_text = message["text"]
        elif name in _TERMINAL_STATUS:
            self._fold_terminal(name, data)

    def _fold_delta(self, delta: object) -> None:
        if not isinstance(delta, Mapping):
            return
        content = delta.get("content")
        if isinstance(content, str):
            self._add_delta_text(content)
        elif isinstance(content, list):
            for item in content:
                if isinstance(item, Mapping) and isinstance(item.get("text"), str):
                    self._add_delta_text(item["text"])
        # Some versions put tool steps on message deltas too.
        if "step_details" in delta:
            self._add_delta_steps(_steps_of(delta.get("step_details")))

    def _add_delta_text(self, text: str) -> None:
        if not text:
            return
        self.delta_chars += len(text)
        if self._max_text is not None:
            room = self._max_text - self._kept_chars
            if room <= 0:
                return
            text = text[:room]
        self._kept_chars += len(text)
        self._delta_parts.append(text)
        self._delta_text = None  # joined again only when read

    @property
    def delta_text(self) -> str:
        """The message.delta texts, concatenated.

        Kept as parts and joined on demand: appending to one growing string copies it at
        every delta, which is quadratic for a long answer (10 MB in 2 KB deltas: ~25 GB copied).
        """
        if self._delta_text is None:
            self._delta_text = "".join(self._delta_parts)
            self._delta_parts = [self._delta_text]
        return self._delta_text

    @property
    def has_delta_text(self) -> bool:
        """Whether any delta carried text (without joining them)."""
        return bool(self._delta_parts)

    def _add_delta_steps(self, steps: list[ToolStep]) -> None:
        for step in steps:
            if len(self._delta_steps) >= MAX_STEPS:
                return
            if step.content is not None and len(step.content) > MAX_STEP_CONTENT:
                step = dataclasses.replace(step, content=step.content[:MAX_STEP_CONTENT])
            # A singular `tool_call` often repeats a call already announced in a batch
            # (agentops skips it as a duplicate).
            if (
                step.kind == "tool_call"
                and step.tool_call_id
                and any(
                    s.kind == "tool_call" and s.tool_call_id == step.tool_call_id
                    for s in self._delta_steps
                )
            ):
                continue
            self._delta_steps.append(step)

    def _fold_terminal(self, name: str, data: Mapping[str, Any]) -> None:
        status = _TERMINAL_STATUS[name]
        self.finished = True
        if self.status in ("failed", "cancelled", "expired"):
            # Final: the `done` that follows a failure is not a success.
            return
        self.status = status
        if status == "failed":
            self.error = _error_of(data) or (
                "The run failed without saying why."
                if name == "run.failed"
                else "Orchestrate reported an error during the run."
            )

    # -- reading -----------------------------------------------------------------------------

    @property
    def steps(self) -> list[ToolStep]:
        """Tool steps from the deltas, or else from the final message's step_history."""
        if self._delta_steps:
            return list(self._delta_steps)
        return self.steps_of_message(self.final_message or {})

    @property
    def is_async(self) -> bool:
        """Whether the final message says an async flow started (its output comes later)."""
        return self.message_is_async(self.final_message or {})

    @staticmethod
    def steps_of_message(msg: Mapping[str, Any]) -> list[ToolStep]:
        """The tool steps of a Message's ``step_history`` (a run result or a thread message)."""
        history = msg.get("step_history")
        steps: list[ToolStep] = []
        if isinstance(history, list):
            for entry in history:
                if isinstance(entry, Mapping):
                    steps.extend(_steps_of(entry.get("step_details")))
        return steps

    @staticmethod
    def message_is_async(msg: Mapping[str, Any]) -> bool:
        """Whether a Message is an async flow's notice (display_properties.is_async)."""
        props = msg.get("additional_properties")
        if not isinstance(props, Mapping):
            return False
        display = props.get("display_properties")
        return isinstance(display, Mapping) and display.get("is_async") is True

    @property
    def text_source(self) -> Literal["message", "deltas", "none"]:
        """Where `text()` comes from."""
        if self.final_message is not None and self.text_of_message(self.final_message):
            return "message"
        return "deltas" if self.has_delta_text else "none"

    def text(self) -> str:
        """The answer: the final message's text if it has any, else the concatenated deltas."""
        source = self.text_source
        if source == "message" and self.final_message is not None:
            return self.text_of_message(self.final_message)
        return self.delta_text if source == "deltas" else ""

    def outcome(self) -> RunOutcome:
        """A frozen snapshot of everything folded so far."""
        return RunOutcome(
            run_id=self.run_id,
            thread_id=self.thread_id,
            status=self.status,
            text=self.text(),
            text_source=self.text_source,
            error=self.error,
            final_message=self.final_message,
            steps=tuple(self.steps),
            is_async=self.is_async,
        )

    @staticmethod
    def text_of_message(msg: Mapping[str, Any]) -> str:
        """The text of a Message: its `content` string, or its items' `text` joined by newlines.

        Items of every response_type that carry a `text` count (conversational_search, option,
        file_upload, ... all have one); items without text contribute nothing.
        """
        content = msg.get("content")
        if isinstance(content, str):
            return content
        if not isinstance(content, list):
            return ""
        parts = [
            item["text"]
            for item in content
            if isinstance(item, Mapping) and isinstance(item.get("text"), str) and item["text"]
        ]
        return "\n".join(parts)
