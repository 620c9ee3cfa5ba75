"""Calls on one running server: a call beside its two floors, a burst beside a bare server's
burst, and progress latency beside the same line read straight from the simulator."""

from __future__ import annotations

from mcp import Client

from bench import cases
from bench.context import Context, ms
from bench.procs import BenchError, SimulatorProcess, bare_params, connect, server_pid
from bench.startup import cpu_seconds
from bench.stats import Row, Summary


async def call_floors(ctx: Context, sim: SimulatorProcess, bridge: Client) -> None:
    """(1) ``echo_agent`` through the bridge, interleaved call by call with its two floors."""
    c = ctx.counts
    ctx.progress(f"tool call: bridged vs direct HTTP vs bare MCP (×{c.calls}, interleaved)")
    direct_s: list[float] = []
    bare_s: list[float] = []
    bridged_s: list[float] = []
    async with (
        cases.DirectRuns(sim) as direct,
        connect(bare_params(ctx.home), ctx.log) as bare,
    ):
        tool = await cases.tool_named(bridge, "echo_agent")

        async def via_direct() -> None:
            await direct.run("echo_agent", "hello")

        async def via_bare() -> None:
            cases.check(await bare.call_tool("echo", {"message": "hello"}))

        async def via_bridge() -> None:
            cases.check(await bridge.call_tool(tool, {"message": "hello"}))

        # Interleaved, so that any drift of the machine affects the three alike.
        for _ in range(c.warmup):
            await via_direct()
            await via_bare()
            await via_bridge()
        for _ in range(c.calls):
            direct_s += await cases.repeat(via_direct, 1, 0)
            bare_s += await cases.repeat(via_bare, 1, 0)
            bridged_s += await cases.repeat(via_bridge, 1, 0)
    ctx.out.raw.update(direct=direct_s, bare=bare_s, bridged=bridged_s)
    d, b, br = ms(direct_s), ms(bare_s), ms(bridged_s)
    ratio = br.median / (d.median + b.median)
    ctx.out.rows += [
        Row(
            "tool call through wxo-mcp (echo_agent, stdio)",
            "ms",
            br,
            floor=Summary.of([d.median + b.median]),
        ),
        Row("floor: streamed run, httpx2 straight to the simulator", "ms", d),
        Row("floor: trivial MCPServer tool call over stdio", "ms", b),
        Row(
            "ratio bridged / (direct + bare), medians",
            "",
            Summary.of([ratio]),
            1.2,
            f"overhead {br.median - d.median - b.median:+.2f} ms",
        ),
    ]


async def burst_and_progress(
    ctx: Context, sim: SimulatorProcess, bridge: Client, bridge_marker: str
) -> None:
    """(4) bursts of concurrent 200 ms calls, interleaved round by round with the same burst on
    a bare MCPServer whose tool sleeps 200 ms; (5) progress latency."""
    c = ctx.counts
    message = f"seconds={c.progress_seconds:g}"
    ctx.progress(f"progress latency ({c.progress_runs} runs of slow_agent {message})")
    async with cases.DirectRuns(sim) as direct:
        direct_lat = await cases.direct_step_latencies(
            direct, "slow_agent", message, c.progress_runs
        )
    slow = await cases.tool_named(bridge, "slow_agent")
    await bridge.call_tool(slow, {"message": "seconds=0"})  # warm the pool
    lat = await cases.progress_latencies(bridge, slow, {"message": message}, c.progress_runs)
    if not lat or not direct_lat:
        raise BenchError("no stamped progress line arrived")

    ctx.progress(
        f"{c.concurrent} concurrent 200 ms calls, wxo-mcp and a bare server in turn "
        f"(×{c.concurrent_rounds})"
    )
    pid = server_pid(bridge_marker)
    walls: list[float] = []
    bare_walls: list[float] = []
    cpu: list[float] = []
    async with connect(bare_params(ctx.home), ctx.log) as bare:

        async def one_slow_call() -> None:
            cases.check(await bridge.call_tool(slow, {"message": "seconds=0.2"}))

        async def one_bare_call() -> None:
            cases.check(await bare.call_tool("wait", {"seconds": 0.2}))

        await cases.concurrent(one_bare_call, c.concurrent)  # warm-up, both
        await cases.concurrent(one_slow_call, c.concurrent)
        for _ in range(c.concurrent_rounds):
            bare_walls.append(await cases.concurrent(one_bare_call, c.concurrent))
            before = cpu_seconds(pid)
            walls.append(await cases.concurrent(one_slow_call, c.concurrent))
            after = cpu_seconds(pid)
            if before is not None and after is not None:
                cpu.append(after - before)
    ctx.out.raw.update(
        progress=lat,
        progress_direct=direct_lat,
        concurrent=walls,
        concurrent_bare=bare_walls,
        concurrent_cpu=cpu,
    )
    burst_note = f"server CPU {ms(cpu).median:.0f} ms per burst" if cpu else ""
    ctx.out.rows += [
        Row(
            f"{c.concurrent} concurrent calls of a 200 ms agent: wall time",
            "ms",
            ms(walls),
            400,
            burst_note,
            floor=ms(bare_walls),
        ),
        Row(
            f"floor: {c.concurrent} concurrent 200 ms calls of a bare MCPServer tool",
            "ms",
            ms(bare_walls),
        ),
        Row("step event → progress notification at the client", "ms", ms(lat), 2),
        Row("floor: step event → line read by httpx2, no MCP", "ms", ms(direct_lat)),
    ]
