"""Folding run events into a result: the answer, the steps, the status."""

from __future__ import annotations

import pytest

from tests.api.streams import ev, events, fold, raw
from wxo_mcp.api import RunAccumulator, RunEvent, ToolStep


def _created(text: str, **extra: object) -> RunEvent:
    message: dict[str, object] = {
        "role": "assistant",
        "content": [{"response_type": "text", "id": "1", "text": text}],
    }
    message.update(extra)
    return ev("message.created", run_id="r1", thread_id="t1", message=message)


def _delta(text: str) -> RunEvent:
    return ev("message.delta", delta={"role": "assistant", "content": [{"id": "1", "text": text}]})


def test_capture_2026():
    acc = fold(events(raw("capture_2026.ndjson")))
    assert acc.status == "completed"
    assert acc.finished
    assert acc.run_id == "a6d8…"
    assert acc.thread_id == "fd43…"
    assert acc.text() == "Hello! I am Watsonx Orchestrate, …"
    assert acc.text_source == "message"
    assert acc.progress_text == "Wrapping up with the final response…"
    assert acc.steps == []
    assert not acc.is_async
    assert acc.error is None


def test_seed_2025_without_message_completed():
    acc = fold(events(raw("seed_2025.ndjson")))
    assert acc.status == "completed"
    assert acc.text().startswith("Hello! I am watsonx Orchestrate")
    assert acc.delta_text == "Hello?"  # the post elides the middle deltas: they disagree
    assert acc.thread_id == "2bd3d825-17e5-43d1-8740-72b4cd41f34f"


def test_message_created_wins_over_disagreeing_deltas():
    acc = fold([_delta("Hel"), _delta("lo wrong"), _created("The real answer"), ev("done")])
    assert acc.text() == "The real answer"
    assert acc.delta_text == "Hello wrong"


def test_empty_delta_and_full_message_created():
    acc = fold([_delta(""), _created("Full answer"), ev("run.completed"), ev("done")])
    assert acc.text() == "Full answer"


def test_deltas_are_the_fallback_without_message_created():
    acc = fold([_delta("part one, "), _delta("part two"), ev("done")])
    assert acc.text() == "part one, part two"
    assert acc.text_source == "deltas"
    assert acc.final_message is None


def test_message_created_with_no_text_falls_back_to_deltas():
    acc = fold(
        [_delta("streamed"), ev("message.created", message={"role": "assistant", "content": []})]
    )
    assert acc.text() == "streamed"
    assert acc.final_message is not None


def test_nothing_at_all():
    acc = fold([ev("run.started", run_id="r"), ev("done")])
    assert acc.text() == ""
    assert acc.text_source == "none"


def test_last_assistant_message_created_wins_and_user_messages_are_ignored():
    user = ev("message.created", message={"role": "user", "content": [{"text": "question"}]})
    acc = fold([_created("first"), user, _created("second"), ev("done")])
    assert acc.text() == "second"


def test_delta_content_as_string():
    acc = fold([ev("message.delta", delta={"content": "abc"})])
    assert acc.delta_text == "abc"


TOOL_CALLS = ev(
    "run.step.delta",
    thread_id="t",
    run_id="r",
    delta={
        "role": "assistant",
        "step_details": [
            {
                "type": "tool_calls",
                "agent_display_name": "working_hours_recorder",
                "tool_calls": [
                    {"id": "chatcmpl-tool-69c7", "name": "get_current_date", "args": {}}
                ],
            }
        ],
    },
)
TOOL_RESPONSE = ev(
    "run.step.delta",
    delta={
        "role": "assistant",
        "step_details": [
            {
                "type": "tool_response",
                "name": "get_current_date",
                "tool_call_id": "chatcmpl-tool-69c7",
                "content": '{"date": "2026-02-06"}',
            },
            {
                "type": "tool_call",
                "name": "get_current_date",
                "tool_call_id": "chatcmpl-tool-69c7",
                "args": {},
            },
        ],
    },
)


def test_tool_steps_from_step_deltas_without_the_duplicate_tool_call():
    acc = fold([TOOL_CALLS, TOOL_RESPONSE, _created("It is Friday."), ev("done")])
    assert acc.steps == [
        ToolStep("tool_call", "get_current_date", "chatcmpl-tool-69c7", args={}),
        ToolStep(
            "tool_response",
            "get_current_date",
            "chatcmpl-tool-69c7",
            content='{"date": "2026-02-06"}',
        ),
    ]


def test_tool_steps_from_step_history_when_no_delta_carried_them():
    history = [
        {"role": "assistant", "step_details": TOOL_CALLS.data["delta"]["step_details"]},
        {"role": "assistant", "step_details": [TOOL_RESPONSE.data["delta"]["step_details"][0]]},
    ]
    acc = fold([_created("It is Friday.", step_history=history), ev("done")])
    assert [s.kind for s in acc.steps] == ["tool_call", "tool_response"]


def test_delta_steps_take_precedence_over_step_history():
    history = [
        {
            "role": "assistant",
            "step_details": [{"type": "tool_call", "name": "other", "tool_call_id": "x"}],
        }
    ]
    acc = fold([TOOL_CALLS, _created("ok", step_history=history)])
    assert [s.name for s in acc.steps] == ["get_current_date"]


def test_singular_tool_call_alone_counts():
    acc = fold(
        [
            ev(
                "run.step.delta",
                delta={
                    "step_details": {
                        "type": "tool_call",
                        "name": "n",
                        "tool_call_id": "c",
                        "args": {"a": 1},
                    }
                },
            )
        ]
    )
    assert acc.steps == [ToolStep("tool_call", "n", "c", args={"a": 1})]


def test_non_string_tool_response_content_is_serialised():
    acc = fold(
        [
            ev(
                "run.step.delta",
                delta={
                    "step_details": [{"type": "tool_response", "name": "n", "content": {"k": 1}}]
                },
            )
        ]
    )
    assert acc.steps[0].content == '{"k": 1}'


@pytest.mark.parametrize(
    ("events_", "status", "error"),
    [
        ([ev("run.completed")], "completed", None),
        ([ev("done")], "completed", None),
        ([ev("run.failed", error="tool exploded"), ev("done")], "failed", "tool exploded"),
        (
            [ev("run.failed", error={"message": "model down", "code": "E1"}), ev("done")],
            "failed",
            "model down",
        ),
        ([ev("run.failed")], "failed", "The run failed without saying why."),
        ([ev("error", message="bad thing")], "failed", "bad thing"),
        ([ev("error", error={"code": "X"})], "failed", "X"),
        ([ev("run.cancelled"), ev("done")], "cancelled", None),
        ([ev("run.expired"), ev("done")], "expired", None),
        ([ev("run.started"), ev("message.delta", delta={})], "running", None),
    ],
)
def test_status_from_terminal_events(events_, status, error):
    acc = fold(events_)
    assert acc.status == status
    assert acc.error == error
    assert acc.finished == (status != "running")


def test_unknown_events_are_ignored():
    acc = fold([ev("planning", x=1), ev("run.step.thinking"), ev("slot.input"), _created("a")])
    assert acc.status == "running"
    assert acc.events_seen == 4
    assert acc.text() == "a"


def test_is_async():
    props = {"display_properties": {"is_async": True, "skip_render": False}}
    acc = fold([_created("A new flow has started", additional_properties=props), ev("done")])
    assert acc.is_async
    assert acc.outcome().is_async


def test_outcome_snapshot():
    out = fold(
        [ev("run.started", run_id="r", thread_id="t"), TOOL_CALLS, _created("x"), ev("done")]
    ).outcome()
    assert (out.run_id, out.thread_id, out.status, out.text, out.text_source) == (
        "r",
        "t",
        "completed",
        "x",
        "message",
    )
    assert len(out.steps) == 1


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ({"content": "plain"}, "plain"),
        (
            {
                "content": [
                    {"response_type": "text", "text": "a"},
                    {"response_type": "text", "text": "b"},
                ]
            },
            "a\nb",
        ),
        (
            {
                "content": [
                    {"response_type": "conversational_search", "text": "found", "citations": []}
                ]
            },
            "found",
        ),
        ({"content": [{"response_type": "option", "text": "Pick one", "options": []}]}, "Pick one"),
        ({"content": [{"response_type": "forms", "json_schema": {}}]}, ""),
        ({"content": None}, ""),
        ({}, ""),
    ],
)
def test_text_of_message(message, text):
    assert RunAccumulator.text_of_message(message) == text


def test_delta_text_is_kept_up_to_the_cap_and_the_rest_only_counted():
    acc = RunAccumulator(max_text_chars=10)
    for _ in range(1000):
        acc.feed(_delta("abcdefg"))
    assert acc.text() == "abcdefgabc"
    assert acc.delta_chars == 7000
    assert acc.events_seen == 1000


def test_tool_steps_are_bounded_in_number_and_size():
    from wxo_mcp.api.accumulator import MAX_STEP_CONTENT, MAX_STEPS

    acc = RunAccumulator()
    response = {"type": "tool_response", "name": "t", "content": "x" * (MAX_STEP_CONTENT * 2)}
    for n in range(MAX_STEPS + 50):
        details = [dict(response, tool_call_id=f"c{n}")]
        acc.feed(ev("run.step.delta", delta={"step_details": details}))
    assert len(acc.steps) == MAX_STEPS
    assert all(len(step.content or "") == MAX_STEP_CONTENT for step in acc.steps)
