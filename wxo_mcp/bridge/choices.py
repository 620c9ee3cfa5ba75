"""Putting an agent's ``option`` reply to the user as an MCP elicitation.

When the client can show a form, a choice the agent offers is asked of the user directly and the
chosen value is sent on as the next message in the same thread, as Orchestrate's chat would do.
The two protocol eras ask differently: a 2025-era session sends ``elicitation/create`` in the
middle of the call (``ChoiceChannel.push``); a 2026-era call answers with an input-required result
and the client retries the same call with the answer and our ``request_state`` (sealed by the SDK,
so it can be trusted when it comes back). Without elicitation, or when the user declines, the
result keeps the text form: the options and how to answer them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcp.types import ElicitRequest, ElicitRequestFormParams, ElicitResult, InputRequiredResult

from wxo_mcp.bridge.results import RunResult

__all__ = [
    "CHOICE_KEY",
    "MAX_CHOICE_ROUNDS",
    "ChoiceChannel",
    "ChoiceState",
    "can_ask",
    "choice_prompt",
    "chosen",
    "input_required",
    "option_pairs",
    "with_choice_note",
]

CHOICE_KEY = "choice"
#: How many choices in a row one call puts to the user before it settles for the text form.
MAX_CHOICE_ROUNDS = 5
_STATE_VERSION = 1

Push = Callable[[str, dict[str, Any]], Awaitable[ElicitResult]]


@dataclass(frozen=True)
class ChoiceChannel:
    """How this call can ask the user: ``push`` (2025 era) or an input-required result (2026).

    On a 2026-era retry, ``responses`` and ``state`` carry the client's answers and the state we
    handed out in the previous round.
    """

    push: Push | None = None
    input_required: bool = False
    responses: Mapping[str, Any] | None = None
    state: str | None = None


@dataclass(frozen=True)
class ChoiceState:
    """What a 2026-era retry needs to carry on: whose choice it was and in which thread."""

    tool: str
    agent: str
    thread_id: str
    run_id: str
    options: tuple[tuple[str, str], ...]  # (label, value)
    round: int
    progress: float = 0.0
    """Progress notifications sent so far, so the next round's keep rising."""

    def encode(self) -> str:
        return json.dumps(
            {
                "v": _STATE_VERSION,
                "tool": self.tool,
                "agent": self.agent,
                "thread_id": self.thread_id,
                "run_id": self.run_id,
                "options": [list(o) for o in self.options],
                "round": self.round,
                "progress": self.progress,
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, state: str | None) -> ChoiceState | None:
        """The state of the previous round, or None if there is none we recognise."""
        if not state:
            return None
        try:
            data = json.loads(state)
            if data.get("v") != _STATE_VERSION:
                return None
            return cls(
                tool=str(data["tool"]),
                agent=str(data["agent"]),
                thread_id=str(data["thread_id"]),
                run_id=str(data["run_id"]),
                options=tuple((str(label), str(value)) for label, value in data["options"]),
                round=int(data["round"]),
                progress=float(data.get("progress", 0.0)),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    @classmethod
    def of(cls, result: RunResult, tool: str, round_: int, progress: float = 0.0) -> ChoiceState:
        assert result.thread_id is not None
        assert result.run_id is not None
        return cls(
            tool=tool,
            agent=result.agent or "",
            thread_id=result.thread_id,
            run_id=result.run_id,
            options=option_pairs(result.options or []),
            round=round_,
            progress=progress,
        )


def option_pairs(options: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(o.get("label") or o.get("value")), str(o["value"]))
        for o in options
        if isinstance(o.get("value"), str) and o["value"]
    )


def can_ask(result: RunResult) -> bool:
    """Whether a result is a choice we can put to the user (and continue in its thread)."""
    return (
        result.status == "completed"
        and bool(result.thread_id and result.run_id)
        and bool(option_pairs(result.options or []))
    )


def choice_prompt(result: RunResult) -> tuple[str, dict[str, Any]]:
    """The elicitation message and its one-field schema (a titled single-select enum)."""
    pairs = option_pairs(result.options or [])
    question = _question(result.text) or "The agent asks you to choose."
    agent = f"The Orchestrate agent {result.agent}" if result.agent else "The Orchestrate agent"
    schema = {
        "type": "object",
        "properties": {
            CHOICE_KEY: {
                "type": "string",
                "title": "Your choice",
                "oneOf": [{"const": value, "title": label} for label, value in pairs],
            }
        },
        "required": [CHOICE_KEY],
    }
    return f"{agent} asks: {question}", schema


def _question(text: str) -> str:
    """The agent's own words before the rendered option list."""
    head = text.split("Options:\n", 1)[0].strip()
    return head[:1000]


def chosen(answer: object, options: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """(label, value) the user accepted, or None for decline, cancel or an unknown value."""
    if not isinstance(answer, ElicitResult) or answer.action != "accept" or not answer.content:
        return None
    value = answer.content.get(CHOICE_KEY)
    for label, known in options:
        if value == known:
            return label, known
    return None


def input_required(
    result: RunResult, tool: str, round_: int, progress: float = 0.0
) -> InputRequiredResult:
    """The 2026-era question: an elicitation request plus the state to resume from."""
    message, schema = choice_prompt(result)
    request = ElicitRequest(
        params=ElicitRequestFormParams(message=message, requested_schema=schema)
    )
    return InputRequiredResult(
        input_requests={CHOICE_KEY: request},
        request_state=ChoiceState.of(result, tool, round_, progress).encode(),
    )


def with_choice_note(result: RunResult, label: str) -> RunResult:
    """The answer to a chosen option, saying what was chosen (the model never saw the question)."""
    note = f'(The agent offered a choice; the user chose "{label}".)'
    text = f"{note}\n\n{result.text}" if result.text else note
    return result.model_copy(update={"text": text})
