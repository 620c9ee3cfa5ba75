"""GET /orchestrate/agents: realistic agent objects, filters, lookups, extra agents."""

from __future__ import annotations

import uuid

import pytest

from wxo_mcp.simulator import Simulator, SimulatorOptions

from .helpers import client

FIXED_VISIBLE = {
    "echo_agent": "Echo Agent",
    "weather_agent": "Weather Agent",
    "quiet_agent": "Quiet Agent",
    "failing_agent": "Failing Agent",
    "slow_agent": "Slow Agent",
    "long_agent": "Long Agent",
    "search_agent": "Search Agent",
    "choice_agent": "Choice Agent",
    "report_agent": "Report Agent",
    "form_agent": "Form Agent",
    "flow_agent": "Flow Agent",
}

# Every field of the documented agent object (§3).
AGENT_FIELDS = {
    "id", "tenant_id", "name", "display_name", "description", "instructions", "tools",
    "collaborators", "knowledge_base", "llm", "style", "supported_apps", "created_by", "created_on",
    "updated_by", "updated_at", "deleted_by", "deleted_at", "environments", "agent_mapping",
    "hidden", "structured_output", "custom_join_tool", "guidelines", "tags", "chat_with_docs",
    "voice_configuration_id", "additional_properties",
}  # fmt: skip


def _is_uuid(value: str) -> bool:
    return str(uuid.UUID(value)) == value


def test_list_is_a_plain_array_of_visible_agents(simulator: Simulator) -> None:
    with client(simulator) as http:
        agents = http.get("/v1/orchestrate/agents").json()
    assert isinstance(agents, list)
    assert {a["name"]: a["display_name"] for a in agents} == FIXED_VISIBLE


def test_agent_objects_carry_every_documented_field(simulator: Simulator) -> None:
    with client(simulator) as http:
        agents = http.get("/v1/orchestrate/agents", params={"include_hidden": "true"}).json()
    for agent in agents:
        assert set(agent) >= AGENT_FIELDS, AGENT_FIELDS - set(agent)
        assert _is_uuid(agent["id"])
        assert all(_is_uuid(t) for t in agent["tools"])
        assert all(_is_uuid(c) for c in agent["collaborators"])
        assert {env["name"] for env in agent["environments"]} == {"draft", "live"}
        assert all(_is_uuid(env["id"]) for env in agent["environments"])
        assert agent["llm"].startswith("watsonx/")
        assert isinstance(agent["additional_properties"], dict)
        assert agent["description"]
    weather = next(a for a in agents if a["name"] == "weather_agent")
    assert len(weather["tools"]) == 1


def test_hidden_agent_only_with_include_hidden(simulator: Simulator) -> None:
    with client(simulator) as http:
        default = http.get("/v1/orchestrate/agents").json()
        shown = http.get("/v1/orchestrate/agents", params={"include_hidden": "true"}).json()
        explicit_false = http.get(
            "/v1/orchestrate/agents", params={"include_hidden": "false"}
        ).json()
    assert "hidden_agent" not in {a["name"] for a in default}
    assert "hidden_agent" not in {a["name"] for a in explicit_false}
    hidden = [a for a in shown if a["name"] == "hidden_agent"]
    assert len(hidden) == 1
    assert hidden[0]["hidden"] is True


def test_names_filter_is_repeatable(simulator: Simulator) -> None:
    with client(simulator) as http:
        agents = http.get(
            "/v1/orchestrate/agents", params=[("names", "echo_agent"), ("names", "quiet_agent")]
        ).json()
        none = http.get("/v1/orchestrate/agents", params={"names": "no_such_agent"}).json()
    assert sorted(a["name"] for a in agents) == ["echo_agent", "quiet_agent"]
    assert none == []


def test_ids_filter_is_repeatable(simulator: Simulator) -> None:
    wanted = [simulator.agent_id("slow_agent"), simulator.agent_id("long_agent")]
    with client(simulator, saas=True) as http:
        agents = http.get("/v1/orchestrate/agents", params=[("ids", i) for i in wanted]).json()
    assert sorted(a["id"] for a in agents) == sorted(wanted)


def test_hidden_agent_by_name_still_needs_include_hidden(simulator: Simulator) -> None:
    with client(simulator) as http:
        without = http.get("/v1/orchestrate/agents", params={"names": "hidden_agent"}).json()
        with_flag = http.get(
            "/v1/orchestrate/agents", params={"names": "hidden_agent", "include_hidden": "true"}
        ).json()
    assert without == []
    assert [a["name"] for a in with_flag] == ["hidden_agent"]


@pytest.mark.parametrize("saas", [False, True])
def test_get_agent_by_id(simulator: Simulator, saas: bool) -> None:
    agent_id = simulator.agent_id("hidden_agent")
    path = "/v1/orchestrate/agents/"
    with client(simulator, saas=saas) as http:
        found = http.get(path + agent_id)
        missing = http.get(path + "00000000-0000-4000-8000-000000000000")
    assert found.status_code == 200
    assert found.json()["name"] == "hidden_agent"
    assert missing.status_code == 404
    assert "not found" in missing.json()["detail"]


def test_ids_are_stable_across_simulators(simulator: Simulator) -> None:
    with Simulator(SimulatorOptions(token="other")) as other:
        assert other.agent_id("echo_agent") == simulator.agent_id("echo_agent")


def test_extra_agents_are_echo_agents() -> None:
    with Simulator(SimulatorOptions(token="t", extra_agents=3)) as sim, client(sim) as http:
        names = [a["name"] for a in http.get("/v1/orchestrate/agents").json()]
        assert names[-3:] == ["echo_agent_0001", "echo_agent_0002", "echo_agent_0003"]
        assert len(names) == len(FIXED_VISIBLE) + 3
        body = {
            "message": {"role": "user", "content": "hi"},
            "agent_id": sim.agent_id("echo_agent_0002"),
        }
        with http.stream("POST", "/v1/orchestrate/runs/stream", json=body) as response:
            text = response.read().decode()
    assert "Echo (turn 1): hi" in text


@pytest.mark.parametrize(
    ("saas", "agents_path", "path"),
    [
        (False, "/v1/orchestrate/agents", "/v1/tools/"),
        (True, "/v1/orchestrate/agents", "/v1/orchestrate/tools"),
    ],
)
def test_tools_by_id_resolve_an_agents_tool_ids_to_names(
    simulator: Simulator, saas: bool, agents_path: str, path: str
) -> None:
    with client(simulator, saas=saas) as http:
        agents = http.get(agents_path).json()
        weather = next(a for a in agents if a["name"] == "weather_agent")
        tools = http.get(path, params={"ids": weather["tools"]}).json()
        everything = http.get(path).json()
    assert [t["name"] for t in tools] == ["get_weather"]
    assert tools[0]["id"] == weather["tools"][0]
    assert {t["name"] for t in everything} >= {"get_weather", "generate_report"}


def test_collaborators_are_agent_ids_the_ids_filter_resolves(simulator: Simulator) -> None:
    with client(simulator) as http:
        agents = http.get("/v1/orchestrate/agents", params={"include_hidden": "true"}).json()
        report = next(a for a in agents if a["name"] == "report_agent")
        found = http.get(
            "/v1/orchestrate/agents",
            params=[("include_hidden", "true"), *(("ids", i) for i in report["collaborators"])],
        ).json()
    assert sorted(a["name"] for a in found) == ["hidden_agent", "search_agent"]


def test_starter_prompts_in_additional_properties(simulator: Simulator) -> None:
    with client(simulator) as http:
        agents = http.get("/v1/orchestrate/agents", params={"include_hidden": "true"}).json()
    starters = {a["name"]: a["additional_properties"]["starter_prompts"] for a in agents}
    assert starters["quiet_agent"]["prompts"] == []
    weather = starters["weather_agent"]
    assert weather["is_default_prompts"] is False
    assert [(p["id"], p["state"]) for p in weather["prompts"]] == [
        ("weather_now", "active"),
        ("packing_advice", "active"),
        ("weekend_forecast", "inactive"),
    ]
    assert set(weather["prompts"][0]) == {"id", "title", "subtitle", "prompt", "state"}
    assert [p["id"] for p in starters["hidden_agent"]["prompts"]] == ["secret_hello"]
