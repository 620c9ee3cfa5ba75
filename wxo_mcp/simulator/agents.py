"""The agents the simulator serves, and their agent objects as ``GET /orchestrate/agents`` shows
them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from . import payloads
from .options import SimulatorOptions

Behaviour = Literal[
    "echo",
    "weather",
    "quiet",
    "failing",
    "slow",
    "long",
    "search",
    "choice",
    "files",
    "form",
    "flow",
]

# Agent, tool and environment ids are uuid5 of their names under this namespace, so they are the
# same in
# every simulator process: a test (or a bridge restarted against `wxo-mcp simulator`) can hard-code
# them.
_NAMESPACE = uuid.UUID("6f1d5a0e-2f4b-4c4e-9a53-0b0f4d5c7e21")


def stable_id(kind: str, name: str) -> str:
    """A UUID that depends only on ``kind`` and ``name``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


@dataclass(frozen=True, slots=True)
class StarterPrompt:
    """A ready-made first message a chat UI offers for an agent (§3 ``starter_prompts``)."""

    id: str
    title: str
    subtitle: str
    prompt: str
    state: str = "active"

    def to_json(self) -> payloads.JSON:
        return {
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "prompt": self.prompt,
            "state": self.state,
        }


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One served agent: its identity, what it says about itself, and its scripted behaviour."""

    name: str
    display_name: str
    description: str
    behaviour: Behaviour
    instructions: str = "Answer the user's request."
    tools: tuple[str, ...] = ()
    collaborators: tuple[str, ...] = ()
    """Names of the agents this one hands work to (their ids go on the wire)."""
    starter_prompts: tuple[StarterPrompt, ...] = ()
    knowledge_base: tuple[str, ...] = ()
    """Names of the knowledge bases the agent searches (:mod:`.knowledge`)."""
    hidden: bool = False
    style: str = "default"
    llm: str = "watsonx/meta-llama/llama-3-2-90b-vision-instruct"
    tags: tuple[str, ...] = field(default=())
    environments: tuple[str, ...] = ("draft", "live")
    """Where the agent is deployed; each gets a stable environment id (§13)."""

    @property
    def id(self) -> str:
        return stable_id("agent", self.name)

    def environment_id(self, name: str) -> str:
        """The stable id of this agent's ``draft`` or ``live`` environment."""
        return stable_id("environment", f"{self.name}/{name}")

    def to_json(self) -> payloads.JSON:
        """The agent object of §3, built from the recorded template."""
        obj: payloads.JSON = payloads.load("agent.json")
        obj.update(
            id=self.id,
            tenant_id=payloads.TENANT_ID,
            name=self.name,
            display_name=self.display_name,
            description=self.description,
            instructions=self.instructions,
            tools=[stable_id("tool", tool) for tool in self.tools],
            knowledge_base=[stable_id("knowledge_base", kb) for kb in self.knowledge_base],
            collaborators=[stable_id("agent", name) for name in self.collaborators],
            llm=self.llm,
            style=self.style,
            hidden=self.hidden,
            tags=list(self.tags),
            environments=[
                {"id": self.environment_id(env), "name": env} for env in self.environments
            ],
        )
        if self.starter_prompts:
            obj["additional_properties"]["starter_prompts"] = {
                "is_default_prompts": False,
                "prompts": [p.to_json() for p in self.starter_prompts],
            }
        return obj


FIXED_AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec(
        name="echo_agent",
        display_name="Echo Agent",
        description="Repeats the user's message and counts the turns of the conversation.",
        behaviour="echo",
        instructions="Reply with 'Echo (turn N): ' followed by the user's message.",
        starter_prompts=(
            StarterPrompt(
                id="say_hello",
                title="Say hello",
                subtitle="Check that the agent answers",
                prompt="Hello! Can you hear me?",
            ),
        ),
    ),
    AgentSpec(
        name="weather_agent",
        display_name="Weather Agent",
        description="Reports the current weather for a city, using the get_weather tool.",
        behaviour="weather",
        instructions="Call get_weather for the city the user names, then summarise the result.",
        tools=("get_weather",),
        style="react",
        starter_prompts=(
            StarterPrompt(
                id="weather_now",
                title="Weather right now",
                subtitle="Current conditions in a city",
                prompt="What is the weather like in Paris right now?",
            ),
            StarterPrompt(
                id="packing_advice",
                title="What to pack",
                subtitle="Clothes for tomorrow's weather",
                prompt="I am flying to Oslo tomorrow. What should I pack for the weather there?",
            ),
            StarterPrompt(
                id="weekend_forecast",
                title="Weekend forecast",
                subtitle="Retired: the agent has no forecast tool any more",
                prompt="What will the weather be in Rome this weekend?",
                state="inactive",
            ),
        ),
    ),
    AgentSpec(
        name="quiet_agent",
        display_name="Quiet Agent",
        description="Answers without streaming its text: its only delta is empty.",
        behaviour="quiet",
    ),
    AgentSpec(
        name="failing_agent",
        display_name="Failing Agent",
        description="Always fails: every run ends with run.failed.",
        behaviour="failing",
    ),
    AgentSpec(
        name="slow_agent",
        display_name="Slow Agent",
        description="Thinks for a while (say 'seconds=<n>' to choose how long) before answering.",
        behaviour="slow",
    ),
    AgentSpec(
        name="long_agent",
        display_name="Long Agent",
        description="Writes a long answer (say 'chars=<n>' to choose its length).",
        behaviour="long",
    ),
    AgentSpec(
        name="search_agent",
        display_name="Search Agent",
        description="Answers from a knowledge base, citing its sources (conversational_search).",
        behaviour="search",
        knowledge_base=("hr_policies",),
        starter_prompts=(
            StarterPrompt(
                id="pto_policy",
                title="Paid time off",
                subtitle="What the handbook says about vacation days",
                prompt="How many days of paid time off do new employees get?",
            ),
        ),
    ),
    AgentSpec(
        name="choice_agent",
        display_name="Choice Agent",
        description="Offers report formats to choose from; answer with a format's value.",
        behaviour="choice",
    ),
    AgentSpec(
        name="report_agent",
        display_name="Report Agent",
        description="Generates reports and hands them out as files to download.",
        behaviour="files",
        tools=("generate_report",),
        collaborators=("search_agent", "hidden_agent"),
        style="planner",
        starter_prompts=(
            StarterPrompt(
                id="quarterly_sales",
                title="Quarterly sales report",
                subtitle="Last quarter's sales as a PDF",
                prompt="Generate the quarterly sales report for Q3 as a PDF.",
            ),
        ),
    ),
    AgentSpec(
        name="form_agent",
        display_name="Form Agent",
        description=(
            "Asks for a form (say 'kind=<response_type>' for user_input, file_upload, date, "
            "number, object, ... instead)."
        ),
        behaviour="form",
    ),
    AgentSpec(
        name="flow_agent",
        display_name="Flow Agent",
        description=(
            "Starts an async flow whose answer arrives later in the thread "
            "(say 'seconds=<n>' to choose when)."
        ),
        behaviour="flow",
    ),
    AgentSpec(
        name="hidden_agent",
        display_name="Hidden Agent",
        description="A hidden echo agent, listed only with include_hidden=true.",
        behaviour="echo",
        hidden=True,
        starter_prompts=(
            StarterPrompt(
                id="secret_hello",
                title="Hidden hello",
                subtitle="Offered only when WXO_AGENTS names the hidden agent",
                prompt="Hello, hidden agent.",
            ),
        ),
    ),
)


def catalogue(options: SimulatorOptions) -> tuple[AgentSpec, ...]:
    """The fixed agents followed by ``options.extra_agents`` generated echo agents."""
    extras = tuple(
        AgentSpec(
            name=f"echo_agent_{n:04d}",
            display_name=f"Echo Agent {n:04d}",
            description=f"Generated echo agent number {n}.",
            behaviour="echo",
        )
        for n in range(1, options.extra_agents + 1)
    )
    agents = FIXED_AGENTS + extras
    if not options.draft_only_agents:
        return agents
    return tuple(
        replace(agent, environments=("draft",))
        if agent.name in options.draft_only_agents
        else agent
        for agent in agents
    )


def tool_spec(name: str) -> payloads.JSON:
    """A Python tool as the ADK's tools client lists it; only the agents' tool ids point at it."""
    return {
        "id": stable_id("tool", name),
        "name": name,
        "display_name": name.replace("_", " ").capitalize(),
        "description": f"The {name} tool of the simulator's agents.",
        "permission": "read_only",
        "input_schema": {"type": "object", "properties": {}, "required": []},
        "output_schema": {"type": "string"},
        "binding": {"python": {"function": f"tools:{name}", "requirements": []}},
    }


def tool_catalogue(agents: Iterable[AgentSpec]) -> list[payloads.JSON]:
    """Every tool some agent uses, once, in first-use order."""
    names = dict.fromkeys(tool for agent in agents for tool in agent.tools)
    return [tool_spec(name) for name in names]


def select(
    agents: Iterable[AgentSpec],
    *,
    include_hidden: bool,
    names: Sequence[str],
    ids: Sequence[str],
) -> list[AgentSpec]:
    """Apply the ``include_hidden``, ``names=`` and ``ids=`` filters of ``GET
    /orchestrate/agents``."""
    chosen = []
    for agent in agents:
        if agent.hidden and not include_hidden:
            continue
        if names and agent.name not in names:
            continue
        if ids and agent.id not in ids:
            continue
        chosen.append(agent)
    return chosen
