"""MCP tasks: time from a call to the task handed back, and the cost of one ``tasks/get``.

    uv run python -m bench.tasks [--calls N]

For each transport (stdio, streamable HTTP) two ``wxo-mcp serve`` processes run against one
simulator; a tasks-declaring client (``tests/tasks_client.py``) calls ``slow_agent`` on the first
(a task after ~1 s by design) and polls the task on both: the first streams the run (its own
record), the second only knows the task id (event replay). Upstream requests per poll are counted
from what the simulator saw. Prints a table; never a CI gate.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from tests.tasks_client import CreateTaskResult, TasksClient, get_task
from wxo_mcp.simulator import Simulator, SimulatorOptions

ROOT = Path(__file__).resolve().parent.parent
POLLS = 5


def _env(sim: Simulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WXO_")}
    env.update(WXO_URL=sim.url, WXO_TOKEN=sim.token, PYTHONPATH=str(ROOT), WXO_LOG_LEVEL="WARNING")
    return env


def _http_server(sim: Simulator, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wxo_mcp", "serve", "--transport", "http", "--port", "0"],
            env=_env(sim),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            cwd=ROOT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"at (http://\S+/mcp)", log.read_text())
        if found:
            return proc, found.group(1)
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit(f"wxo-mcp did not serve HTTP:\n{log.read_text()}")


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"{statistics.median(samples) * 1000:.1f} / {p90 * 1000:.1f}"


async def _measure(first: Any, second: Any, sim: Simulator, calls: int) -> list[str]:
    to_task: list[float] = []
    own: list[float] = []
    other: list[float] = []
    upstream = {"own": 0, "other": 0}
    async with (
        Client(first, extensions=[TasksClient()]) as a,
        Client(second, extensions=[TasksClient()]) as b,
    ):
        for _ in range(calls):
            started = time.perf_counter()
            created = await a.session.call_tool(
                "slow_agent", {"message": "seconds=6"}, allow_claimed=True
            )
            to_task.append(time.perf_counter() - started)
            assert isinstance(created, CreateTaskResult)
            await get_task(a.session, created.task_id)
            await get_task(b.session, created.task_id)
            for name, client, samples in (("own", a, own), ("other", b, other)):
                before = len(sim.requests)
                for _ in range(POLLS):
                    started = time.perf_counter()
                    state = await get_task(client.session, created.task_id)
                    samples.append(time.perf_counter() - started)
                    assert state.status == "working"
                upstream[name] += len(sim.requests) - before
    polls = calls * POLLS
    return [
        _ms(to_task),
        f"{_ms(own)} ({upstream['own'] / polls:.1f} upstream)",
        f"{_ms(other)} ({upstream['other'] / polls:.1f} upstream)",
    ]


async def main(calls: int) -> None:
    async with Simulator(SimulatorOptions()) as sim:
        stdio = StdioServerParameters(
            command=sys.executable, args=["-m", "wxo_mcp", "serve"], env=_env(sim), cwd=str(ROOT)
        )
        columns = {"stdio": await _measure(stdio, stdio, sim, calls)}
        with tempfile.TemporaryDirectory() as scratch:
            first, url_a = _http_server(sim, Path(scratch) / "a.log")
            second, url_b = _http_server(sim, Path(scratch) / "b.log")
            try:
                columns["streamable HTTP"] = await _measure(url_a, url_b, sim, calls)
            finally:
                for proc in (first, second):
                    proc.terminate()
                    proc.wait(10)
    rows = (
        "call → task handed back",
        "one tasks/get, the process streaming the run",
        "one tasks/get, another process (event replay)",
    )
    print(f"| ms, median / p90 ({calls} calls, {calls * POLLS} polls) | stdio | streamable HTTP |")
    print("|---|---|---|")
    for index, row in enumerate(rows):
        print(f"| {row} | {columns['stdio'][index]} | {columns['streamable HTTP'][index]} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10)
    anyio.run(main, parser.parse_args().calls)
