"""``python -m bench.team``: calls/s of 1 vs 2 stateless replicas behind a real load balancer.

50 MCP clients (one process, each its own ``mcp.Client`` over streamable HTTP) call ``slow_agent``
with ``seconds=0.2`` (a 200 ms agent) in a loop for a fixed time, through HAProxy or nginx
(round-robin) in front of 1 and then 2 ``wxo-mcp serve --transport http --stateless`` processes,
against the simulator in a process of its own. Reuses the test suite's launchers
(``tests/e2e/http_servers.py``, ``tests/e2e/balancers.py``). Never a CI gate.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import anyio
from mcp import Client

from bench.procs import simulator
from tests.e2e.balancers import NGINX_UPSTREAM, Balancer
from tests.e2e.http_servers import HttpServers

TOKEN = "bench-token"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _load(
    url: str, clients: int, seconds: float, mode: str, reasons: list[str]
) -> tuple[int, int, float]:
    """(calls completed, errors, elapsed s) of ``clients`` looping for ``seconds``; what went
    wrong is appended to ``reasons``."""
    calls = errors = 0
    ready = anyio.Event()
    started = 0

    async def one() -> None:
        nonlocal calls, errors, started
        async with Client(url, mode=mode) as client:
            started += 1
            if started == clients:
                ready.set()
            await ready.wait()
            while time.monotonic() < deadline:
                try:
                    result = await client.call_tool("slow_agent", {"message": "seconds=0.2"})
                except Exception as exc:  # counted; the run goes on
                    errors += 1
                    reasons.append(f"{type(exc).__name__}: {exc}"[:160])
                    continue
                status = (result.structured_content or {}).get("status")
                if result.is_error or status != "completed":
                    errors += 1
                    reasons.append(f"status {status}: {result.content}"[:160])
                else:
                    calls += 1

    deadline = float("inf")
    async with anyio.create_task_group() as tg:
        for _ in range(clients):
            tg.start_soon(one)
        await ready.wait()
        begin = time.monotonic()
        deadline = begin + seconds
    return calls, errors, time.monotonic() - begin


async def _run(balancer: str, clients: int, seconds: float, mode: str, rounds: int) -> list[str]:
    """Rounds of 1 then 2 replicas, alternating, so a change in the machine's load hits both."""
    rows = []
    reasons: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wxo-bench-team-") as tmp:
        work = Path(tmp)
        async with simulator(work, TOKEN, step_interval=0.1, stamp_steps=False) as sim:
            for run in range(rounds * 2):
                replicas = 1 + run % 2
                here = work / f"run{run}"
                here.mkdir()
                servers = HttpServers(sim, here)
                env = {"WXO_LOG_LEVEL": "WARNING", "WXO_MCP_ALLOWED_HOSTS": NGINX_UPSTREAM}
                try:
                    ports = [
                        int(servers.start("--stateless", env=env).split(":")[2].split("/")[0])
                        for _ in range(replicas)
                    ]
                    lb = Balancer(balancer, ports, here / "lb")
                    try:
                        await _load(lb.url, clients, 2.0, mode, [])  # warm up
                        cpu = [_cpu_seconds(p.pid) for p in servers.procs]
                        own = time.process_time()
                        calls, errors, took = await _load(lb.url, clients, seconds, mode, reasons)
                        own = time.process_time() - own
                        cpu = [
                            _cpu_seconds(p.pid) - c for p, c in zip(servers.procs, cpu, strict=True)
                        ]
                    finally:
                        lb.close()
                finally:
                    servers.close()
                per_call = 1000 / max(calls, 1)
                rows.append(
                    f"| {replicas} | {balancer} | {mode} | {clients} | {calls} | {errors} | "
                    f"{took:.1f} | {calls / took:.1f} | {sum(cpu) * per_call:.1f} "
                    f"({', '.join(f'{c / took * 100:.0f}%' for c in cpu)}) | {own * per_call:.1f} |"
                )
    for reason in sorted(set(reasons))[:5]:
        rows.append(f"error: {reason}")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.team")
    parser.add_argument("--balancer", choices=["haproxy", "nginx"], default="haproxy")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--mode", choices=["legacy", "auto"], default="legacy")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (1 replica, 2 replicas)")
    args = parser.parse_args(argv)
    rows = anyio.run(_run, args.balancer, args.clients, args.seconds, args.mode, args.rounds)
    print(
        f"machine: nproc {os.cpu_count()}, Python {platform.python_version()}; "
        f"slow_agent seconds=0.2; load generator, simulator, balancer and replicas share it"
    )
    print(
        "| replicas | balancer | era | clients | calls | errors | seconds | calls/s "
        "| replica CPU ms/call (each replica's CPU use) | client CPU ms/call |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
