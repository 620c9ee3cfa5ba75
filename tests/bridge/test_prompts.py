"""Prompt names: stable, safe as slash commands, distinct for distinct ids."""

from __future__ import annotations

import pytest

from wxo_mcp.api import Agent, StarterPrompt
from wxo_mcp.bridge.catalog import AgentTool
from wxo_mcp.bridge.prompts import AgentPrompt, prompt_name, reaching_tool


def test_a_clean_id_is_kept():
    assert prompt_name("weather_agent", "weather_now") == "weather_agent__weather_now"


@pytest.mark.parametrize(
    "prompt_id", ["What's up?", "a b", "x" * 80, "é", "../../etc", "c5af3b86-16c6-4ef7"]
)
def test_names_are_safe_short_and_stable(prompt_id):
    name = prompt_name("tool", prompt_id)
    assert name == prompt_name("tool", prompt_id)
    assert name.startswith("tool__")
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    assert len(name) <= len("tool__") + 40 + 7


def test_ids_that_clean_up_alike_get_different_names():
    assert prompt_name("t", "a b") != prompt_name("t", "a_b")
    assert prompt_name("t", "a b") != prompt_name("t", "a  b")
    assert prompt_name("t", "x" * 50) != prompt_name("t", "x" * 51)


def _item(tool: str = "hr_bot") -> AgentTool:
    return AgentTool(Agent(id="id-1", name="hr_bot", display_name="HR Bot"), tool)


def test_the_tool_that_reaches_an_agent():
    assert reaching_tool(_item(), {"hr_bot", "ask_agent"}) == "hr_bot"
    assert reaching_tool(_item(), {"ask_agent", "list_agents"}) == "ask_agent"
    assert reaching_tool(_item(), {"other_agent"}) is None


def test_the_message_names_the_tool_and_how_to_call_it():
    starter = StarterPrompt(id="p", title="Leave", subtitle="Days left.", prompt="How many?")
    own = AgentPrompt("hr_bot__p", _item(), starter, "hr_bot")
    generic = AgentPrompt("hr_bot__p", _item(), starter, "ask_agent")
    assert own.text().startswith("How many?\n\n")
    assert "call the tool hr_bot with the message above" in own.text()
    assert 'call the tool ask_agent with agent "hr_bot"' in generic.text()
    assert own.description == "Days left. Starter prompt of the watsonx Orchestrate agent 'HR Bot'."
    assert own.to_result().messages[0].role == "user"
