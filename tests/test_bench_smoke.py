"""The benchmark still runs end to end (tiny counts, no peer). It asserts no speed: figures
belong in bench/README.md, and benchmarks never gate CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="the benchmark reads /proc"
)


@pytest.mark.timeout(180)  # a loaded machine: the run itself has 150 s
def test_bench_smoke_run_prints_every_row(tmp_path: Path) -> None:
    raw = tmp_path / "raw.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--no-peer", "--json", str(raw)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    for label in (
        "tool call through wxo-mcp",
        "floor: streamed run, httpx2 straight to the simulator",
        "floor: trivial MCPServer tool call over stdio",
        "ratio bridged / (direct + bare)",
        "concurrent calls of a 200 ms agent",
        "concurrent 200 ms calls of a bare MCPServer tool",
        "step event → progress notification",
        "spawn → tools/list, the simulator's agents (mcp.Client)",
        "spawn → tools/list, 12 agents (server's share",
        "floor: spawn → tools/list, bare MCPServer with 12 trivial tools",
        "spawn → tools/list, 20 agents (server's share)",
        "parse of the 20-tool list",
        "peak RSS after 20 agents",
        "floor: peak RSS of the bare MCPServer",
        "answer: tool call wall time",
        "run streamed with httpx2, no MCP",
        "IBM's server was not run (--no-peer)",
    ):
        assert label in table, f"{label!r} missing from:\n{table}"
    samples = json.loads(raw.read_text())
    assert len(samples["bridged"]) == len(samples["direct"]) == len(samples["bare"]) == 2
    assert all(s > 0 for s in samples["bridged"] + samples["progress"] + samples["spawn_6"])
    assert all(s > 0 for s in samples["spawn_list"] + samples["spawn_bare"] + samples["spawn_many"])
    assert samples["long_direct"] > 0 and samples["long_bridged"] > 0
