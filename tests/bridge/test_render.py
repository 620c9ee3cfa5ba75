"""Content items (orchestrate-api.md §11) as text plus citations, options, files and widgets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wxo_mcp.api import ToolStep
from wxo_mcp.bridge.flows import flow_answer
from wxo_mcp.bridge.render import (
    files_from_steps,
    is_flow_notice,
    option_value,
    render_content,
    render_message,
    steps_text,
)
from wxo_mcp.simulator import payloads


def item(kind: str) -> dict[str, Any]:
    """The simulator's recorded item, so renderer and simulator agree on one shape."""
    return payloads.content_item(kind)


def test_plain_text_items_run_together():
    out = render_content(
        [{"response_type": "text", "text": "a"}, {"response_type": "text", "text": "b"}]
    )
    assert out.text == "a\nb"
    assert (out.citations, out.options, out.files, out.asks) == ([], [], [], [])
    assert render_content("just a string").text == "just a string"
    assert render_content(None).text == ""


def test_conversational_search_numbers_its_sources():
    out = render_content([item("conversational_search")])
    assert out.text.startswith(
        "Employees get 25 days of paid leave a year [1], and unused days carry over until the "
        "end of March [2]."
    )
    assert "Sources:\n[1] Leave policy 2025: https://docs.example.com/hr/leave-policy\n" in out.text
    assert "[2] Carry-over rules: https://docs.example.com/hr/carry-over" in out.text
    assert [(c["number"], c["title"], c["url"]) for c in out.citations] == [
        (1, "Leave policy 2025", "https://docs.example.com/hr/leave-policy"),
        (2, "Carry-over rules", "https://docs.example.com/hr/carry-over"),
    ]
    assert out.citations[0]["text"] == "25 days of paid leave a year"
    assert not out.asks


@pytest.mark.parametrize(
    ("citations", "expected_markers", "expected_sources"),
    [
        # Two citations of one source share its number.
        (
            [
                {"title": "A", "url": "u1", "range_start": 0, "range_end": 3},
                {"title": "A", "url": "u1", "range_start": 4, "range_end": 7},
            ],
            "abc [1] def [1]",
            ["[1] A: u1"],
        ),
        # Ranges outside the text: no marker, the source is still listed.
        (
            [{"title": "B", "url": "u2", "range_start": 5, "range_end": 99}],
            "abc def",
            ["[1] B: u2"],
        ),
        # Title and URL from the search result the citation points at.
        ([{"search_result_idx": 0}], "abc def", ["[1] R: ur"]),
    ],
)
def test_citation_markers_and_sources(citations, expected_markers, expected_sources):
    search = {
        "response_type": "conversational_search",
        "text": "abc def",
        "citations": citations,
        "search_results": [{"title": "R", "url": "ur"}],
    }
    out = render_content([search])
    first, _, sources = out.text.partition("\n\nSources:\n")
    assert first == expected_markers
    assert sources.splitlines() == expected_sources


def test_search_without_citations_lists_the_search_results():
    out = render_content(
        [
            {
                "response_type": "conversational_search",
                "text": "Answer.",
                "search_results": [{"title": "Doc", "url": "https://d"}],
            }
        ]
    )
    assert out.text == "Answer.\n\nSources:\n[1] Doc: https://d"
    assert out.citations == [{"number": 1, "title": "Doc", "url": "https://d"}]


def test_option_lists_labels_values_and_how_to_answer():
    out = render_content([item("option")])
    assert out.text.startswith("Which format would you like the report in?\nPick one format.\n")
    assert "- PDF document (value: pdf)" in out.text
    assert "- CSV spreadsheet (value: csv)" in out.text
    assert "send the value of one option as the next message in this same thread" in out.text
    assert out.options == [
        {"label": "PDF document", "value": "pdf"},
        {"label": "CSV spreadsheet", "value": "csv"},
        {"label": "Plain text", "value": "txt"},
    ]
    assert not out.asks


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pdf", "pdf"),
        ({"input": {"text": "go"}}, "go"),  # the watsonx Assistant shape
        ({"text": "t"}, "t"),
        (3, "3"),
        (None, ""),
    ],
)
def test_option_values(value, expected):
    assert option_value(value) == expected


def test_option_without_value_uses_its_label():
    out = render_content([{"response_type": "option", "options": [{"label": "Yes"}]}])
    assert out.options == [{"label": "Yes", "value": "Yes"}]


def test_file_download_lists_names_and_links():
    out = render_content([item("file_download")])
    assert "Files:\n- q3-summary.pdf: https://files.example.com/reports/q3-summary.pdf" in out.text
    assert out.files == [
        {
            "name": "q3-summary.pdf",
            "url": "https://files.example.com/reports/q3-summary.pdf",
            "description": "Quarterly summary",
        },
        {
            "name": "q3-figures.csv",
            "url": "https://files.example.com/reports/q3-figures.csv",
            "description": "Figures behind the summary",
        },
    ]


FILE = {"type": "downloadable_file", "path": "https://f/x.pdf", "filename": "x.pdf"}


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (json.dumps(FILE), [("x.pdf", "https://f/x.pdf")]),
        (json.dumps([FILE, {**FILE, "path": "https://f/y", "filename": "y"}]), 2),
        # An MCP toolkit tool's serialized result wraps the JSON in a text block (§5.3).
        (json.dumps({"content": [{"type": "text", "text": json.dumps(FILE)}]}), 1),
        ("not json", 0),
        (json.dumps({"type": "other"}), 0),
        ("{broken", 0),
    ],
)
def test_files_from_tool_responses(content, found):
    steps = [
        ToolStep("tool_call", "t", "1", args={}),
        ToolStep("tool_response", "t", "1", content=content),
    ]
    files = files_from_steps(steps)
    if isinstance(found, list):
        assert [(f["name"], f["url"]) for f in files] == found
    else:
        assert len(files) == found


def test_message_lists_tool_files_once():
    steps = [ToolStep("tool_response", "t", "1", content=json.dumps(FILE))]
    message = {
        "content": [
            {"response_type": "text", "text": "Done."},
            {
                "response_type": "file_download",
                "files": [{"url": "https://f/x.pdf", "fileName": "x.pdf"}],
            },
        ]
    }
    out = render_message(message, steps)
    assert len(out.files) == 1
    assert "Files from the agent's tools" not in out.text
    out = render_message({"content": [{"response_type": "text", "text": "Done."}]}, steps)
    assert out.text == "Done.\n\nFiles from the agent's tools:\n- x.pdf: https://f/x.pdf"


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        (
            "forms",
            'fill in a form "Leave request": Please fill in the leave request form. Fields: '
            "First day of leave (required), Number of days (required), Reason.",
        ),
        ("multiturn_form", 'fill in a form "Expense claim"'),
        ("user_input", "asks for input: What is your employee number?"),
        (
            "file_upload",
            "upload a file: Please upload the receipt for this expense. (allowed types: "
            "application/pdf, image/png; at most 10 MB each; up to 1 file)",
        ),
        ("disconnected_apps", "apps that are not connected yet: Salesforce."),
    ],
)
def test_widgets_require_input(kind, says):
    out = render_content([item(kind)])
    assert out.requires_input
    assert len(out.asks) == 1
    assert says in out.asks[0]
    assert out.asks[0] in out.text


def test_form_is_also_a_widget():
    out = render_content([{"response_type": "form", "text": "Fill me"}])
    assert out.asks == ["The agent asks you to fill in a form: Fill me"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "date",
            "When should the leave start? "
            "(answer with a date, between 2025-01-01 and 2025-12-31, default 2025-07-01)",
        ),
        ("number", "How many days of leave? (answer with a number, between 1 and 30, default 5)"),
    ],
)
def test_prompts_are_questions(kind, expected):
    out = render_content([item(kind)])
    assert (
        out.text == expected + "\n\nReply with your answer as the next message in this same thread."
    )
    assert not out.requires_input


@pytest.mark.parametrize("kind", ["datetime", "time"])
def test_time_prompts(kind):
    out = render_content([{"response_type": kind, "text": "When?", "min": "09:00"}])
    assert out.text.startswith("When? (answer with a")
    assert "at least 09:00" in out.text


def test_object_prompt_renders_its_nested_items():
    out = render_content([item("object")])
    lines = out.text.splitlines()
    assert lines[0] == "Tell me about the trip."
    assert lines[1] == "- Departure date? (answer with a date)"
    assert "- How many travellers? (answer with a number, between 1 and 9)" in lines
    assert out.text.endswith("Reply with your answer as the next message in this same thread.")


def test_unknown_types_pass_on_as_json():
    unknown = item("unknown")
    out = render_content([unknown])
    assert out.text.startswith('(Content of type "hologram", passed on as JSON: {')
    assert json.dumps(unknown, ensure_ascii=False) in out.text
    untyped = render_content([{"weird": 1}])
    assert "without a type" in untyped.text
    huge = render_content([{"response_type": "blob", "data": "x" * 10_000}])
    assert len(huge.text) < 4200


def test_media_and_pause():
    out = render_content(
        [
            {"response_type": "image", "source": "https://i/p.png", "alt_text": "Chart"},
            {"response_type": "pause", "time": 500},
            {"response_type": "video"},
        ]
    )
    assert out.text.startswith('Image: Chart: https://i/p.png\n\n(Content of type "video"')


def test_mixed_message_keeps_every_part():
    message = {
        "content": [
            {"response_type": "text", "text": "Here you go."},
            item("file_download"),
            item("option"),
            item("forms"),
        ]
    }
    out = render_message(message)
    assert out.text.startswith("Here you go.\n\n")
    assert len(out.files) == 2 and len(out.options) == 3 and out.requires_input
    # A widget needs Orchestrate's chat: no "reply in this thread" hint.
    assert "Reply with your answer" not in out.text


def test_steps_text_cuts_long_results():
    steps: list[dict[str, Any]] = [
        {"kind": "tool_call", "name": "get_weather", "args": {"location": "Paris"}},
        {"kind": "tool_response", "name": "get_weather", "content": "y" * 2000},
    ]
    text = steps_text(steps)
    assert text.startswith(
        'Tool steps:\n1. called get_weather with {"location": "Paris"}\n2. get_weather returned: y'
    )
    assert len(text) < 700 and text.endswith("…")
    assert steps_text([]) == ""


def _msg(mid: str, text: str, *, role: str = "assistant", is_async: bool = False) -> dict[str, Any]:
    return {
        "id": mid,
        "role": role,
        "content": [{"response_type": "text", "text": text}],
        "additional_properties": {"display_properties": {"is_async": is_async}},
    }


def test_flow_answer_is_the_first_later_real_answer():
    earlier = _msg("0", "an earlier turn's answer")
    notice = _msg("1", "A new flow has started.", is_async=True)
    thread = [earlier, _msg("u", "go", role="user"), notice]
    assert flow_answer(thread, "1") is None
    thread.append(
        _msg("2", "Your flow instance ID is 42")
    )  # another notice, skipped as the ADK does
    thread.append(_msg("3", "still async", is_async=True))
    assert flow_answer(thread, "1") is None
    thread.append(_msg("4", "Approved."))
    assert flow_answer(thread, "1") == thread[-1]
    # Notice id unknown: after the last async message.
    assert flow_answer(thread, None) == thread[-1]
    assert flow_answer(thread, "not-there") == thread[-1]
    assert flow_answer([earlier], None) is None


@pytest.mark.parametrize(
    ("text", "notice"),
    [("A new flow has started", True), ("The flow instance ID is 7", True), ("Approved", False)],
)
def test_flow_notices(text, notice):
    assert is_flow_notice(text) is notice
