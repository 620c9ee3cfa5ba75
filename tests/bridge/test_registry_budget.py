"""The run registry's memory: text per record and in total, oldest finished runs forgotten."""

from __future__ import annotations

from typing import Any

import pytest

from wxo_mcp.bridge import runs
from wxo_mcp.bridge.results import capped
from wxo_mcp.bridge.runs import RunHandle, RunRegistry

pytestmark = pytest.mark.anyio  # a RunHandle holds anyio events and cancel scopes


def _finished(registry: RunRegistry, n: int, text: str) -> RunHandle:
    handle = RunHandle(agent="echo_agent", thread_id=f"t-{n}", run_id=f"r-{n}", max_chars=1000)
    handle.set_text(text)
    handle.status = "completed"
    handle.done.set()
    registry._remember(handle)
    return handle


def _registry() -> RunRegistry:
    fake: Any = None  # the registry only keeps these for the runs it starts
    return RunRegistry(fake, fake, max_chars=1000)


async def test_a_record_keeps_its_text_up_to_the_cap_and_knows_how_long_it_was():
    handle = _finished(_registry(), 1, "x" * 5000)
    assert len(handle.text) == 1000
    result = handle.result()
    assert result.full_chars == 5000
    shown = capped(result, 1000)
    assert shown.text.startswith("x" * 1000)
    assert "the first 1000 of 5000 characters" in shown.text
    assert "orchestrate://threads/t-1" in shown.text


async def test_the_oldest_finished_runs_are_forgotten_past_the_text_budget(monkeypatch):
    monkeypatch.setattr(runs, "MAX_REMEMBERED_CHARS", 3500)
    registry = _registry()
    running = RunHandle(agent="a", thread_id="t-0", run_id="r-0", max_chars=1000)
    running.set_text("y" * 1000)
    registry._remember(running)  # still going: never forgotten for the budget
    for n in range(1, 6):
        _finished(registry, n, "x" * 1000)
    assert registry.get("r-0") is running
    assert [registry.get(f"r-{n}") is not None for n in range(1, 6)] == [
        False,
        False,
        False,
        True,
        True,
    ]


@pytest.mark.parametrize("count", [runs.MAX_RECORDS + 5])
async def test_at_most_max_records_are_remembered(count: int):
    registry = _registry()
    for n in range(count):
        _finished(registry, n, "")
    assert len(registry) == runs.MAX_RECORDS
    assert registry.get("r-0") is None and registry.get(f"r-{count - 1}") is not None
