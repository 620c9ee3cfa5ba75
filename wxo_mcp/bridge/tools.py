"""What each tool looks like to a host: names, descriptions and input/output schemas.

Pure data, built from an agent or from settings: the bridge decides which tools to offer, this
module only describes them. The schemas are shared dicts built once (a 1,000-agent list would
otherwise rebuild the same output schema a thousand times).

Tools are built in their wire form (the camelCase dict ``tools/list`` carries), not as SDK
``Tool`` models: the server answers handshake-era ``tools/list`` requests with these dicts as
they are, where the SDK would dump, re-validate and dump again every tool (~250 ms and ~30 MB
for 1,000 agents). ``tests/e2e/test_tools_wire.py`` checks that the SDK sends the same bytes'
worth for every tool in every protocol era.
"""

from __future__ import annotations

import functools
from typing import Any

from wxo_mcp.bridge.arguments import ParamSpec, input_schema
from wxo_mcp.bridge.catalog import AgentTool
from wxo_mcp.bridge.results import output_schema

__all__ = [
    "AGENT_PARAMS",
    "ASK_PARAMS",
    "GENERIC_TOOLS",
    "GET_RUN_PARAMS",
    "ToolDict",
    "agent_tool",
    "generic_tools",
]

GENERIC_TOOLS = ("list_agents", "ask_agent", "get_run")

_MESSAGE = ParamSpec("text", required=True, description="What to ask or tell the agent.")
_THREAD = ParamSpec(
    "id",
    description=(
        "The thread_id returned by an earlier call, to continue that conversation; "
        "omit it to start a new one."
    ),
)
_STEPS = ParamSpec(
    "flag",
    description=(
        "Also list the agent's tool calls and their results in the text (default false; they "
        "are always in the structured 'steps')."
    ),
)
AGENT_PARAMS = {"message": _MESSAGE, "thread_id": _THREAD, "include_steps": _STEPS}
ASK_PARAMS = {
    "agent": ParamSpec("text", required=True, description="The agent's name (or id)."),
    "message": _MESSAGE,
    "thread_id": _THREAD,
    "include_steps": _STEPS,
}
GET_RUN_PARAMS = {
    "run_id": ParamSpec("id", required=True, description="The run_id returned by a call."),
    "wait_seconds": ParamSpec(
        "seconds", description="How long to wait for the run to finish (default 0)."
    ),
}


@functools.cache
def _agent_input_schema() -> dict[str, Any]:
    """Every agent tool's input schema: one shared dict (nobody may modify it)."""
    return input_schema(AGENT_PARAMS)


ToolDict = dict[str, Any]


def _tool(
    name: str,
    title: str,
    description: str,
    input_schema: dict[str, Any],
    output_schema: dict[str, Any],
    annotations: dict[str, Any],
) -> ToolDict:
    """A tool as the SDK would serialise it (fields in its order, no nulls)."""
    return {
        "name": name,
        "title": title,
        "description": description,
        "inputSchema": input_schema,
        "outputSchema": output_schema,
        "annotations": annotations,
    }


def agent_tool(item: AgentTool) -> ToolDict:
    """The tool that asks one agent."""
    agent = item.agent
    title = agent.display_name or agent.name
    about = (agent.description or "").strip() or f"The Orchestrate agent {title}."
    description = (
        f"{about}\n\nAsks the watsonx Orchestrate agent '{title}' ({agent.name}) and returns "
        "its answer with a thread_id. To continue the conversation, call this tool again "
        "with that thread_id."
    )
    return _tool(
        item.tool,
        title,
        description,
        _agent_input_schema(),
        output_schema(),
        {"title": title, "readOnlyHint": False, "openWorldHint": True},
    )


def generic_tools(deadline: float) -> list[ToolDict]:
    """list_agents, ask_agent and get_run; ``deadline`` caps get_run's wait."""
    return [
        _tool(
            "list_agents",
            "List Orchestrate agents",
            "Lists the watsonx Orchestrate agents you can ask, with the tool that calls "
            "each one. Use ask_agent with an agent's name to ask it.",
            {"type": "object", "properties": {}, "additionalProperties": False},
            _AGENT_LIST_SCHEMA,
            {"readOnlyHint": True, "openWorldHint": True},
        ),
        _tool(
            "ask_agent",
            "Ask an Orchestrate agent",
            "Sends a message to a watsonx Orchestrate agent (by name or id, see "
            "list_agents) and returns its answer with a thread_id. To continue the "
            "conversation, call ask_agent again with that thread_id.",
            input_schema(ASK_PARAMS),
            output_schema(),
            {"readOnlyHint": False, "openWorldHint": True},
        ),
        _tool(
            "get_run",
            "Get an Orchestrate run",
            "Returns the outcome of a run started by an earlier call (for example one "
            "that returned status 'running'). wait_seconds waits for it to finish, up to "
            f"{deadline:g} seconds.",
            input_schema(GET_RUN_PARAMS),
            output_schema(),
            {"readOnlyHint": True, "openWorldHint": True},
        ),
    ]


_AGENT_LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "agents": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "tool": {"type": "string"},
                    "display_name": {"type": "string"},
                    "description": {"type": "string"},
                },
                "required": ["name", "tool", "display_name", "description"],
            },
        },
        "error": {"type": "string"},
    },
    "required": ["agents"],
}
