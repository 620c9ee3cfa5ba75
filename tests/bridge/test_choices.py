"""The pieces of putting an option reply to the user: prompt, answer, state."""

from __future__ import annotations

from mcp.types import ElicitResult

from wxo_mcp.bridge.choices import (
    CHOICE_KEY,
    ChoiceState,
    can_ask,
    choice_prompt,
    chosen,
    input_required,
    with_choice_note,
)
from wxo_mcp.bridge.results import RunResult

OPTIONS = [{"label": "PDF document", "value": "pdf"}, {"label": "CSV", "value": "csv"}]


def result(**update: object) -> RunResult:
    base = RunResult(
        text="Which format?\nOptions:\n- PDF document (value: pdf)",
        thread_id="t-1",
        run_id="r-1",
        agent="choice_agent",
        status="completed",
        options=OPTIONS,
    )
    return base.model_copy(update=update)


def test_only_completed_choices_with_a_thread_are_asked():
    assert can_ask(result())
    assert not can_ask(result(options=None))
    assert not can_ask(result(status="requires_input"))
    assert not can_ask(result(thread_id=None))


def test_prompt_is_a_titled_single_select():
    message, schema = choice_prompt(result())
    assert message == "The Orchestrate agent choice_agent asks: Which format?"
    field = schema["properties"][CHOICE_KEY]
    assert field["oneOf"] == [
        {"const": "pdf", "title": "PDF document"},
        {"const": "csv", "title": "CSV"},
    ]
    assert schema["required"] == [CHOICE_KEY]


def test_only_an_accepted_known_value_counts():
    pairs = (("PDF document", "pdf"), ("CSV", "csv"))
    assert chosen(ElicitResult(action="accept", content={CHOICE_KEY: "csv"}), pairs) == (
        "CSV",
        "csv",
    )
    assert chosen(ElicitResult(action="accept", content={CHOICE_KEY: "doc"}), pairs) is None
    assert chosen(ElicitResult(action="decline"), pairs) is None
    assert chosen(ElicitResult(action="cancel"), pairs) is None
    assert chosen(None, pairs) is None


def test_state_round_trips_and_rejects_strangers():
    asked = input_required(result(), "choice_agent", 2)
    assert asked.input_requests is not None and CHOICE_KEY in asked.input_requests
    state = ChoiceState.decode(asked.request_state)
    assert state == ChoiceState(
        tool="choice_agent",
        agent="choice_agent",
        thread_id="t-1",
        run_id="r-1",
        options=(("PDF document", "pdf"), ("CSV", "csv")),
        round=2,
    )
    for junk in (None, "", "not json", "[]", '{"v": 99}', '{"v": 1}'):
        assert ChoiceState.decode(junk) is None


def test_the_answer_says_what_was_chosen():
    assert with_choice_note(result(text="Done."), "CSV").text == (
        '(The agent offered a choice; the user chose "CSV".)\n\nDone.'
    )
