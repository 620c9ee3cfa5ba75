"""What many test modules need: the simulator's agent tools and reading a tool result."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult

#: The simulator's visible scripted agents that every suite relies on.
AGENT_TOOLS = frozenset(
    {"echo_agent", "weather_agent", "quiet_agent", "failing_agent", "slow_agent", "long_agent"}
)


def data(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a tool result (which every run-shaped tool must carry)."""
    assert result.structured_content is not None, result
    return dict(result.structured_content)


def text(result: CallToolResult) -> str:
    """The text blocks of a tool result, joined."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


def initialize_request(version: str = "2025-11-25", request_id: int = 1) -> dict[str, Any]:
    """A raw handshake-era ``initialize`` request, for tests that speak JSON-RPC themselves."""
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    }
