"""``uv run python -m bench``: wxo-mcp against the physical limit and against IBM's server.

Prints markdown tables (median, min, max over repeated runs, each beside its floor and target):

1. a tool call through the bridge over stdio, beside two floors measured in the same run and
   interleaved with it (a streamed run read straight from the simulator with httpx2, and a
   trivial MCP tool call over stdio), and the ratio bridged / (direct HTTP + bare MCP);
2. spawn to the answer of ``tools/list`` with 50 agents beside a bare MCPServer with 50 trivial
   tools, and with 1,000 agents (the server's share, apart from the measuring client's parse);
3. peak RSS of the server after 1,000 agents were listed and a 10 MB answer streamed through,
   beside a bare MCPServer's; the 10 MB call beside the same run streamed straight;
4. wall time of 100 concurrent calls of an agent that takes 200 ms, beside the same burst on a
   bare MCPServer whose tool sleeps 200 ms;
5. latency from a simulator step event to the progress notification the client receives;

and the same calls made through IBM's ``ibm-watsonx-orchestrate-mcp-server`` (``--no-peer`` skips
it). The simulator always runs in a process of its own; the servers run from compiled bytecode.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import shlex
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import anyio

from bench import calls, cases, peer, scale, side
from bench.context import SMOKE, Context, Counts, Results, ms
from bench.procs import ROOT, BenchError, connect, simulator, wxo_mcp_marker, wxo_mcp_params
from bench.stats import Row, side_by_side, table


class Bench:
    def __init__(self, ctx: Context, with_peer: bool, peer_venv: Path) -> None:
        self.ctx = ctx
        self.with_peer = with_peer
        self.peer_venv = peer_venv

    async def run(self) -> Results:
        ctx = self.ctx
        c = ctx.counts
        script = side.peer_script(ctx, self.with_peer, self.peer_venv)
        async with simulator(ctx.workdir, ctx.token) as sim:
            # One wxo-mcp session for the call, the burst and the progress measurements.
            async with connect(wxo_mcp_params(sim, ctx.home), ctx.log) as bridge:
                await calls.call_floors(ctx, sim, bridge)
                await calls.burst_and_progress(ctx, sim, bridge, wxo_mcp_marker())
            ctx.progress(
                f"spawn to tools/list with mcp.Client, the simulator's agents (×{c.spawns})"
            )
            spawn_own = [
                await cases.spawn_to_list(wxo_mcp_params(sim, ctx.home), ctx.log, 6)
                for _ in range(c.spawns)
            ]
            ctx.out.raw["spawn_6"] = spawn_own
            ctx.out.rows.append(Row(side.SPAWN, "ms", ms(spawn_own)))
            visible = await cases.visible_agents(sim)
            if script is not None:
                await side.side_by_side(ctx, sim, script, spawn_own)
        extra = max(0, c.list_agents - visible)
        async with simulator(ctx.workdir, ctx.token, agents=extra) as sim50:
            floor = scale.list_floor(ctx, sim50)
        async with simulator(ctx.workdir, ctx.token, agents=c.agents) as big:
            await scale.many_agents(ctx, big, floor)
        return ctx.out


def compile_bytecode() -> None:
    """Compile wxo-mcp and the environment's packages, as ``uv sync --compile-bytecode`` does:
    the first start after an install would otherwise also pay for compiling (0.7–0.9 s)."""
    for directory in (ROOT / "wxo_mcp", ROOT / "bench", Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(directory, quiet=2, workers=0)


def machine() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"nproc {usable}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def report(results: Results, command: str, started: datetime.datetime, took: float) -> str:
    parts = [
        f"Date: {started:%Y-%m-%d %H:%M} UTC · machine: {machine()} · command: `{command}` "
        f"· took {took:.0f} s",
        "",
        table(results.rows),
    ]
    if results.pairs:
        parts += [
            "",
            "Side by side with IBM's `ibm-watsonx-orchestrate-mcp-server` 2.19.1 (tool "
            "`chat_with_agent`), same simulator, `slow_agent`; median (min–max):",
            "",
            side_by_side(results.pairs),
        ]
    if results.notes:
        parts += ["", *[f"- {n}" for n in results.notes]]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-peer", action="store_true", help="skip IBM's server (offline)")
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks it runs")
    parser.add_argument("--calls", type=int, help="measured calls per floor and bridge")
    parser.add_argument("--spawns", type=int, help="spawns per start-up measurement")
    parser.add_argument("--agents", type=int, help="agents for the start-up and memory runs")
    parser.add_argument("--peer-venv", type=Path, default=peer.DEFAULT_VENV)
    parser.add_argument("--output", type=Path, help="also write the markdown report here")
    parser.add_argument("--json", type=Path, help="write the raw samples here")
    args = parser.parse_args(argv)
    counts = SMOKE if args.smoke else Counts()
    overrides = {k: getattr(args, k) for k in ("calls", "spawns", "agents") if getattr(args, k)}
    counts = replace(counts, **overrides)
    command = "uv run python -m bench " + shlex.join(
        list(argv if argv is not None else sys.argv[1:])
    )
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.perf_counter()
    if not args.smoke:  # the smoke run checks that it runs, not how fast
        print("… compiling bytecode (once per install)", file=sys.stderr, flush=True)
        compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="wxo-bench-") as tmp:
        ctx = Context(counts, Path(tmp))
        bench = Bench(ctx, not args.no_peer, args.peer_venv)
        try:
            results = anyio.run(bench.run)
        except BenchError as exc:
            ctx.log.flush()
            tail = (Path(tmp) / "servers.log").read_text(errors="replace")[-3000:]
            sys.exit(f"benchmark failed: {exc}\n--- server stderr (tail) ---\n{tail}")
        finally:
            ctx.log.close()
    text = report(results, command.strip(), started, time.perf_counter() - t0)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps({"counts": asdict(counts), **results.raw}, indent=1))
