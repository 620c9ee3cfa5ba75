"""A run's outcome from Orchestrate's own documents: a final Message or a run object.

Pure functions, shared by the run registry (a stream that ended without its final message, a
follow-up after a broken stream) and the bridge (``get_run`` for a run this process never saw).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wxo_mcp.api import RunAccumulator, ToolStep
from wxo_mcp.bridge.render import Rendered, render_message
from wxo_mcp.bridge.results import RunResult, RunStatus, status_from_orchestrate

__all__ = [
    "message_of_run",
    "orchestrate_reports",
    "rendered_fields",
    "result_from_message",
    "result_from_run",
    "step_dict",
]

MAX_STEP_CONTENT = 2000


def step_dict(step: ToolStep) -> dict[str, Any]:
    """A tool step for the result, with long tool outputs cut to a sane length."""
    data = {k: v for k, v in dataclasses.asdict(step).items() if v is not None}
    content = data.get("content")
    if isinstance(content, str) and len(content) > MAX_STEP_CONTENT:
        data["content"] = content[:MAX_STEP_CONTENT] + "…"
    return data


def message_of_run(run: dict[str, Any]) -> dict[str, Any] | None:
    """The final Message of a run object (``result.data.message``), if it has one."""
    result = run.get("result")
    data = result.get("data") if isinstance(result, dict) else None
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, dict) else None


def rendered_fields(rendered: Rendered) -> dict[str, Any]:
    """The optional result fields a rendered message fills (None when empty)."""
    return {
        "citations": rendered.citations or None,
        "options": rendered.options or None,
        "files": rendered.files or None,
    }


def result_from_message(
    message: dict[str, Any], base: RunResult, status: RunStatus | None = None
) -> RunResult:
    """``base`` with the text, steps, citations, options and files of a final Message.

    A widget the bridge cannot answer turns a completed run into ``requires_input``.
    """
    steps = RunAccumulator.steps_of_message(message)
    rendered = render_message(message, steps)
    status = status or base.status
    if rendered.requires_input and status == "completed":
        status = "requires_input"
    return base.model_copy(
        update={
            "text": rendered.text or RunAccumulator.text_of_message(message),
            "status": status,
            "steps": [step_dict(step) for step in steps] or base.steps,
            **rendered_fields(rendered),
        }
    ).with_full_chars(None)


def orchestrate_reports(detail: str) -> str:
    """Orchestrate's own words about a run that did not complete, and what to do about it."""
    return (
        f"Orchestrate reports: {detail.strip().rstrip('.')}. Try again, perhaps rephrased; if it "
        "keeps failing, check the agent in Orchestrate."
    )


def result_from_run(run: dict[str, Any], agent: str | None) -> RunResult:
    """A result from Orchestrate's own run object (``GET /runs/{id}``)."""
    status = status_from_orchestrate(run.get("status"))
    message = message_of_run(run)
    error = None
    if status in ("failed", "cancelled", "expired"):
        last_error = run.get("last_error")
        detail = last_error if isinstance(last_error, str) and last_error else f"the run {status}"
        error = orchestrate_reports(detail)
    base = RunResult(
        text="",
        thread_id=run.get("thread_id"),
        run_id=run.get("id"),
        agent=agent,
        status=status,
        error=error,
    )
    return result_from_message(message, base) if message is not None else base
