"""Agents' starter prompts as MCP prompts, and agents as resources: over stdio, both eras."""

from __future__ import annotations

import json
import re
import socket
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, PromptListChangedNotification

from tests.helpers import data
from wxo_mcp.simulator import StarterPrompt
from wxo_mcp.simulator.agents import stable_id

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

#: Every active starter prompt of the simulator's visible agents, by prompt name.
OFFERED = {
    "echo_agent__say_hello": ("Say hello", "Echo Agent"),
    "weather_agent__weather_now": ("Weather right now", "Weather Agent"),
    "weather_agent__packing_advice": ("What to pack", "Weather Agent"),
    "search_agent__pto_policy": ("Paid time off", "Search Agent"),
    "report_agent__quarterly_sales": ("Quarterly sales report", "Report Agent"),
}
_CALL = re.compile(r'call the tool (\S+) with (?:agent "([^"]+)" and )?the message above')


async def _prompts(client: Any) -> dict[str, Any]:
    return {p.name: p for p in (await client.list_prompts(cache_mode="bypass")).prompts}


async def _obey(client: Any, name: str) -> tuple[str, dict[str, Any]]:
    """Get the prompt and do what its message says: call the named tool with the prompt text."""
    result = await client.get_prompt(name)
    assert len(result.messages) == 1
    message = result.messages[0]
    assert message.role == "user"
    prompt_text, _, instruction = message.content.text.partition("\n\n")
    match = _CALL.search(instruction)
    assert match is not None, instruction
    tool, agent = match.groups()
    arguments = (
        {"message": prompt_text} if agent is None else {"agent": agent, "message": prompt_text}
    )
    return tool, data(await client.call_tool(tool, arguments))


async def test_list_offers_each_active_starter_prompt(connect):
    async with connect() as client:
        capability = client.server_capabilities.prompts
        assert capability is not None
        assert capability.list_changed is True
        prompts = await _prompts(client)
    assert set(prompts) == set(OFFERED)  # no inactive one, none of the hidden agent
    for name, (title, display_name) in OFFERED.items():
        assert prompts[name].title == title
        assert display_name in (prompts[name].description or "")
        assert not prompts[name].arguments
    assert "Current conditions in a city" in (
        prompts["weather_agent__weather_now"].description or ""
    )


async def test_get_names_the_agents_tool_and_obeying_it_works(connect):
    async with connect() as client:
        tool, answer = await _obey(client, "weather_agent__weather_now")
        assert tool == "weather_agent"
        assert answer["status"] == "completed"
        assert "Paris" in answer["text"]
        tool, answer = await _obey(client, "echo_agent__say_hello")
        assert (tool, answer["text"]) == ("echo_agent", "Echo (turn 1): Hello! Can you hear me?")


@pytest.mark.parametrize(
    "env", [{"WXO_TOOLS": "generic"}, {"WXO_MAX_AGENT_TOOLS": "2"}], ids=["generic", "too-many"]
)
async def test_with_only_the_generic_tools_the_prompt_names_ask_agent(connect, env):
    async with connect(env=env) as client:
        assert set(await _prompts(client)) == set(OFFERED)
        text = (await client.get_prompt("echo_agent__say_hello")).messages[0].content.text
        assert 'call the tool ask_agent with agent "echo_agent"' in text
        tool, answer = await _obey(client, "echo_agent__say_hello")
    assert tool == "ask_agent"
    assert answer["text"] == "Echo (turn 1): Hello! Can you hear me?"


async def test_agent_selection_applies_to_prompts(connect):
    async with connect(env={"WXO_AGENTS": "hidden_agent,weather_*"}) as client:
        prompts = await _prompts(client)
        assert set(prompts) == {
            "hidden_agent__secret_hello",
            "weather_agent__weather_now",
            "weather_agent__packing_advice",
        }
        tool, answer = await _obey(client, "hidden_agent__secret_hello")
    assert (tool, answer["text"]) == ("hidden_agent", "Echo (turn 1): Hello, hidden agent.")


async def test_unknown_prompt_is_invalid_params(connect):
    async with connect() as client:
        for name in ("no_such_prompt", "weather_agent__weekend_forecast"):  # the inactive one
            with pytest.raises(MCPError) as caught:
                await client.get_prompt(name)
            assert caught.value.error.code == INVALID_PARAMS
            assert name in caught.value.error.message
        # the server is still fine
        assert set(await _prompts(client)) == set(OFFERED)


async def test_no_prompts_capability_without_prompts(connect):
    async with connect(env={"WXO_AGENTS": "quiet_agent,slow_agent"}) as client:
        assert client.server_capabilities.prompts is None
        assert client.server_capabilities.tools is not None
        assert (await client.list_prompts()).prompts == []


_LATE = [
    StarterPrompt(id="late_hello", title="Late hello", subtitle="Arrived later", prompt="Hi late")
]


@pytest.mark.parametrize("mode", ["legacy"])
async def test_legacy_client_hears_prompts_list_changed(connect, simulator):
    heard = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(getattr(message, "root", message), PromptListChangedNotification):
            heard.set()

    async with connect(env={"WXO_AGENTS_TTL": "0.3"}, message_handler=on_message) as client:
        assert "late_agent__late_hello" not in await _prompts(client)
        simulator.add_agent("quiet_late_agent")  # no prompts: no notification
        await anyio.sleep(0.4)
        assert set(await _prompts(client)) == set(OFFERED)
        assert not heard.is_set()
        simulator.add_agent("late_agent", starter_prompts=_LATE)
        await anyio.sleep(0.4)
        assert "late_agent__late_hello" in await _prompts(client)
        with anyio.fail_after(5):
            await heard.wait()
        tool, answer = await _obey(client, "late_agent__late_hello")
        assert (tool, answer["text"]) == ("late_agent", "Echo (turn 1): Hi late")


@pytest.mark.parametrize("mode", ["auto"])
async def test_modern_client_hears_prompts_list_changed_through_its_subscription(
    connect, simulator
):
    async with connect(env={"WXO_AGENTS_TTL": "0.3"}) as client:
        assert client.protocol_version == "2026-07-28"
        assert "late_agent__late_hello" not in await _prompts(client)
        async with client.listen(prompts_list_changed=True) as subscription:
            simulator.add_agent("late_agent", starter_prompts=_LATE)
            await anyio.sleep(0.4)
            assert "late_agent__late_hello" in await _prompts(client)
            with anyio.fail_after(5):
                event = await subscription.__anext__()
        assert type(event).__name__ == "PromptsListChanged"


async def _read(client: Any, uri: str) -> Any:
    return json.loads((await client.read_resource(uri, cache_mode="bypass")).contents[0].text)


async def test_agents_as_resources(connect, simulator):
    async with connect() as client:
        templates = (await client.list_resource_templates()).resource_templates
        assert "orchestrate://agents/{name}" in {t.uri_template for t in templates}
        listed = {r.name: str(r.uri) for r in (await client.list_resources()).resources}
        assert listed["list_agents"] == "orchestrate://agents"

        cards = {c["name"]: c for c in await _read(client, "orchestrate://agents")}
        assert "hidden_agent" not in cards
        assert cards["weather_agent"]["tools"] == ["get_weather"]
        assert cards["echo_agent"]["tools"] == []
        assert cards["quiet_agent"]["starter_prompts"] == []

        report = await _read(client, "orchestrate://agents/report_agent")
        assert report == cards["report_agent"]
        assert report["display_name"] == "Report Agent"
        assert report["tool"] == "report_agent"
        assert report["tools"] == ["generate_report"]
        assert report["collaborators"] == ["search_agent", "hidden_agent"]
        assert report["style"] == "planner"
        assert report["llm"].startswith("watsonx/")
        assert report["starter_prompts"] == [
            {
                "id": "quarterly_sales",
                "title": "Quarterly sales report",
                "subtitle": "Last quarter's sales as a PDF",
                "prompt": "Generate the quarterly sales report for Q3 as a PDF.",
                "mcp_prompt": "report_agent__quarterly_sales",
            }
        ]
        weather = await _read(client, "orchestrate://agents/weather_agent")
        assert [p["id"] for p in weather["starter_prompts"]] == ["weather_now", "packing_advice"]
        # names were looked up once, and are kept with the agent list
        lookups = [r for r in simulator.requests if "/tools" in r.path or "ids=" in r.query]
        assert len(lookups) == 2  # the tools, then the one collaborator not on offer

        for bad in ("no_such_agent", "hidden_agent"):
            with pytest.raises(MCPError) as caught:
                await client.read_resource(f"orchestrate://agents/{bad}")
            assert caught.value.error.code == INVALID_PARAMS
            assert "No agent named" in caught.value.error.message


async def test_agent_card_under_the_generic_surface(connect):
    async with connect(env={"WXO_TOOLS": "generic"}) as client:
        card = await _read(client, "orchestrate://agents/echo_agent")
    assert card["tool"] == "ask_agent"
    assert card["starter_prompts"][0]["mcp_prompt"] == "echo_agent__say_hello"


async def test_orchestrate_down_the_handshake_still_answers_without_prompts(connect):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    async with connect(env={"WXO_URL": dead, "WXO_TOKEN": "t0k3n-for-down-test"}) as client:
        assert client.server_capabilities.prompts is None
        assert client.server_capabilities.tools is not None
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("echo_agent__say_hello")
        assert caught.value.error.code == INVALID_PARAMS
        assert "the agent list could not be read" in caught.value.error.message
        with pytest.raises(MCPError) as caught:
            await client.read_resource("orchestrate://agents")
        assert "127.0.0.1" in caught.value.error.message


@pytest.mark.parametrize("mode", ["legacy"])
async def test_a_failed_name_lookup_shows_ids_and_is_tried_again(connect, simulator):
    async with connect() as client:
        simulator.faults.status(500, times=3, path_contains="/tools")  # every retry of one read
        first = await _read(client, "orchestrate://agents/weather_agent")
        assert first["tools"] == [stable_id("tool", "get_weather")]
        again = await _read(client, "orchestrate://agents/weather_agent")
        assert again["tools"] == ["get_weather"]
