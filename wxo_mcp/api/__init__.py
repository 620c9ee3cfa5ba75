"""The Orchestrate runtime API: the client, run-stream events, and how they fold into a result."""

from __future__ import annotations

from wxo_mcp.api.accumulator import RunAccumulator, RunOutcome, RunStatus, ToolStep
from wxo_mcp.api.agents import Agent, StarterPrompt, select_agents, starter_prompts
from wxo_mcp.api.client import OrchestrateClient
from wxo_mcp.api.events import RunEvent
from wxo_mcp.api.lookups import agent_names, tool_names
from wxo_mcp.api.ndjson import NDJSONDecoder
from wxo_mcp.api.retry import RetryPolicy
from wxo_mcp.api.run_stream import RunStream

__all__ = [
    "Agent",
    "NDJSONDecoder",
    "OrchestrateClient",
    "RetryPolicy",
    "RunAccumulator",
    "RunEvent",
    "RunOutcome",
    "RunStatus",
    "RunStream",
    "StarterPrompt",
    "ToolStep",
    "agent_names",
    "select_agents",
    "starter_prompts",
    "tool_names",
]
