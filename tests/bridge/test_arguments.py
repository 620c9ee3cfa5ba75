import pytest

from wxo_mcp.bridge.arguments import ArgumentError, check_arguments, is_valid_id
from wxo_mcp.bridge.tools import AGENT_PARAMS, GET_RUN_PARAMS


def test_valid_arguments_are_cleaned():
    args = check_arguments("t", {"message": "hi", "thread_id": " 2bd3d825-17e5 "}, AGENT_PARAMS)
    assert args == {"message": "hi", "thread_id": "2bd3d825-17e5"}
    assert check_arguments("t", {"message": "hi", "thread_id": None}, AGENT_PARAMS) == {
        "message": "hi"
    }


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({}, "'message' is required"),
        (None, "'message' is required"),
        ({"message": "   "}, "'message' must not be empty"),
        ({"message": 3}, "'message' must be a string, not int"),
        ({"message": "hi", "extra": 1}, "unknown argument(s) 'extra'"),
        ({"message": "hi", "thread_id": "../../x"}, "'thread_id' is not a valid Orchestrate id"),
        ({"message": "hi", "thread_id": "a/b"}, "not a valid Orchestrate id"),
        ({"message": "hi", "thread_id": "x?y=z"}, "not a valid Orchestrate id"),
        ({"message": "hi", "thread_id": "%2e%2e"}, "not a valid Orchestrate id"),
    ],
)
def test_bad_arguments_say_what_is_wrong(arguments, fragment):
    with pytest.raises(ArgumentError) as info:
        check_arguments("echo_agent", arguments, AGENT_PARAMS)
    text = str(info.value)
    assert fragment in text
    assert text.startswith("Invalid arguments for echo_agent")
    assert "message (required), thread_id" in text


@pytest.mark.parametrize("wait", [-1, "5", True, float("nan"), float("inf")])
def test_wait_seconds_must_be_a_sane_number(wait):
    with pytest.raises(ArgumentError):
        check_arguments("get_run", {"run_id": "r1", "wait_seconds": wait}, GET_RUN_PARAMS)


def test_ids():
    assert is_valid_id("c5af3b86-16c6-4ef7-984a-ca9622a6da82")
    for bad in ["", "-x", "a b", "a/b", "x" * 200, "é"]:
        assert not is_valid_id(bad)
