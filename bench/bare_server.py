"""The floor for an MCP tool call over stdio: an MCPServer with one trivial async tool.

Spawned by the benchmark exactly as wxo-mcp is (same interpreter, same client, same era), so the
difference between the two is what the bridge itself costs.
"""

from __future__ import annotations

from mcp.server import MCPServer

server: MCPServer = MCPServer("bare", version="0")


@server.tool()
async def echo(message: str) -> str:
    """Returns the message."""
    return f"Echo: {message}"


if __name__ == "__main__":
    server.run()
