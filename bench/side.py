"""wxo-mcp and IBM's ``ibm-watsonx-orchestrate-mcp-server`` making the same calls, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import cases, peer
from bench.context import Context, ms
from bench.procs import (
    BenchError,
    SimulatorProcess,
    connect,
    has_proc,
    wxo_mcp_marker,
    wxo_mcp_params,
)
from bench.stats import Summary

# (label, slow_agent message) for the side-by-side comparison
PEER_CASES = (
    ("answer at once", "seconds=0"),
    ("answer in 100 ms", "seconds=0.1"),
    ("answer in 1 s", "seconds=1"),
)
SPAWN = "spawn → tools/list, the simulator's agents (mcp.Client)"
TWO = "2 concurrent 100 ms calls: wall time"


def peer_script(ctx: Context, with_peer: bool, venv: Path) -> Path | None:
    if not with_peer:
        ctx.out.notes.append("IBM's server was not run (--no-peer).")
        return None
    ctx.progress(f"installing {peer.PEER_SPEC} into {venv} (first run only)")
    try:
        return peer.ensure_peer(venv)
    except peer.PeerUnavailable as exc:
        ctx.out.notes.append(f"IBM's server could not be installed, so it was not run: {exc}")
        return None


async def side_by_side(
    ctx: Context, sim: SimulatorProcess, script: Path, spawn_ours: list[float]
) -> None:
    c = ctx.counts
    peer_home = ctx.workdir / "peer-home"
    peer.write_adk_home(peer_home, sim)
    params = peer.peer_params(script, peer_home)
    ctx.progress(f"IBM's server: spawn to tools/list (×{min(c.spawns, 3)})")
    try:
        theirs_spawn = [
            await cases.spawn_to_list(params, ctx.log, 1) for _ in range(min(c.spawns, 3))
        ]
    except Exception as exc:  # report it, keep the rest of the run
        ctx.out.notes.append(f"IBM's server did not start here: {exc!r} (see servers.log).")
        return
    ours_calls, ours_rss = await _calls_for_comparison(
        ctx, wxo_mcp_params(sim, ctx.home), "slow_agent", wxo_mcp_marker()
    )
    ctx.progress("IBM's server: the same calls (it polls every 2 s: this takes a while)")
    theirs_calls, theirs_rss = await _calls_for_comparison(
        ctx, params, "chat_with_agent", peer.PEER_SCRIPT
    )
    ctx.out.raw.update(peer_spawn=theirs_spawn, peer_calls=theirs_calls, ours_calls=ours_calls)
    pairs = ctx.out.pairs
    pairs.append((SPAWN, "ms", ms(spawn_ours), ms(theirs_spawn)))
    for label, _ in PEER_CASES:
        pairs.append((label, "ms", ms(ours_calls[label]), ms(theirs_calls[label])))
    pairs.append((TWO, "ms", ms(ours_calls[TWO]), ms(theirs_calls[TWO])))
    pairs.append(
        (
            "peak RSS after these calls",
            "MB",
            Summary.of([ours_rss]) if ours_rss else None,
            Summary.of([theirs_rss]) if theirs_rss else None,
        )
    )


async def _calls_for_comparison(
    ctx: Context, params: Any, tool_prefix: str, pid_marker: str
) -> tuple[dict[str, list[float]], float]:
    c = ctx.counts
    samples: dict[str, list[float]] = {}
    async with connect(params, ctx.log, read_timeout_seconds=120) as client:
        tool = await cases.tool_named(client, tool_prefix)
        is_peer = tool == "chat_with_agent"

        def call(message: str) -> Any:
            async def go() -> None:
                arguments = (
                    peer.chat_arguments("slow_agent", message) if is_peer else {"message": message}
                )
                result = await client.call_tool(tool, arguments)
                cases.check(result)
                structured = result.structured_content or {}
                if structured.get("error"):
                    raise BenchError(f"{tool} failed: {structured['error']}")

            return go

        await call("seconds=0")()  # warm-up
        for label, message in PEER_CASES:
            samples[label] = await cases.repeat(call(message), c.peer_calls, 0)
        samples[TWO] = [await cases.concurrent(call("seconds=0.1"), 2) for _ in range(c.peer_calls)]
        rss = cases.peak_memory(pid_marker)[1] if has_proc() else 0.0
    return samples, rss
