"""``uv run python -m bench``: wxo-mcp against the physical limit and against IBM's server.

Prints markdown tables (median, min, max over repeated runs) of:

1. a tool call through the bridge over stdio, beside two floors measured in the same run and
   interleaved with it (a streamed run read straight from the simulator with httpx, and a trivial
   MCP tool call over stdio), and the ratio bridged / (direct HTTP + bare MCP);
2. spawn to the answer of ``tools/list`` with 6 and with 1,000 agents;
3. peak RSS of the server after 1,000 agents were listed and a 10 MB answer streamed through;
4. wall time of 100 concurrent calls of an agent that takes 200 ms;
5. latency from a simulator step event to the progress notification the client receives;

and the same calls made through IBM's ``ibm-watsonx-orchestrate-mcp-server`` (``--no-peer`` skips
it). The simulator always runs in a process of its own.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from bench import cases, peer
from bench.procs import (
    BenchError,
    SimulatorProcess,
    bare_params,
    connect,
    has_proc,
    jwt_shaped_token,
    simulator,
    wxo_mcp_command,
    wxo_mcp_params,
)
from bench.stats import Row, Summary, side_by_side, table

MS = 1000.0


@dataclass(frozen=True)
class Counts:
    """How much of everything; ``SMOKE`` is the tiny version CI runs."""

    calls: int = 40
    warmup: int = 5
    spawns: int = 5
    agents: int = 1000
    long_chars: int = 10_000_000
    concurrent: int = 100
    concurrent_rounds: int = 5
    progress_seconds: float = 1.0
    progress_runs: int = 3
    peer_calls: int = 3
    whole_answer_row: bool = True


SMOKE = Counts(
    calls=2,
    warmup=1,
    spawns=1,
    agents=20,
    long_chars=50_000,
    concurrent=4,
    concurrent_rounds=1,
    progress_seconds=0.25,
    progress_runs=1,
    peer_calls=1,
    whole_answer_row=False,
)

# (label, slow_agent message) for the side-by-side comparison
PEER_CASES = (
    ("answer at once", "seconds=0"),
    ("answer in 100 ms", "seconds=0.1"),
    ("answer in 1 s", "seconds=1"),
)


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    pairs: list[tuple[str, str, Summary | None, Summary | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def ms(values: Sequence[float]) -> Summary:
    return Summary.of([v * MS for v in values])


class Bench:
    def __init__(self, counts: Counts, workdir: Path, with_peer: bool, peer_venv: Path) -> None:
        self.counts = counts
        self.workdir = workdir
        self.home = workdir / "home"
        self.home.mkdir()
        self.token = jwt_shaped_token()
        self.with_peer = with_peer
        self.peer_venv = peer_venv
        self.out = Results()
        self.log = cases.log_file(workdir, "servers")

    def progress(self, text: str) -> None:
        print(f"… {text}", file=sys.stderr, flush=True)

    async def run(self) -> Results:
        c = self.counts
        peer_script = self._peer_script()
        async with simulator(self.workdir, self.token) as sim:
            # One wxo-mcp session for the call, the progress and the concurrency measurements.
            async with connect(wxo_mcp_params(sim, self.home), self.log) as bridge:
                await self.call_floors(sim, bridge)
                await self.concurrency_and_progress(sim, bridge)
            self.progress(f"spawn to tools/list, 6 agents (×{c.spawns})")
            spawn6 = [
                await cases.spawn_to_list(wxo_mcp_params(sim, self.home), self.log, 6)
                for _ in range(c.spawns)
            ]
            self.out.raw["spawn_6"] = spawn6
            self.out.rows.append(Row("spawn → tools/list, 6 agents", "ms", ms(spawn6)))
            if peer_script is not None:
                await self.side_by_side(sim, peer_script, spawn6)
        async with simulator(self.workdir, self.token, agents=c.agents) as big:
            await self.many_agents(big)
        return self.out

    def _peer_script(self) -> Path | None:
        if not self.with_peer:
            self.out.notes.append("IBM's server was not run (--no-peer).")
            return None
        self.progress(f"installing {peer.PEER_SPEC} into {self.peer_venv} (first run only)")
        try:
            return peer.ensure_peer(self.peer_venv)
        except peer.PeerUnavailable as exc:
            self.out.notes.append(f"IBM's server could not be installed, so it was not run: {exc}")
            return None

    # -- (1) a bridged call beside its two floors ---------------------------------------------

    async def call_floors(self, sim: SimulatorProcess, bridge: Client) -> None:
        c = self.counts
        self.progress(f"tool call: bridged vs direct HTTP vs bare MCP (×{c.calls}, interleaved)")
        direct_s: list[float] = []
        bare_s: list[float] = []
        bridged_s: list[float] = []
        async with (
            cases.DirectRuns(sim) as direct,
            connect(bare_params(self.home), self.log) as bare,
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
        self.out.raw.update(direct=direct_s, bare=bare_s, bridged=bridged_s)
        d, b, br = ms(direct_s), ms(bare_s), ms(bridged_s)
        ratio = br.median / (d.median + b.median)
        self.out.rows += [
            Row("tool call through wxo-mcp (echo_agent, stdio)", "ms", br),
            Row("floor: streamed run, httpx straight to the simulator", "ms", d),
            Row("floor: trivial MCPServer tool call over stdio", "ms", b),
            Row(
                "ratio bridged / (direct + bare), medians",
                "",
                Summary.of([ratio]),
                1.2,
                f"overhead {br.median - d.median - b.median:+.2f} ms",
            ),
        ]

    # -- (4) concurrency and (5) progress latency ---------------------------------------------

    async def concurrency_and_progress(self, sim: SimulatorProcess, bridge: Client) -> None:
        c = self.counts
        message = f"seconds={c.progress_seconds:g}"
        self.progress(f"progress latency ({c.progress_runs} runs of slow_agent {message})")
        async with cases.DirectRuns(sim) as direct:
            direct_lat = await cases.direct_step_latencies(
                direct, "slow_agent", message, c.progress_runs
            )
        slow = await cases.tool_named(bridge, "slow_agent")
        await bridge.call_tool(slow, {"message": "seconds=0"})  # warm the pool
        lat = await cases.progress_latencies(bridge, slow, {"message": message}, c.progress_runs)
        self.progress(f"{c.concurrent} concurrent 200 ms calls (×{c.concurrent_rounds})")

        async def one_slow_call() -> None:
            cases.check(await bridge.call_tool(slow, {"message": "seconds=0.2"}))

        walls = [
            await cases.concurrent(one_slow_call, c.concurrent) for _ in range(c.concurrent_rounds)
        ]
        if not lat or not direct_lat:
            raise BenchError("no stamped progress line arrived")
        self.out.raw.update(progress=lat, progress_direct=direct_lat, concurrent=walls)
        self.out.rows += [
            Row(
                f"{c.concurrent} concurrent calls of a 200 ms agent: wall time",
                "ms",
                ms(walls),
                400,
            ),
            Row("step event → progress notification at the client", "ms", ms(lat), 2),
            Row("floor: step event → line read by httpx, no MCP", "ms", ms(direct_lat)),
        ]

    # -- (2) and (3) with 1,000 agents ---------------------------------------------------------

    async def many_agents(self, sim: SimulatorProcess) -> None:
        c = self.counts
        env = {"WXO_MAX_AGENT_TOOLS": str(c.agents + 100)}
        params = wxo_mcp_params(sim, self.home, env)
        self.progress(f"spawn to tools/list, {c.agents} agents (×{c.spawns})")
        spawns = [await cases.spawn_to_list(params, self.log, c.agents) for _ in range(c.spawns)]
        self.out.raw["spawn_many"] = spawns
        self.out.rows.append(Row(f"spawn → tools/list, {c.agents:,} agents", "ms", ms(spawns), 800))
        rows = [
            (f"peak RSS after {c.agents:,} agents + a {c.long_chars / 1e6:g} MB answer", {}, 90.0),
            (
                f"same, the whole {c.long_chars / 1e6:g} MB returned (WXO_MAX_RESULT_CHARS raised)",
                {"WXO_MAX_RESULT_CHARS": str(c.long_chars * 2)},
                None,
            ),
        ]
        for label, extra, target in rows if c.whole_answer_row else rows[:1]:
            self.progress(f"{label.strip()}")
            peak, took, listed = await self._long_answer(sim, {**env, **extra})
            self.out.raw[label.strip()] = {
                "peak_rss_mb": peak,
                "call_seconds": took,
                "peak_rss_listed_mb": listed,
            }
            note = f"{listed:.0f} MB once listed; call {took * MS:.0f} ms"
            if has_proc():
                self.out.rows.append(Row(label, "MB", Summary.of([peak]), target, note))

    async def _long_answer(
        self, sim: SimulatorProcess, env: dict[str, str]
    ) -> tuple[float, float, float]:
        """List every agent, ask long_agent for its long answer.

        Returns (peak RSS MB, call seconds, peak RSS MB once the agents were listed)."""
        c = self.counts
        full = int(env.get("WXO_MAX_RESULT_CHARS", "0")) >= c.long_chars
        async with connect(wxo_mcp_params(sim, self.home, env), self.log) as bridge:
            tools = (await bridge.list_tools()).tools
            if len(tools) < c.agents:
                raise BenchError(f"only {len(tools)} tools listed")
            long_tool = await cases.tool_named(bridge, "long_agent")
            listed = cases.peak_memory(marker())[1] if has_proc() else 0.0
            start = time.perf_counter()
            result = await bridge.call_tool(long_tool, {"message": f"chars={c.long_chars}"})
            took = time.perf_counter() - start
            cases.check(result, at_least=c.long_chars if full else 1000)
            peak = cases.peak_memory(marker())[1] if has_proc() else 0.0
        return peak, took, listed

    # -- the peer, side by side ----------------------------------------------------------------

    async def side_by_side(self, sim: SimulatorProcess, script: Path, spawn6: list[float]) -> None:
        c = self.counts
        peer_home = self.workdir / "peer-home"
        peer.write_adk_home(peer_home, sim)
        params = peer.peer_params(script, peer_home)
        self.progress(f"IBM's server: spawn to tools/list (×{min(c.spawns, 3)})")
        try:
            theirs_spawn = [
                await cases.spawn_to_list(params, self.log, 1) for _ in range(min(c.spawns, 3))
            ]
        except Exception as exc:  # report it, keep the rest of the run
            self.out.notes.append(
                f"IBM's server did not start here: {exc!r} (see {self.log.name})."
            )
            return
        ours_calls, ours_rss = await self._calls_for_comparison(
            wxo_mcp_params(sim, self.home), "slow_agent", marker()
        )
        self.progress("IBM's server: the same calls (it polls every 2 s: this takes a while)")
        theirs_calls, theirs_rss = await self._calls_for_comparison(
            params, "chat_with_agent", peer.PEER_SCRIPT
        )
        self.out.raw.update(peer_spawn=theirs_spawn, peer_calls=theirs_calls, ours_calls=ours_calls)
        self.out.pairs.append(("spawn → tools/list, 6 agents", "ms", ms(spawn6), ms(theirs_spawn)))
        for label, _ in PEER_CASES:
            self.out.pairs.append((label, "ms", ms(ours_calls[label]), ms(theirs_calls[label])))
        label = "2 concurrent 100 ms calls: wall time"
        self.out.pairs.append((label, "ms", ms(ours_calls[label]), ms(theirs_calls[label])))
        self.out.pairs.append(
            (
                "peak RSS after these calls",
                "MB",
                Summary.of([ours_rss]) if ours_rss else None,
                Summary.of([theirs_rss]) if theirs_rss else None,
            )
        )

    async def _calls_for_comparison(
        self, params: Any, tool_prefix: str, pid_marker: str
    ) -> tuple[dict[str, list[float]], float]:
        c = self.counts
        samples: dict[str, list[float]] = {}
        async with connect(params, self.log, read_timeout_seconds=120) as client:
            tool = await cases.tool_named(client, tool_prefix)
            is_peer = tool == "chat_with_agent"

            def call(message: str) -> Any:
                async def go() -> None:
                    arguments = (
                        peer.chat_arguments("slow_agent", message)
                        if is_peer
                        else {"message": message}
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
            samples["2 concurrent 100 ms calls: wall time"] = [
                await cases.concurrent(call("seconds=0.1"), 2) for _ in range(c.peer_calls)
            ]
            rss = cases.peak_memory(pid_marker)[1] if has_proc() else 0.0
        return samples, rss


def marker() -> str:
    """What identifies the spawned wxo-mcp server among this process's children."""
    command = wxo_mcp_command()
    return f"{'wxo-mcp' if len(command) == 1 else 'wxo_mcp'} serve"


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
    with tempfile.TemporaryDirectory(prefix="wxo-bench-") as tmp:
        bench = Bench(counts, Path(tmp), not args.no_peer, args.peer_venv)
        try:
            results = anyio.run(bench.run)
        except BenchError as exc:
            bench.log.flush()
            tail = (Path(tmp) / "servers.log").read_text(errors="replace")[-3000:]
            sys.exit(f"benchmark failed: {exc}\n--- server stderr (tail) ---\n{tail}")
        finally:
            bench.log.close()
    text = report(results, command.strip(), started, time.perf_counter() - t0)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps({"counts": asdict(counts), **results.raw}, indent=1))
