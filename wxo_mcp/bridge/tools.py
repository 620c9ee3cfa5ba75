"""What each tool looks like to a host: names, descriptions and input/output schemas.

Pure data, built from an agent or from settings: the bridge decides which tools to offer, this
module only describes them. The schemas are shared dicts built once (a 1,000-agent list would
otherwise rebuild the same output schema a thousand times).
"""

from __future__ import annotations

import functools
from typing import Any

from mcp.types import Tool, ToolAnnotations, ToolExecution

from wxo_mcp.bridge.arguments import ParamSpec, input_schema
from wxo_mcp.bridge.catalog import AgentTool
from wxo_mcp.bridge.results import output_schema

__all__ = [
    "AGENT_PARAMS",
    "ASK_PARAMS",
    "CANCEL_RUN_PARAMS",
    "GENERIC_TOOLS",
    "GET_RUN_PARAMS",
    "agent_tool",
    "generic_tools",
]

GENERIC_TOOLS = ("list_agents", "ask_agent", "get_run", "cancel_run")

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

CANCEL_RUN_PARAMS = {
    "run_id": ParamSpec("id", required=True, description="The run_id of the run to stop."),
}
#: Agent calls may run as 2025-11-25 core tasks (2026-07-28 clients negotiate per request).
_TASKS = ToolExecution(task_support="optional")


@functools.cache
def _agent_input_schema() -> dict[str, Any]:
    """Every agent tool's input schema: one shared dict (nobody may modify it)."""
    return input_schema(AGENT_PARAMS)


def agent_tool(item: AgentTool) -> Tool:
    """The tool that asks one agent."""
    agent = item.agent
    title = agent.display_name or agent.name
    about = (agent.description or "").strip() or f"The Orchestrate agent {title}."
    description = (
        f"{about}\n\nAsks the watsonx Orchestrate agent '{title}' ({agent.name}) and returns "
        "its answer with a thread_id. To continue the conversation, call this tool again "
        "with that thread_id."
    )
    return Tool(
        name=item.tool,
        title=title,
        description=description,
        input_schema=_agent_input_schema(),
        output_schema=output_schema(),
        annotations=ToolAnnotations(title=title, read_only_hint=False, open_world_hint=True),
        execution=_TASKS,
    )


def generic_tools(deadline: float) -> list[Tool]:
    """list_agents, ask_agent, get_run and cancel_run; ``deadline`` caps get_run's wait."""
    return [
        Tool(
            name="list_agents",
            title="List Orchestrate agents",
            description=(
                "Lists the watsonx Orchestrate agents you can ask, with the tool that calls "
                "each one. Use ask_agent with an agent's name to ask it."
            ),
            input_schema={"type": "object", "properties": {}, "additionalProperties": False},
            output_schema=_AGENT_LIST_SCHEMA,
            annotations=ToolAnnotations(read_only_hint=True, open_world_hint=True),
        ),
        Tool(
            name="ask_agent",
            title="Ask an Orchestrate agent",
            description=(
                "Sends a message to a watsonx Orchestrate agent (by name or id, see "
                "list_agents) and returns its answer with a thread_id. To continue the "
                "conversation, call ask_agent again with that thread_id."
            ),
            input_schema=input_schema(ASK_PARAMS),
            output_schema=output_schema(),
            annotations=ToolAnnotations(read_only_hint=False, open_world_hint=True),
            execution=_TASKS,
        ),
        Tool(
            name="get_run",
            title="Get an Orchestrate run",
            description=(
                "Returns the outcome of a run started by an earlier call (for example one "
                "that returned status 'running'). wait_seconds waits for it to finish, up to "
                f"{deadline:g} seconds."
            ),
            input_schema=input_schema(GET_RUN_PARAMS),
            output_schema=output_schema(),
            annotations=ToolAnnotations(read_only_hint=True, open_world_hint=True),
        ),
        Tool(
            name="cancel_run",
            title="Cancel an Orchestrate run",
            description=(
                "Stops a run that is still going (for example one that returned status "
                "'running'), in watsonx Orchestrate itself. Returns the run with status "
                "'cancelled' and the text received so far; a run that already ended is left "
                "as it was."
            ),
            input_schema=input_schema(CANCEL_RUN_PARAMS),
            output_schema=output_schema(),
            annotations=ToolAnnotations(
                read_only_hint=False,
                destructive_hint=True,
                idempotent_hint=True,
                open_world_hint=True,
            ),
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
