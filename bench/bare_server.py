"""The floors for an MCP server over stdio: an MCPServer with trivial async tools, no Orchestrate.

Spawned by the benchmark exactly as wxo-mcp is (same interpreter, same client, same era), so the
difference between the two is what the bridge itself costs. ``echo`` is the floor of one call,
``wait`` (an async sleep) the floor of a burst of slow calls, and ``BENCH_BARE_TOOLS=N`` adds N
more trivial tools for the floor of spawn → ``tools/list``.
"""

from __future__ import annotations

import os

import anyio
from mcp.server import MCPServer

server: MCPServer = MCPServer("bare", version="0")


@server.tool()
async def echo(message: str) -> str:
    """Returns the message."""
    return f"Echo: {message}"


@server.tool()
async def wait(seconds: float) -> str:
    """Sleeps, then says so."""
    await anyio.sleep(seconds)
    return f"waited {seconds:g} s"


def _trivial(index: int) -> None:
    async def tool(message: str) -> str:
        return message

    server.add_tool(tool, name=f"tool_{index}", description=f"Trivial tool number {index}.")


for _index in range(int(os.environ.get("BENCH_BARE_TOOLS", "0"))):
    _trivial(_index)


if __name__ == "__main__":
    server.run()
