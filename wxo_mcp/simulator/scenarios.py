"""Scripted agent behaviours: what each agent streams between ``message.started`` and its answer.

A scenario drives one :class:`Turn`: it emits ``run.step.intermediate``, ``run.step.delta`` and
``message.delta`` events through it and returns the :class:`Answer` that becomes the
``message.created``
message, or raises :class:`AgentFailure`. The framing events around it (``run.started`` …
``done``) belong to :mod:`.runner`, so every agent shares the recorded order of §12.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from . import payloads
from .agents import Behaviour
from .options import SimulatorOptions
from .store import RunRecord

JSON = dict[str, Any]
_N = TypeVar("_N", int, float)


class AgentFailure(Exception):
    """The agent failed; ``error`` is the text of ``run.failed`` ``data.error`` and
    ``last_error``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True, slots=True)
class Answer:
    """The final message of a run.

    ``content`` replaces the single text item with other content items (§11); ``is_async`` marks
    an async flow's notice (§10), whose ``later`` answer the runner appends to the thread
    ``later_seconds`` after the run completed.
    """

    text: str
    step_history: list[JSON] = field(default_factory=list)
    content: list[JSON] | None = None
    is_async: bool = False
    later: Answer | None = None
    later_seconds: float = 0.0


@dataclass(slots=True)
class Turn:
    """One run as a scenario sees it, with helpers that emit correctly shaped events."""

    record: RunRecord
    options: SimulatorOptions
    user_text: str
    turn: int  # user turns in the thread, this one included

    @property
    def agent_name(self) -> str:
        return self.record.agent.name

    def ids(self) -> JSON:
        return {"thread_id": self.record.thread_id, "run_id": self.record.id}

    async def pause(self, seconds: float | None = None) -> None:
        await anyio.sleep(self.options.event_delay if seconds is None else seconds)

    async def intermediate(self, key: str) -> None:
        """A status line (``run.step.intermediate``) with one of the recorded message keys."""
        await self.pause()
        text = payloads.intermediate_text(key)
        if self.options.stamp_steps:
            text = f"{text} @{time.time():.6f}"
        data = self.ids() | {
            "agent_display_name": self.agent_name,
            "current_agent": self.agent_name,
            "message": {"key": key, "text": text},
        }
        self.record.emit("run.step.intermediate", data)

    async def delta(self, text: str) -> None:
        await self.pause()
        delta = {"role": "assistant", "content": [payloads.text_item(text)]}
        self.record.emit("message.delta", self.ids() | {"delta": delta})

    async def stream_text(self, text: str, chunk: int) -> None:
        """Stream ``text`` as ``message.delta`` events of at most ``chunk`` characters."""
        for start in range(0, max(len(text), 1), chunk):
            await self.delta(text[start : start + chunk])

    async def step(self, step_details: list[JSON]) -> JSON:
        """A ``run.step.delta``; returns the step as ``message.step_history`` stores it."""
        await self.pause()
        delta = {"role": "assistant", "step_details": step_details}
        self.record.emit("run.step.delta", self.ids() | {"delta": delta})
        return {"role": "assistant", "step_details": step_details}

    async def tool_round(self, name: str, args: JSON, content: str) -> list[JSON]:
        """One tool call and its response, shaped as recorded (§5.3): a ``tool_calls`` step, then
        ``[tool_response, tool_call]``; returns both steps for ``message.step_history``."""
        call_id = payloads.tool_call_id()
        call_step = await self.step(
            [
                {
                    "type": "tool_calls",
                    "agent_display_name": self.agent_name,
                    "tool_calls": [{"id": call_id, "name": name, "args": args}],
                }
            ]
        )
        await self.pause(self.options.event_delay * 5)  # the tool "runs"
        response_step = await self.step(
            [
                {
                    "type": "tool_response",
                    "name": name,
                    "tool_call_id": call_id,
                    "content": content,
                },
                {"type": "tool_call", "name": name, "tool_call_id": call_id, "args": args},
            ]
        )
        return [call_step, response_step]


Scenario = Callable[[Turn], Awaitable[Answer]]


async def echo(turn: Turn) -> Answer:
    text = f"Echo (turn {turn.turn}): {turn.user_text}"
    await turn.intermediate("thinkingThisThrough")
    await turn.intermediate("preparingYourResponse")
    # Three deltas or so, to exercise concatenation; the 2026 capture also shows a single full
    # delta.
    await turn.stream_text(text, max(8, len(text) // 3 + 1))
    return Answer(text)


async def weather(turn: Turn) -> Answer:
    city = _city(turn.user_text)
    report = _weather_report(city)
    await turn.intermediate("thinkingThisThrough")
    steps = await turn.tool_round("get_weather", {"location": city}, json.dumps(report))
    await turn.intermediate("pullingEverythingTogether")
    text = (
        f"The weather in {city} is {report['conditions']} at {report['temperature_c']} °C "
        f"with {report['humidity']}% humidity."
    )
    await turn.stream_text(text, 24)
    return Answer(text, steps)


async def quiet(turn: Turn) -> Answer:
    await turn.intermediate("thinkingThisThrough")
    await turn.intermediate("preparingYourResponse")
    # As in the second turn of the 2026 capture: one empty delta, the answer only in
    # message.created.
    await turn.delta("")
    return Answer(f"Quietly noted (turn {turn.turn}): {turn.user_text}")


async def failing(turn: Turn) -> Answer:
    await turn.intermediate("thinkingThisThrough")
    await turn.intermediate("gettingAgentSetup")
    await turn.pause()
    raise AgentFailure(
        "Agent failing_agent failed: the tool 'always_fails' raised an error (simulated failure)."
    )


async def slow(turn: Turn) -> Answer:
    seconds = _number(turn.user_text, "seconds", float)
    if seconds is None:
        seconds = turn.options.slow_seconds
    interval = max(turn.options.step_interval, 0.001)
    keys = (
        "thinkingThisThrough",
        "gettingAgentSetup",
        "preparingGuidelines",
        "preparingYourResponse",
    )
    deadline = anyio.current_time() + seconds
    step = 0
    while (remaining := deadline - anyio.current_time()) > 0:
        await turn.intermediate(keys[step % len(keys)])
        step += 1
        await anyio.sleep(min(interval, remaining))
    text = f"Done thinking after {seconds:g} seconds: {turn.user_text}"
    await turn.delta(text)
    return Answer(text)


async def long(turn: Turn) -> Answer:
    chars = _number(turn.user_text, "chars", int)
    if chars is None:
        chars = turn.options.long_chars
    text = _long_text(chars)
    await turn.intermediate("thinkingThisThrough")
    await turn.stream_text(text, _number(turn.user_text, "chunk", int) or 2000)
    return Answer(text)


async def search(turn: Turn) -> Answer:
    """A knowledge-base turn: the search tool's call and response, then a
    ``conversational_search`` answer with citations and search results.

    IBM's evaluation framework reads a knowledge-base turn this way: it takes the
    ``tool_call_id`` of the step just before ``message.created`` to join the answer to its
    search call (``agentops`` ``wxo_runtime_adapter.py``, ``wxo_v2_wire.search_tool_call_id``),
    so the tool response must come last. The tool is named after the knowledge base [INF].
    """
    item = payloads.content_item("conversational_search")
    agent = turn.record.agent
    tool = agent.knowledge_base[0] if agent.knowledge_base else "knowledge_base_search"
    results = json.dumps({"search_results": item["search_results"]})
    await turn.intermediate("thinkingThisThrough")
    steps = await turn.tool_round(tool, {"query": turn.user_text}, results)
    await turn.intermediate("pullingEverythingTogether")
    await turn.stream_text(item["text"], 40)
    return Answer(item["text"], steps, content=[item])


async def choice(turn: Turn) -> Answer:
    """Offers formats (``option``); a next message naming one of the values gets the answer."""
    item = payloads.content_item("option")
    await turn.intermediate("thinkingThisThrough")
    wanted = turn.user_text.strip().lower()
    for option in item["options"]:
        if wanted == option["value"]:
            text = f"Here is your report as {option['label']} (format {option['value']})."
            await turn.delta(text)
            return Answer(text)
    await turn.delta(item["text"])
    return Answer(item["text"], content=[item])


async def files(turn: Turn) -> Answer:
    """A tool that returns a downloadable file (§5.3), then a ``file_download`` item."""
    call_id = payloads.tool_call_id()
    args = {"quarter": "Q3"}
    await turn.intermediate("thinkingThisThrough")
    call_step = await turn.step(
        [
            {
                "type": "tool_calls",
                "agent_display_name": turn.agent_name,
                "tool_calls": [{"id": call_id, "name": "generate_report", "args": args}],
            }
        ]
    )
    response_step = await turn.step(
        [
            {
                "type": "tool_response",
                "name": "generate_report",
                "tool_call_id": call_id,
                "content": json.dumps(payloads.content_item("downloadable_file")),
            }
        ]
    )
    text = "Your Q3 reports are ready."
    await turn.delta(text)
    content = [payloads.text_item(text), payloads.content_item("file_download")]
    return Answer(text, [call_step, response_step], content=content)


async def form(turn: Turn) -> Answer:
    """A widget or prompt: ``forms`` unless the message says ``kind=<response_type>``."""
    match = re.search(r"\bkind\s*=\s*([a-z_]+)", turn.user_text)
    kind = match.group(1) if match else "forms"
    try:
        item = payloads.content_item(kind)
    except KeyError:
        item = payloads.content_item("forms")
    await turn.intermediate("thinkingThisThrough")
    await turn.delta("")
    return Answer(str(item.get("text", "")), content=[item])


async def flow(turn: Turn) -> Answer:
    """An async flow: a notice now (``is_async``), its answer later in the thread (§10)."""
    seconds = _number(turn.user_text, "seconds", float)
    if seconds is None:
        seconds = turn.options.flow_seconds
    notice = payloads.content_item("flow_started")
    notice["text"] = notice["text"].format(flow_id=payloads.new_id())
    await turn.intermediate("thinkingThisThrough")
    await turn.delta(notice["text"])
    later = f"The flow finished: approved '{turn.user_text}'."
    return Answer(
        notice["text"],
        content=[notice],
        is_async=True,
        later=Answer(later),
        later_seconds=seconds,
    )


SCENARIOS: dict[Behaviour, Scenario] = {
    "echo": echo,
    "weather": weather,
    "quiet": quiet,
    "failing": failing,
    "slow": slow,
    "long": long,
    "search": search,
    "choice": choice,
    "files": files,
    "form": form,
    "flow": flow,
}


def _number(text: str, key: str, kind: Callable[[str], _N]) -> _N | None:
    match = re.search(rf"\b{key}\s*=\s*([0-9]+(?:\.[0-9]+)?)", text)
    if match is None:
        return None
    try:
        return kind(match.group(1))
    except ValueError:
        return None


def _city(text: str) -> str:
    match = re.search(r"\b(?:in|for|at)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)", text)
    return match.group(1) if match else "Boston"


def _weather_report(city: str) -> JSON:
    # Deterministic per city, so tests can compare the tool response with the answer.
    seed = zlib.crc32(city.lower().encode())
    conditions = ("sunny", "partly cloudy", "overcast", "light rain", "windy")[seed % 5]
    return {
        "location": city,
        "temperature_c": 5 + seed % 25,
        "conditions": conditions,
        "humidity": 30 + seed % 60,
    }


_LOREM = (
    "Orchestrate agents can take a while to say everything they know, and a bridge must cope with "
    "answers far longer than a model's usual reply. "
)


def _long_text(chars: int) -> str:
    repeats = chars // len(_LOREM) + 1
    return (_LOREM * repeats)[:chars]
