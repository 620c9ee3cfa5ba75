"""Peak memory of the wxo-mcp server process against a hostile upstream (issue 12).

    uv run python -m bench.memory                       # this checkout's server
    uv run python -m bench.memory --server-root ../main # another checkout's server, same faults

Three scenarios, each on a fresh ``wxo-mcp serve`` spawned over stdio against an in-process
simulator (whose memory is not measured): an endless stream followed for 60 s, a 20 MB answer
and its resource read, and a 200 MB error body on ``GET /runs/{id}``. RSS and peak RSS (VmHWM)
are read from /proc, in MiB. Wall times on a shared machine are noise; memory is not.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from bench.procs import server_pid
from wxo_mcp.simulator import Simulator, SimulatorOptions

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
TOKEN = "bench-memory-token"


def rss_mib(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) of ``pid`` in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


Scenario = Callable[[Client, Simulator, int], Awaitable[dict[str, Any]]]


async def endless(client: Client, sim: Simulator, pid: int) -> dict[str, Any]:
    """A 48 KB message.delta every 10 ms, never done; the call returns a handle at 5 s."""
    sim.faults.endless_stream_after(events=3, size=48 * 1024, seconds=0.01)
    started = time.monotonic()
    handle = (await client.call_tool("echo_agent", {"message": "endless"})).structured_content
    assert handle is not None
    highest = 0.0
    while time.monotonic() - started < 60:
        await anyio.sleep(1)
        highest = max(highest, rss_mib(pid)[0])
    got = await client.call_tool("get_run", {"run_id": handle["run_id"]})
    outcome = got.structured_content or {}
    return {
        "returned": handle["status"],
        "after 60 s": f"{outcome.get('status')}: {str(outcome.get('error'))[:90]}",
    }


async def big_answer(client: Client, sim: Simulator, pid: int) -> dict[str, Any]:
    """A 20 MB answer (100 deltas of 200 KB, then the whole message), then its resource."""
    result = await client.call_tool("long_agent", {"message": "chars=20000000 chunk=200000"})
    got = result.structured_content or {}
    after_call = rss_mib(pid)[0]
    contents = (await client.read_resource(f"orchestrate://runs/{got.get('run_id')}")).contents
    size = len(getattr(contents[0], "text", ""))
    return {
        "status": got.get("status"),
        "result text chars": len(str(got.get("text", ""))),
        "resource chars": size,
        "RSS after call": f"{after_call:.0f}",
    }


async def error_body(client: Client, sim: Simulator, pid: int) -> dict[str, Any]:
    """GET /runs/{id} answers 503 with a 200 MB body, three times (the read is retried)."""
    run_id = "00000000-0000-4000-8000-00000000beef"
    sim.faults.huge_body(503, 200 * MiB, path_contains=f"/runs/{run_id}", times=3)
    result = await client.call_tool("get_run", {"run_id": run_id})
    got = result.structured_content or {}
    return {"status": got.get("status"), "error": str(got.get("error"))[:90]}


SCENARIOS: dict[str, tuple[str, Scenario, dict[str, str]]] = {
    "endless": ("endless stream, followed 60 s", endless, {"WXO_TOOL_DEADLINE": "5"}),
    "answer": ("20 MB answer + resource read", big_answer, {"WXO_TOOL_DEADLINE": "120"}),
    "error": ("200 MB 503 body on GET /runs/{id}", error_body, {}),
}


async def measure(name: str, server_root: Path, sim: Simulator) -> dict[str, Any]:
    title, scenario, env = SCENARIOS[name]
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "wxo_mcp", "serve"],
        env={
            "WXO_URL": sim.url,
            "WXO_TOKEN": TOKEN,
            "PYTHONPATH": str(server_root),
            "HOME": tempfile.mkdtemp(prefix="wxo-bench-"),
            **env,
        },
        cwd=str(server_root),
    )
    sim.reset()
    with tempfile.TemporaryFile("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            await client.list_tools()
            pid = server_pid("wxo_mcp")
            baseline = rss_mib(pid)[0]
            details = await scenario(client, sim, pid)
            await anyio.sleep(1)
            rss, peak = rss_mib(pid)
    return {
        "scenario": title,
        "RSS at start": f"{baseline:.0f}",
        "peak RSS": f"{peak:.0f}",
        "RSS at end": f"{rss:.0f}",
        **details,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-root", type=Path, default=ROOT, help="checkout to serve from")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    args = parser.parse_args()

    async def run() -> None:
        with Simulator(SimulatorOptions(token=TOKEN)) as sim:
            for name in args.only.split(","):
                row = await measure(name.strip(), args.server_root.resolve(), sim)
                print(json.dumps(row), flush=True)

    anyio.run(run)


if __name__ == "__main__":
    main()
