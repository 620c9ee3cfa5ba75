"""Agent parsing and the WXO_AGENTS selection rule."""

from __future__ import annotations

import pytest

from wxo_mcp.api import Agent, select_agents


def _agent(name: str, hidden: bool = False) -> Agent:
    return Agent(id=f"id-{name}", name=name, display_name=name.title(), hidden=hidden)


AGENTS = [
    _agent("echo_agent"),
    _agent("weather_agent"),
    _agent("hr_bot"),
    _agent("hidden_agent", hidden=True),
    _agent("hidden_helper", hidden=True),
]


@pytest.mark.parametrize(
    ("patterns", "names"),
    [
        ([], ["echo_agent", "weather_agent", "hr_bot"]),
        (["*"], ["echo_agent", "weather_agent", "hr_bot"]),
        (["*_agent"], ["echo_agent", "weather_agent"]),
        (["echo_agent"], ["echo_agent"]),
        (["!hr_bot"], ["echo_agent", "weather_agent"]),
        (["*", "!w*"], ["echo_agent", "hr_bot"]),
        (["hidden_agent"], ["hidden_agent"]),
        (["*", "hidden_agent"], ["echo_agent", "weather_agent", "hr_bot", "hidden_agent"]),
        (["hidden_*"], []),
        (["hidden_agent", "!hidden_agent"], []),
        (["Echo_Agent"], []),
        (["  echo_agent ", ""], ["echo_agent"]),
        (["hr_bo?"], ["hr_bot"]),
        (["[eh]*"], ["echo_agent", "hr_bot"]),
        (["!"], ["echo_agent", "weather_agent", "hr_bot"]),
    ],
)
def test_select_agents(patterns, names):
    assert [a.name for a in select_agents(AGENTS, patterns)] == names


def test_from_wire_tolerates_missing_fields():
    agent = Agent.from_wire({"id": "u-1", "name": "n", "llm": "x"})
    assert agent is not None
    assert (agent.display_name, agent.description, agent.hidden) == ("n", "", False)
    assert agent.raw["llm"] == "x"
    assert Agent.from_wire({"name": "no id"}) is None
    only_id = Agent.from_wire({"id": "u-2", "display_name": "D", "hidden": True})
    assert only_id is not None
    assert (only_id.name, only_id.hidden) == ("u-2", True)
