"""The one result shape every run-shaped tool returns, and how it reads for a model.

``ask_agent``, ``get_run`` and each per-agent tool declare the same output schema, so a client
can handle any of them with one piece of code, errors included: a failure still carries the run
and thread ids that were known, so nothing the caller could use is lost.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Literal

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from wxo_mcp.bridge.render import steps_text

__all__ = [
    "ERROR_STATUSES",
    "RunResult",
    "RunStatus",
    "capped",
    "status_from_orchestrate",
    "to_call_result",
]

RunStatus = Literal[
    "completed", "running", "requires_input", "failed", "cancelled", "expired", "interrupted"
]
ERROR_STATUSES: frozenset[str] = frozenset({"failed", "cancelled", "expired", "interrupted"})

_FROM_ORCHESTRATE: dict[str, RunStatus] = {
    "pending": "running",
    "queued": "running",
    "running": "running",
    "in_progress": "running",
    "async_wait": "running",
    "completed": "completed",
    "async_completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "expired": "expired",
    "requires_input": "requires_input",
}


def status_from_orchestrate(status: object) -> RunStatus:
    """Map a run's ``status`` as Orchestrate reports it onto our contract's values."""
    if isinstance(status, str):
        return _FROM_ORCHESTRATE.get(status.strip().lower(), "running")
    return "running"


class RunResult(BaseModel):
    """What a call of an agent produced, as far as it is known."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The agent's answer (or the text received so far).")
    thread_id: str | None = Field(
        description="Pass this thread_id on the next call to continue the conversation."
    )
    run_id: str | None = Field(description="The Orchestrate run; use it with get_run.")
    agent: str | None = Field(description="The agent's name.")
    status: RunStatus = Field(
        description=(
            "completed; running (call get_run later); requires_input (the agent asks for a form "
            "or widget); failed; cancelled; expired; interrupted (the stream broke)."
        )
    )
    error: str | None = Field(
        default=None, description="What went wrong and what to do, when status is not completed."
    )
    steps: list[dict[str, Any]] | None = Field(
        default=None, description="Tool calls and responses the agent made."
    )
    citations: list[dict[str, Any]] | None = Field(
        default=None,
        description="Sources the answer cites: {number, title, url, text?}; [number] marks them.",
    )
    options: list[dict[str, Any]] | None = Field(
        default=None,
        description=(
            "Choices the agent offers: {label, value}; answer with a value as the next message "
            "in the same thread."
        ),
    )
    files: list[dict[str, Any]] | None = Field(
        default=None, description="Files the agent hands out: {name, url, description?}."
    )

    #: The answer's whole length when ``text`` holds only its start (kept bounded upstream).
    _full_chars: int | None = PrivateAttr(default=None)

    @property
    def is_error(self) -> bool:
        return self.status in ERROR_STATUSES

    @property
    def full_chars(self) -> int:
        """How long the whole answer is, even when only its start is kept."""
        return max(len(self.text), self._full_chars or 0)

    def with_full_chars(self, chars: int | None) -> RunResult:
        """This result, remembering that the whole answer was ``chars`` characters long."""
        self._full_chars = chars
        return self

    def structured(self) -> dict[str, Any]:
        """The structured content: every base field, the optional extras only when present."""
        data = self.model_dump(mode="json")
        for extra in ("steps", "citations", "options", "files"):
            if data.get(extra) is None:
                data.pop(extra, None)
        return data


def capped(result: RunResult, limit: int) -> RunResult:
    """The result with its text cut to ``limit`` characters and a note saying how much was cut."""
    total = result.full_chars
    if total <= limit:
        return result
    thread = result.thread_id
    where = (
        f"Orchestrate's thread {thread} (resource orchestrate://threads/{thread})"
        if thread
        else "watsonx Orchestrate"
    )
    note = (
        f"\n\n[Cut: this shows the first {limit} of {total} characters "
        f"(WXO_MAX_RESULT_CHARS). The whole answer stays in {where}.]"
    )
    return result.model_copy(update={"text": result.text[:limit] + note}).with_full_chars(None)


@functools.cache
def output_schema() -> dict[str, Any]:
    """The JSON schema declared as every run-shaped tool's ``outputSchema``.

    Built once: pydantic takes ~2 ms per call, which a list of 1,000 agent tools would pay a
    thousand times. Every tool shares the one dict, so nobody may modify it.
    """
    schema: dict[str, Any] = compact_schema(RunResult.model_json_schema())
    return schema


def compact_schema(schema: Any) -> Any:
    """A JSON schema without what pydantic generates for nobody: ``title`` keywords (a copy of
    the field name) and ``default: null`` (an absent field already means no value).

    Every agent tool carries this schema, so it is most of a long tools/list: 14% fewer bytes
    for 1,000 agents. Property *names* are kept, even one called "title".
    """
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" or (key == "default" and value is None):
            continue
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {name: compact_schema(sub) for name, sub in value.items()}
        else:
            out[key] = compact_schema(value)
    return out


def _continue_with(result: RunResult, tool: str) -> str:
    """How to say the next thing in this thread: ``get_run`` cannot, the agent's tools can."""
    thread = result.thread_id
    if tool != "get_run":
        return f'call {tool} again with thread_id "{thread}"'
    if result.agent:
        return f'call ask_agent with agent "{result.agent}" and thread_id "{thread}"'
    return f'pass thread_id "{thread}" to the agent\'s own tool, or to ask_agent with its name'


def _footer(result: RunResult, tool: str, get_run_tool: bool) -> str:
    thread = result.thread_id
    if result.status == "running" and result.run_id:
        how = (
            f'call get_run with run_id "{result.run_id}" (optionally with wait_seconds) '
            "to get the answer"
            if get_run_tool
            else f"read the resource orchestrate://runs/{result.run_id} to get the answer"
        )
        return f"The agent is still working (run_id {result.run_id}); {how}."
    if result.status == "requires_input" and thread:
        return (
            f"thread_id: {thread}\nThe agent is waiting for input this bridge cannot provide: "
            f"continue in watsonx Orchestrate's chat, in thread {thread}. To say something else "
            f"instead, {_continue_with(result, tool)}."
        )
    if thread:
        return (
            f"thread_id: {thread}\nTo continue this conversation, {_continue_with(result, tool)}."
        )
    return ""


def render_text(
    result: RunResult, tool: str, get_run_tool: bool = True, include_steps: bool = False
) -> str:
    """The text block a model reads: the answer, the tool steps if asked, then how to continue."""
    parts: list[str] = []
    if result.error:
        parts.append(f"Error: {result.error}")
    if result.text:
        parts.append(result.text if not result.error else f"Text received so far:\n{result.text}")
    elif not result.error and result.status == "completed":
        parts.append("(The agent returned no text.)")
    if include_steps and result.steps:
        parts.append(steps_text(result.steps))
    footer = _footer(result, tool, get_run_tool)
    if footer:
        parts.append(footer)
    return "\n\n".join(parts)


def to_call_result(
    result: RunResult, tool: str, *, get_run_tool: bool = True, include_steps: bool = False
) -> CallToolResult:
    """Wrap a result for MCP: a text block for the model plus the matching structured content."""
    text = render_text(result, tool, get_run_tool, include_steps)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=result.structured(),
        is_error=result.is_error,
    )


def json_result(payload: Any, structured: dict[str, Any]) -> CallToolResult:
    """A non-run result (``list_agents``): JSON text for the model, the same data structured."""
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(payload, ensure_ascii=False, indent=2))],
        structured_content=structured,
    )
