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


def test_bench_smoke_run_prints_every_row(tmp_path: Path) -> None:
    raw = tmp_path / "raw.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--no-peer", "--json", str(raw)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    for label in (
        "tool call through wxo-mcp",
        "floor: streamed run, httpx straight to the simulator",
        "floor: trivial MCPServer tool call over stdio",
        "ratio bridged / (direct + bare)",
        "concurrent calls of a 200 ms agent",
        "step event → progress notification",
        "spawn → tools/list, 6 agents",
        "spawn → tools/list, 20 agents",
        "peak RSS after 20 agents",
        "IBM's server was not run (--no-peer)",
    ):
        assert label in table, f"{label!r} missing from:\n{table}"
    samples = json.loads(raw.read_text())
    assert len(samples["bridged"]) == len(samples["direct"]) == len(samples["bare"]) == 2
    assert all(s > 0 for s in samples["bridged"] + samples["progress"] + samples["spawn_6"])
