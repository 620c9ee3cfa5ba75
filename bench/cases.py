"""The measurements themselves. Each returns raw samples; :mod:`bench.run` summarises them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO

import anyio
import httpx2 as httpx
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from bench.procs import BenchError, SimulatorProcess, connect, memory_mb, server_pid

STAMP = re.compile(r"@(\d+\.\d+)")


def check(result: CallToolResult, *, at_least: int = 1) -> str:
    """The text of a successful result; anything else stops the benchmark."""
    text = "".join(getattr(block, "text", "") for block in result.content)
    if result.is_error or len(text) < at_least:
        raise BenchError(f"the tool call failed or came back short: {text[:300]!r}")
    return text


async def repeat(action: Callable[[], Awaitable[Any]], count: int, warmup: int) -> list[float]:
    """Seconds per ``action``, ``count`` times after ``warmup`` unmeasured runs."""
    for _ in range(warmup):
        await action()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - start)
    return samples


async def concurrent(action: Callable[[], Coroutine[Any, Any, Any]], count: int) -> float:
    """Wall seconds for ``count`` concurrent ``action``s."""
    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(action)
    return time.perf_counter() - start


# -- the direct floor: one streamed run with httpx, no MCP ----------------------------------------


class DirectRuns:
    """Streams runs straight from the simulator, as the bridge does (httpx2), over one pooled
    client."""

    def __init__(self, sim: SimulatorProcess) -> None:
        self._http = httpx.AsyncClient(
            base_url=sim.url,
            headers={"Authorization": f"Bearer {sim.token}"},
            timeout=60,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
        )
        self._ids: dict[str, str] = {}

    async def __aenter__(self) -> DirectRuns:
        response = await self._http.get("/v1/orchestrate/agents")
        response.raise_for_status()
        body = response.json()
        items = body["data"] if isinstance(body, dict) else body
        self._ids = {a["name"]: a["id"] for a in items}
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    @property
    def agent_ids(self) -> dict[str, str]:
        return dict(self._ids)

    async def run(
        self, agent: str, message: str, on_step: Callable[[str], None] | None = None
    ) -> str:
        body = {"message": {"role": "user", "content": message}, "agent_id": self._ids[agent]}
        text = ""
        async with self._http.stream(
            "POST", "/v1/orchestrate/runs", params={"stream": "true"}, json=body
        ) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if not line:
                    continue
                event = json.loads(line)
                kind = event["event"]
                if kind == "run.step.intermediate" and on_step is not None:
                    on_step(event["data"]["message"]["text"])
                elif kind == "message.created":
                    text = event["data"]["message"]["content"][0]["text"]
                elif kind == "done":
                    break
        if not text:
            raise BenchError(f"the direct run of {agent} gave no answer")
        return text


async def visible_agents(sim: SimulatorProcess) -> int:
    """How many agents the simulator lists without include_hidden (what wxo-mcp offers)."""
    async with DirectRuns(sim) as direct:
        return len(direct.agent_ids)


# -- measurements ---------------------------------------------------------------------------------


async def tool_named(client: Client, prefix: str) -> str:
    tools = (await client.list_tools()).tools
    for tool in tools:
        if tool.name == prefix or tool.name.startswith(prefix):
            return tool.name
    raise BenchError(f"no tool named {prefix}… among {[t.name for t in tools][:10]}")


async def spawn_to_list(params: StdioServerParameters, errlog: TextIO, expect_tools: int) -> float:
    """Seconds from spawning a server to the answer of its first ``tools/list``."""
    start = time.perf_counter()
    async with connect(params, errlog) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - start
    if len(tools) < expect_tools:
        raise BenchError(f"tools/list gave {len(tools)} tools, expected at least {expect_tools}")
    return elapsed


def stamp_latencies(text: str, received: float, into: list[float]) -> None:
    """Add ``received - stamp`` for every simulator stamp in a progress line."""
    for match in STAMP.finditer(text):
        into.append(received - float(match.group(1)))


async def progress_latencies(
    client: Client, tool: str, arguments: dict[str, Any], runs: int
) -> list[float]:
    """Seconds from a simulator step event (its stamp) to the client's progress notification."""
    samples: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if message:
            stamp_latencies(message, time.time(), samples)

    for _ in range(runs):
        check(await client.call_tool(tool, arguments, progress_callback=on_progress))
    return samples


async def direct_step_latencies(
    direct: DirectRuns, agent: str, message: str, runs: int
) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        await direct.run(agent, message, lambda text: stamp_latencies(text, time.time(), samples))
    return samples


def peak_memory(marker: str) -> tuple[float, float]:
    """(current, peak) RSS in MB of the spawned server whose command line holds ``marker``."""
    return memory_mb(server_pid(marker))


def log_file(workdir: Path, name: str) -> TextIO:
    return (workdir / f"{name}.log").open("a", encoding="utf-8")
