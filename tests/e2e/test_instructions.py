"""Obeying the instructions results give, literally, over stdio in both eras."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import data, text

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

INSTRUCTION = re.compile(r"\bcall (?P<tool>[A-Za-z0-9_-]+)(?: again)? with (?P<clause>[^.;]*)")


def obey(result_text: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """The first instruction of a result text as a tool call: named values, plus ``extra`` for
    arguments it names without a value (``optionally with wait_seconds``) or leaves to us."""
    match = INSTRUCTION.search(result_text)
    assert match, f"no instruction in {result_text!r}"
    arguments: dict[str, Any] = dict(re.findall(r'\b([a-z_]+) "([^"]*)"', match["clause"]))
    for name in re.findall(r"\bwith ([a-z]+_[a-z_]+)\b", match["clause"]):
        arguments.setdefault(name, extra[name])
    for name, value in extra.items():
        if name not in re.findall(r"\b[a-z]+_[a-z_]+\b", match["clause"]):
            arguments.setdefault(name, value)
    return match["tool"], arguments


async def test_the_running_handle_and_the_get_run_result_can_be_obeyed(connect):
    async with connect(env={"WXO_TOOL_DEADLINE": "2"}) as client:
        started = await client.call_tool("slow_agent", {"message": "seconds=5"})
        assert data(started)["status"] == "running", text(started)
        finished = started
        for _ in range(10):  # wait_seconds is capped at the 2 s deadline: obey until done
            tool, arguments = obey(text(finished), wait_seconds=10)
            assert tool == "get_run" and set(arguments) == {"run_id", "wait_seconds"}
            finished = await client.call_tool(tool, arguments)
            assert not finished.is_error, text(finished)
            if data(finished)["status"] != "running":
                break
        assert data(finished)["status"] == "completed"
        tool, arguments = obey(text(finished), message="seconds=0.1")
        assert tool == "ask_agent" and arguments["agent"] == "slow_agent"
        again = await client.call_tool(tool, arguments)
    assert not again.is_error, text(again)
    assert data(again)["status"] == "completed"
    assert data(again)["thread_id"] == data(started)["thread_id"]
