"""``wxo-mcp agents``: every agent, the tool it becomes, and why some are left out."""

from __future__ import annotations

import json

from tests.cli.conftest import Outcome
from tests.helpers import AGENT_TOOLS


def rows(result: Outcome) -> dict[str, str]:
    """Table lines keyed by the agent name in their first column."""
    lines = result.out.splitlines()
    assert lines[0].split() == ["AGENT", "TOOL", "PROMPTS", "DISPLAY", "NAME", "NOTE"]
    return {line.split()[0]: line for line in lines[1:] if line.strip() and "  " in line}


def test_table_of_agents_and_tools(run_cli, sim_env):
    result = run_cli("agents", env=sim_env)
    assert result.code == 0, result.err
    table = rows(result)
    for name in AGENT_TOOLS:
        assert table[name].split()[:2] == [name, name]
    assert "hidden" in table["hidden_agent"]
    assert table["hidden_agent"].split()[1] == "-"
    total = len(table)
    hidden = sum(1 for line in table.values() if "hidden in Orchestrate" in line)
    assert hidden >= 1
    assert f"{total} agents; {total - hidden} offered as tools of their own" in result.out
    assert "Generic tools: list_agents, ask_agent, get_run." in result.out
    # each agent's active starter prompts (the inactive one of weather_agent does not count)
    assert [table[n].split()[2] for n in ("weather_agent", "echo_agent", "quiet_agent")] == [
        "2",
        "1",
        "0",
    ]
    assert table["hidden_agent"].split()[2] == "1"
    assert "Prompts: 5 (the active starter prompts of the agents a tool reaches)." in result.out


def test_excluded_and_explicitly_named_hidden_agents(run_cli, sim_env):
    result = run_cli("agents", "--agents", "echo_*,hidden_agent,!echo_agent", env=sim_env)
    assert result.code == 0, result.err
    table = rows(result)
    assert table["hidden_agent"].split()[:2] == ["hidden_agent", "hidden_agent"]
    assert "excluded by WXO_AGENTS (echo_*,hidden_agent,!echo_agent)" in table["echo_agent"]
    assert "excluded by WXO_AGENTS" in table["weather_agent"]
    assert "1 offered as tools of their own" in result.out


def test_over_the_agent_tool_limit(run_cli, sim_env):
    result = run_cli("agents", env={**sim_env, "WXO_MAX_AGENT_TOOLS": 2})
    assert result.code == 0, result.err
    table = rows(result)
    visible = sum(1 for line in table.values() if "hidden in Orchestrate" not in line)
    for name in AGENT_TOOLS:
        assert table[name].split()[1] == "ask_agent"
        assert (
            f"{visible} agents exceed WXO_MAX_AGENT_TOOLS=2; reachable through ask_agent"
            in table[name]
        )
    assert f"0 offered as tools of their own, {visible} without a tool of their own" in result.out


def test_agent_tools_switched_off(run_cli, sim_env):
    result = run_cli("agents", "--tools", "generic", "--json", env=sim_env)
    assert result.code == 0, result.err
    data = {r["name"]: r for r in json.loads(result.out)}
    assert data["echo_agent"] == {
        "name": "echo_agent",
        "display_name": "Echo Agent",
        "tool": "ask_agent",
        "selected": True,
        "offered": False,
        "note": "WXO_TOOLS has no 'agents'; reachable through ask_agent",
        "prompts": 1,
    }
    assert data["hidden_agent"]["selected"] is False


def test_unreachable_orchestrate_fails_with_the_fix(run_cli):
    result = run_cli("agents", env={"WXO_URL": "http://127.0.0.1:9", "WXO_TOKEN": "t" * 20})
    assert result.code == 1
    assert "Cannot connect to Orchestrate at http://127.0.0.1:9" in result.err
    assert "Check WXO_URL" in result.err
    assert result.out == ""


def test_refused_token(run_cli, simulator):
    result = run_cli("agents", env={"WXO_URL": simulator.url, "WXO_TOKEN": "wrong-token-123456"})
    assert result.code == 1
    assert "wrong-token-123456" not in result.err
    assert "Orchestrate answered HTTP 401 to listing agents" in result.err
    assert "Set a valid WXO_TOKEN" in result.err


def test_simulator_flag(run_cli):
    result = run_cli("agents", "--simulator", "--json")
    assert result.code == 0, result.err
    assert {r["name"] for r in json.loads(result.out)} >= set(AGENT_TOOLS)


def test_agents_not_deployed_in_the_chosen_environment(run_cli):
    from wxo_mcp.simulator import Simulator, SimulatorOptions

    options = SimulatorOptions(token="env-token", draft_only_agents=("weather_agent",))
    with Simulator(options) as sim:
        env = {"WXO_URL": sim.url, "WXO_TOKEN": sim.token, "WXO_AGENT_ENVIRONMENT": "live"}
        result = run_cli("agents", env=env)
    assert result.code == 0, result.err
    table = rows(result)
    assert table["weather_agent"].split()[1] == "-"
    assert (
        "not deployed in its live environment (WXO_AGENT_ENVIRONMENT=live)"
        in table["weather_agent"]
    )
    assert table["echo_agent"].split()[:2] == ["echo_agent", "echo_agent"]
