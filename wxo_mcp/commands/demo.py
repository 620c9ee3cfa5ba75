"""``wxo-mcp demo``: the whole loop, as a host would see it, in a few seconds.

It starts the built-in simulator, spawns ``wxo-mcp serve`` over stdio with a real MCP client,
lists the tools, talks to an agent twice in one thread, shows progress from a tool calling agent,
and reads the runs resource. What it prints is a transcript for a person.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextResourceContents

from wxo_mcp.commands.common import SIMULATOR_TOKEN, configure_logging
from wxo_mcp.simulator import Simulator, SimulatorOptions

__all__ = ["run", "run_demo", "server_parameters"]


def run(args: argparse.Namespace, fields: list[str]) -> int:
    configure_logging("WARNING")
    with Simulator(SimulatorOptions(token=SIMULATOR_TOKEN)) as sim:
        return anyio.run(run_demo, sim.url, SIMULATOR_TOKEN)


def server_parameters(url: str, token: str, **env: str) -> StdioServerParameters:
    """How to spawn ``wxo-mcp`` over stdio against ``url`` (also used by tests and benchmarks)."""
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "wxo_mcp", "serve"],
        env={"WXO_URL": url, "WXO_TOKEN": token, **env},
    )


def _say(text: str = "") -> None:
    print(text, flush=True)


def _answer(result: CallToolResult) -> dict[str, Any]:
    data = result.structured_content or {}
    _say(f"  status: {data.get('status')}   thread_id: {data.get('thread_id')}")
    _say(f"  text:   {data.get('text') or data.get('error')}")
    return data


async def run_demo(url: str, token: str) -> int:
    started = time.perf_counter()
    _say(f"Orchestrate simulator at {url}")
    _say("Spawning `wxo-mcp serve` over stdio with an MCP client …\n")
    async with Client(server_parameters(url, token), mode="legacy") as client:
        tools = (await client.list_tools()).tools
        _say(f"tools/list → {len(tools)} tools:")
        for tool in tools:
            summary = (tool.description or "").strip().splitlines()[0][:70]
            _say(f"  • {tool.name:<16} {summary}")

        _say('\ntools/call echo_agent {"message": "Hello, Orchestrate!"}')
        first = _answer(await client.call_tool("echo_agent", {"message": "Hello, Orchestrate!"}))
        thread = first.get("thread_id")
        _say(f'\ntools/call echo_agent {{"message": "And again.", "thread_id": "{thread}"}}')
        _answer(
            await client.call_tool("echo_agent", {"message": "And again.", "thread_id": thread})
        )

        _say('\ntools/call weather_agent {"message": "Weather in Paris?"}  (with progress)')

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            _say(f"  progress {progress:>3.0f}: {message}")

        _answer(
            await client.call_tool(
                "weather_agent", {"message": "Weather in Paris?"}, progress_callback=on_progress
            )
        )

        _say("\nresources/read orchestrate://runs")
        contents = (await client.read_resource("orchestrate://runs")).contents[0]
        page = json.loads(contents.text) if isinstance(contents, TextResourceContents) else {}
        _say(
            f"  total: {page.get('total')} runs; newest statuses: "
            + ", ".join(str(r.get("status")) for r in page.get("data", [])[:3])
        )
    _say(f"\nDone in {time.perf_counter() - started:.2f} s.")
    return 0
