"""Start-up and size: spawn → ``tools/list`` with 50 and 1,000 agents beside a bare server with as
many trivial tools, peak memory after 1,000 agents and a 10 MB answer, and that answer's wall
time beside the same run streamed straight from the simulator."""

from __future__ import annotations

import time

from mcp import StdioServerParameters

from bench import cases
from bench.context import Context, ms
from bench.procs import (
    BenchError,
    SimulatorProcess,
    bare_params,
    connect,
    has_proc,
    memory_mb,
    server_pid,
    wxo_mcp_marker,
    wxo_mcp_params,
)
from bench.startup import StartSample, spawn_to_list
from bench.stats import Row, Summary

BARE_MARKER = "bare_server.py"


def _spawn(ctx: Context, params: StdioServerParameters, expect: int) -> StartSample:
    command = [params.command, *params.args]
    return spawn_to_list(command, dict(params.env or {}), ctx.log, expect)


def _cpu_note(samples: list[StartSample]) -> str:
    cpu = [s.cpu for s in samples if s.cpu is not None]
    peak = [s.peak_mb for s in samples if s.peak_mb is not None]
    parts = []
    if cpu:
        parts.append(f"server CPU {ms(cpu).median:.0f} ms")
    if peak:
        parts.append(f"peak RSS {Summary.of(peak).median:.0f} MB")
    parts.append(f"list {samples[0].size / 1e6:.2f} MB")
    return "; ".join(parts)


def list_floor(ctx: Context, sim50: SimulatorProcess) -> Summary:
    """Spawn → tools/list, the raw client: wxo-mcp with 50 agents and a bare MCPServer with 50
    trivial tools, interleaved. Returns the floor."""
    c = ctx.counts
    n = c.list_agents
    ctx.progress(f"spawn to tools/list: {n} agents vs a bare server with {n} tools (×{c.spawns})")
    bare = bare_params(ctx.home, tools=n)
    ours = wxo_mcp_params(sim50, ctx.home)
    floor: list[StartSample] = []
    mine: list[StartSample] = []
    _spawn(ctx, bare, n)  # warm the file cache for both
    _spawn(ctx, ours, n)
    for _ in range(c.spawns):
        floor.append(_spawn(ctx, bare, n))
        mine.append(_spawn(ctx, ours, n))
    ctx.out.raw.update(
        spawn_list=[s.wall for s in mine],
        spawn_list_cpu=[s.cpu for s in mine],
        spawn_bare=[s.wall for s in floor],
        spawn_bare_cpu=[s.cpu for s in floor],
    )
    bare_wall = ms([s.wall for s in floor])
    ctx.out.rows += [
        Row(
            f"spawn → tools/list, {n} agents (server's share: raw stdio client)",
            "ms",
            ms([s.wall for s in mine]),
            None,
            _cpu_note(mine),
            floor=bare_wall,
            ratio=1.1,
        ),
        Row(
            f"floor: spawn → tools/list, bare MCPServer with {n} trivial tools",
            "ms",
            bare_wall,
            None,
            _cpu_note(floor),
        ),
    ]
    return bare_wall


async def many_agents(ctx: Context, sim: SimulatorProcess, floor: Summary) -> None:
    """(2) spawn → tools/list with 1,000 agents; (3) peak RSS and the 10 MB answer."""
    c = ctx.counts
    env = {"WXO_MAX_AGENT_TOOLS": str(c.agents + 100)}
    params = wxo_mcp_params(sim, ctx.home, env)
    ctx.progress(f"spawn to tools/list, {c.agents} agents (×{c.spawns})")
    _spawn(ctx, params, c.agents)  # warm-up
    spawns = [_spawn(ctx, params, c.agents) for _ in range(c.spawns)]
    ctx.out.raw["spawn_many"] = [s.wall for s in spawns]
    ctx.out.raw["spawn_many_cpu"] = [s.cpu for s in spawns]
    ctx.out.raw["spawn_many_parse"] = [s.parse for s in spawns]
    ctx.out.rows += [
        Row(
            f"spawn → tools/list, {c.agents:,} agents (server's share)",
            "ms",
            ms([s.wall for s in spawns]),
            800,
            _cpu_note(spawns),
            floor=floor,
        ),
        Row(
            f"measuring client: parse of the {c.agents:,}-tool list (ListToolsResult)",
            "ms",
            ms([s.parse for s in spawns]),
            None,
            "a host's cost, not the server's: not in the row above",
        ),
    ]
    await _long_answers(ctx, sim, env)


async def _long_answers(ctx: Context, sim: SimulatorProcess, env: dict[str, str]) -> None:
    c = ctx.counts
    mb = f"{c.long_chars / 1e6:g} MB"
    ctx.progress(f"a {mb} answer streamed straight from the simulator (the floor)")
    async with cases.DirectRuns(sim) as direct:
        start = time.perf_counter()
        text = await direct.run("long_agent", f"chars={c.long_chars}")
        direct_s = time.perf_counter() - start
    if len(text) < c.long_chars:
        raise BenchError(f"the direct long answer has {len(text)} characters")
    bare_peak = await _bare_peak(ctx)
    rows = [
        (f"peak RSS after {c.agents:,} agents + a {mb} answer", {}, 110.0),
        (
            f"same, the whole {mb} returned (WXO_MAX_RESULT_CHARS raised)",
            {"WXO_MAX_RESULT_CHARS": str(c.long_chars * 2)},
            None,
        ),
    ]
    took_first = 0.0
    for index, (label, extra, target) in enumerate(rows if c.whole_answer_row else rows[:1]):
        ctx.progress(label)
        peak, took, listed = await _long_answer(ctx, sim, {**env, **extra})
        ctx.out.raw[label] = {
            "peak_rss_mb": peak,
            "call_seconds": took,
            "peak_rss_listed_mb": listed,
        }
        if index == 0:
            took_first = took
        if has_proc():
            ctx.out.rows.append(
                Row(
                    label,
                    "MB",
                    Summary.of([peak]),
                    target,
                    f"{listed:.0f} MB once listed; call {took:.2f} s",
                    floor=Summary.of([bare_peak]) if bare_peak else None,
                )
            )
    if has_proc() and bare_peak:
        ctx.out.rows.append(
            Row(
                "floor: peak RSS of the bare MCPServer after its list and 100 calls",
                "MB",
                Summary.of([bare_peak]),
            )
        )
    ctx.out.raw.update(long_direct=direct_s, long_bridged=took_first)
    ctx.out.rows += [
        Row(
            f"a {mb} answer: tool call wall time (default result cap)",
            "ms",
            ms([took_first]),
            None,
            f"{took_first / direct_s:.2f} × direct",
            floor=ms([direct_s]),
            ratio=1.5,
        ),
        Row(f"floor: the same {mb} run streamed with httpx2, no MCP", "ms", ms([direct_s])),
    ]


async def _bare_peak(ctx: Context) -> float:
    """Peak RSS of a bare MCPServer after it listed its tools and answered 100 calls."""
    if not has_proc():
        return 0.0
    async with connect(bare_params(ctx.home, tools=ctx.counts.list_agents), ctx.log) as bare:
        await bare.list_tools()

        async def call() -> None:
            cases.check(await bare.call_tool("echo", {"message": "hello"}))

        await cases.concurrent(call, 100)
        return memory_mb(server_pid(BARE_MARKER))[1]


async def _long_answer(
    ctx: Context, sim: SimulatorProcess, env: dict[str, str]
) -> tuple[float, float, float]:
    """List every agent, ask long_agent for its long answer.

    Returns (peak RSS MB, call seconds, peak RSS MB once the agents were listed)."""
    c = ctx.counts
    full = int(env.get("WXO_MAX_RESULT_CHARS", "0")) >= c.long_chars
    async with connect(wxo_mcp_params(sim, ctx.home, env), ctx.log) as bridge:
        tools = (await bridge.list_tools()).tools
        if len(tools) < c.agents:
            raise BenchError(f"only {len(tools)} tools listed")
        long_tool = await cases.tool_named(bridge, "long_agent")
        marker = wxo_mcp_marker()
        listed = memory_mb(server_pid(marker))[1] if has_proc() else 0.0
        start = time.perf_counter()
        result = await bridge.call_tool(long_tool, {"message": f"chars={c.long_chars}"})
        took = time.perf_counter() - start
        cases.check(result, at_least=c.long_chars if full else 1000)
        peak = memory_mb(server_pid(marker))[1] if has_proc() else 0.0
    return peak, took, listed
