"""Agent parsing and the WXO_AGENTS selection rule."""

from __future__ import annotations

import pytest

from wxo_mcp.api import Agent, select_agents, starter_prompts


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


def _with_starters(starters: object) -> Agent:
    agent = Agent.from_wire(
        {"id": "a-1", "name": "a", "additional_properties": {"starter_prompts": starters}}
    )
    assert agent is not None
    return agent


def test_only_active_starter_prompts_with_an_id_and_text_count():
    agent = _with_starters(
        {
            "is_default_prompts": False,
            "prompts": [
                {
                    "id": "p1",
                    "title": "One",
                    "subtitle": "first",
                    "prompt": "Do 1",
                    "state": "active",
                },
                {"id": "p2", "title": "Two", "prompt": "Do 2", "state": "inactive"},
                {"id": "p3", "title": "Three", "prompt": "Do 3"},
                {"id": "", "title": "No id", "prompt": "Do 4", "state": "active"},
                {"id": "p5", "title": "No text", "prompt": " ", "state": "active"},
                {"id": "p1", "title": "Again", "prompt": "Do 1 again", "state": "active"},
                {"id": "p6", "prompt": "A prompt without a title", "state": "active"},
                "not an object",
            ],
        }
    )
    found = starter_prompts(agent)
    assert [(p.id, p.title, p.subtitle, p.prompt) for p in found] == [
        ("p1", "One", "first", "Do 1"),
        ("p6", "A prompt without a title", "", "A prompt without a title"),
    ]


@pytest.mark.parametrize("starters", [None, {}, {"prompts": None}, {"prompts": {}}, "x"])
def test_no_starter_prompts(starters):
    assert starter_prompts(_with_starters(starters)) == ()
    bare = Agent.from_wire({"id": "b", "name": "b"})
    assert bare is not None
    assert starter_prompts(bare) == ()
