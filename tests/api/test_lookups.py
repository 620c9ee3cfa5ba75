"""Tool and collaborator ids to names, through the endpoints the ADK uses, in both families."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.api.test_client import FAST, Family, make_settings, prefix
from wxo_mcp.api import OrchestrateClient, agent_names, tool_names
from wxo_mcp.api import lookups as lookups_module
from wxo_mcp.auth import make_token_provider
from wxo_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["local", "saas"])
def family(request: pytest.FixtureRequest) -> Family:
    return str(request.param)


@pytest.fixture
def simulator(family: Family, request: pytest.FixtureRequest) -> Simulator:
    """The family's simulator: the SaaS family talks to one that serves nothing else."""
    sim: Simulator = request.getfixturevalue("saas_simulator" if family == "saas" else "simulator")
    return sim


@pytest.fixture
async def client(
    simulator: Simulator, family: Family, tmp_path: Path
) -> AsyncIterator[OrchestrateClient]:
    settings = make_settings(simulator, family, tmp_path)
    async with OrchestrateClient(settings, make_token_provider(settings), retry=FAST) as c:
        yield c


async def test_tool_ids_resolve_through_the_tools_endpoint(client, simulator, family):
    agents = {a.name: a for a in await client.list_agents()}
    ids = agents["weather_agent"].raw["tools"] + agents["report_agent"].raw["tools"]
    unknown = "00000000-0000-4000-8000-000000000000"
    names = await tool_names(client, [*ids, unknown, ids[0]])
    assert sorted(names.values()) == ["generate_report", "get_weather"]
    assert unknown not in names
    tools_path = "/v1/tools/" if family == "local" else "/v1/orchestrate/tools"
    reads = [r for r in simulator.requests if "/tools" in r.path]
    assert [r.path for r in reads] == [prefix(simulator, family) + tools_path]
    assert reads[0].query.count("ids=") == 3


async def test_collaborators_resolve_hidden_ones_too(client, simulator):
    agents = {a.name: a for a in await client.list_agents()}
    ids = agents["report_agent"].raw["collaborators"]
    names = await agent_names(client, ids)
    assert sorted(names.values()) == ["hidden_agent", "search_agent"]


async def test_unknown_collaborators_are_looked_for_among_external_and_assistant_agents(
    client, simulator
):
    unknown = "00000000-0000-4000-8000-000000000000"
    assert await agent_names(client, [unknown]) == {}
    paths = [r.path for r in simulator.requests]
    assert any(p.endswith("/agents/external-chat") for p in paths)
    assert any(p.endswith("/assistants/watsonx") for p in paths)


async def test_many_ids_go_in_batches(client, simulator, monkeypatch):
    monkeypatch.setattr(lookups_module, "BATCH", 2)
    ids = [simulator.agent_id(n) for n in ("echo_agent", "quiet_agent", "slow_agent")]
    names = await agent_names(client, ids)
    assert sorted(names.values()) == ["echo_agent", "quiet_agent", "slow_agent"]
    assert len([r for r in simulator.requests if r.path.endswith("/orchestrate/agents")]) == 2


async def test_no_ids_no_request(client, simulator):
    assert await tool_names(client, []) == {}
    assert await agent_names(client, []) == {}
    assert simulator.requests == []
