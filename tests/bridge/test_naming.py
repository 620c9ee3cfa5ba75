import re

import pytest

from wxo_mcp.bridge.naming import MAX_TOOL_NAME, assign_tool_names, sanitize

SAFE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("echo_agent", "echo_agent"),
        ("HR Agent (v2)", "HR_Agent_v2"),
        ("café-bot", "caf_-bot"),
        ("../../x", "x"),
        ("???", "agent"),
    ],
)
def test_sanitize(name, expected):
    assert sanitize(name) == expected


def test_names_are_safe_unique_and_avoid_generic_tools():
    agents = [
        ("id-1", "ask_agent"),
        ("id-2", "My Agent"),
        ("id-3", "My_Agent"),
        ("id-4", "x" * 200),
        ("id-5", "x" * 201),
    ]
    names = assign_tool_names(agents, reserved={"ask_agent", "list_agents", "get_run"})
    assert len(set(names.values())) == len(agents)
    assert all(SAFE.match(n) for n in names.values())
    assert names["id-1"] != "ask_agent" and names["id-1"].startswith("ask_agent_")
    assert names["id-3"] == "My_Agent"  # the already-clean name keeps its name
    assert names["id-2"].startswith("My_Agent_")
    assert len(names["id-4"]) == MAX_TOOL_NAME


def test_names_are_stable_when_agents_are_added_or_reordered():
    first = assign_tool_names([("b", "Sales Bot"), ("a", "Sales_Bot")], reserved=())
    later = assign_tool_names(
        [("c", "Sales-Bot!"), ("a", "Sales_Bot"), ("b", "Sales Bot")], reserved=()
    )
    assert later["a"] == first["a"] == "Sales_Bot"
    assert later["b"] == first["b"]
