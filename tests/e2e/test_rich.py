"""End to end, both eras: citations, options (as text and elicited), files, forms, prompts,
async flows and tool steps, from the simulator's agents through ``wxo-mcp`` over stdio."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.types import ElicitRequestFormParams, ElicitRequestParams, ElicitResult

from tests.helpers import data, text

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


class Chooser:
    """An elicitation callback that answers with one action (and value), counting the asks."""

    def __init__(self, action: str, value: str | None = None) -> None:
        self.action = action
        self.value = value
        self.asked: list[ElicitRequestParams] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params)
        content = {"choice": self.value} if self.action == "accept" else None
        return ElicitResult(action=self.action, content=content)  # type: ignore[arg-type]


async def test_citations(connect):
    async with connect() as client:
        result = await client.call_tool("search_agent", {"message": "How much leave do I get?"})
    out = data(result)
    assert not result.is_error and out["status"] == "completed"
    assert "25 days of paid leave a year [1]" in out["text"]
    assert "[2] Carry-over rules: https://docs.example.com/hr/carry-over" in out["text"]
    assert [c["url"] for c in out["citations"]] == [
        "https://docs.example.com/hr/leave-policy",
        "https://docs.example.com/hr/carry-over",
    ]
    assert "Sources:" in text(result)


async def test_options_as_text_without_elicitation(connect):
    async with connect() as client:
        first = await client.call_tool("choice_agent", {"message": "I need the report"})
        out = data(first)
        assert out["status"] == "completed" and not first.is_error
        assert {"label": "CSV spreadsheet", "value": "csv"} in out["options"]
        assert "- CSV spreadsheet (value: csv)" in text(first)
        assert "next message in this same thread" in text(first)
        second = data(
            await client.call_tool(
                "choice_agent", {"message": "csv", "thread_id": out["thread_id"]}
            )
        )
    assert second["text"] == "Here is your report as CSV spreadsheet (format csv)."
    assert second["thread_id"] == out["thread_id"]
    assert "options" not in second


async def test_options_put_to_the_user_by_elicitation(connect, simulator):
    chooser = Chooser("accept", "csv")
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with connect(elicitation_callback=chooser) as client:
        result = await client.call_tool(
            "choice_agent", {"message": "I need the report"}, progress_callback=on_progress
        )
    out = data(result)
    assert len(chooser.asked) == 1
    assert seen and seen == sorted(set(seen))  # still rising across the two runs of the call
    assert "Which format would you like the report in?" in chooser.asked[0].message
    asked = chooser.asked[0]
    assert isinstance(asked, ElicitRequestFormParams)
    schema = asked.requested_schema
    assert {"const": "pdf", "title": "PDF document"} in schema["properties"]["choice"]["oneOf"]
    assert not result.is_error and out["status"] == "completed"
    assert "Here is your report as CSV spreadsheet (format csv)." in out["text"]
    assert 'the user chose "CSV spreadsheet"' in out["text"]
    # The chosen value went on as the next user message of the same thread.
    thread = simulator.threads[out["thread_id"]]
    users = [m["content"][0]["text"] for m in thread.messages if m["role"] == "user"]
    assert users == ["I need the report", "csv"]


@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_declined_choice_keeps_the_text_form(connect, simulator, action):
    chooser = Chooser(action)
    async with connect(elicitation_callback=chooser) as client:
        result = await client.call_tool(
            "ask_agent", {"agent": "choice_agent", "message": "I need the report"}
        )
    out = data(result)
    assert len(chooser.asked) == 1
    assert out["status"] == "completed" and not result.is_error
    assert [o["value"] for o in out["options"]] == ["pdf", "csv", "txt"]
    assert "- PDF document (value: pdf)" in out["text"]
    users = [m for m in simulator.threads[out["thread_id"]].messages if m["role"] == "user"]
    assert len(users) == 1


async def test_files(connect):
    async with connect() as client:
        result = await client.call_tool("report_agent", {"message": "Q3 reports please"})
    out = data(result)
    assert out["status"] == "completed"
    assert [f["name"] for f in out["files"]] == ["q3-summary.pdf", "q3-figures.csv", "q3-raw.xlsx"]
    assert "- q3-summary.pdf: https://files.example.com/reports/q3-summary.pdf" in out["text"]
    # The tool's downloadable_file response (§5.3) is listed too.
    assert "q3-raw.xlsx: https://files.example.com/reports/q3-raw.xlsx" in out["text"]
    assert [s["name"] for s in out["steps"]] == ["generate_report", "generate_report"]


WIDGETS = {
    "Book leave": 'fill in a form "Leave request"',
    "kind=file_upload": "upload a file",
    "kind=user_input": "asks for input: What is your employee number?",
}


async def test_widgets_require_input(connect):
    async with connect() as client:
        results = {m: await client.call_tool("form_agent", {"message": m}) for m in WIDGETS}
    for message, says in WIDGETS.items():
        result = results[message]
        out = data(result)
        assert out["status"] == "requires_input", message
        assert not result.is_error and out["error"] is None
        assert says in out["text"]
        where = f"continue in watsonx Orchestrate's chat, in thread {out['thread_id']}"
        assert where in text(result)


async def test_prompts_and_unknown_content(connect):
    async with connect() as client:
        date = data(await client.call_tool("form_agent", {"message": "kind=date"}))
        unknown = data(await client.call_tool("form_agent", {"message": "kind=unknown"}))
    assert date["status"] == "completed"
    assert date["text"].startswith("When should the leave start? (answer with a date")
    assert unknown["status"] == "completed"
    assert '"response_type": "hologram"' in unknown["text"]
    assert "https://files.example.com/hq.holo" in unknown["text"]


async def test_async_flow_answer_within_the_deadline(connect):
    async with connect() as client:
        result = await client.call_tool("flow_agent", {"message": "trip to Rome seconds=1.5"})
    out = data(result)
    assert out["status"] == "completed"
    assert out["text"] == "The flow finished: approved 'trip to Rome seconds=1.5'."
    assert "flow has started" not in text(result)


async def test_async_flow_past_the_deadline_then_get_run(connect):
    async with connect(env={"WXO_TOOL_DEADLINE": "1"}) as client:
        first = await client.call_tool("flow_agent", {"message": "expense seconds=3"})
        handle = data(first)
        assert handle["status"] == "running" and not first.is_error
        assert "get_run" in text(first)
        done = data(
            await client.call_tool("get_run", {"run_id": handle["run_id"], "wait_seconds": 1})
        )
        while done["status"] == "running":  # get_run's wait is capped at the 1 s deadline
            done = data(
                await client.call_tool("get_run", {"run_id": handle["run_id"], "wait_seconds": 1})
            )
    assert done["status"] == "completed"
    assert done["text"] == "The flow finished: approved 'expense seconds=3'."
    assert done["thread_id"] == handle["thread_id"]


async def test_tool_steps_in_the_text_on_request(connect):
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        plain = await client.call_tool("weather_agent", {"message": "Weather in Paris?"})
        with_steps = await client.call_tool(
            "weather_agent", {"message": "Weather in Paris?", "include_steps": True}
        )
        asked = await client.call_tool(
            "ask_agent",
            {"agent": "weather_agent", "message": "Weather in Oslo?", "include_steps": True},
        )
        wrong = await client.call_tool(
            "weather_agent", {"message": "hi", "include_steps": "yes", "colour": "red"}
        )
    for name in ("weather_agent", "ask_agent"):
        assert tools[name].input_schema["properties"]["include_steps"]["type"] == "boolean"
    assert "Tool steps:" not in text(plain)
    assert [s["kind"] for s in data(plain)["steps"]] == ["tool_call", "tool_response"]
    assert '1. called get_weather with {"location": "Paris"}' in text(with_steps)
    assert '2. get_weather returned: {"location": "Paris"' in text(with_steps)
    assert 'called get_weather with {"location": "Oslo"}' in text(asked)
    assert wrong.is_error
    assert "'include_steps' must be true or false" in data(wrong)["error"]
    assert "'colour'" in data(wrong)["error"]
