"""10,000 sequential calls in one server process: memory and descriptors stay flat.

Marked ``slow`` (about a minute): run it with ``uv run pytest -m slow``. The README's Reliability
section quotes its printed figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest
from mcp import Client

from tests.e2e.conftest import server_params
from wxo_mcp.simulator import Simulator, SimulatorOptions

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

CALLS = int(os.environ.get("WXO_SOAK_CALLS", "10000"))


def _server_pid() -> int:
    """The ``wxo_mcp serve`` child of this test process."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and b"wxo_mcp" in cmdline and b"serve" in cmdline:
            return int(entry.name)
    raise LookupError("no wxo-mcp child process")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError("no VmRSS")


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def test_ten_thousand_sequential_calls():
    options = SimulatorOptions(token="soak-token", event_delay=0.0, pending_delay=0.0)
    with Simulator(options) as sim:
        await _soak(sim.url, sim.token)


async def _soak(url: str, token: str) -> None:
    async with Client(server_params(url, token), mode="legacy") as client:
        pid = _server_pid()
        for i in range(200):  # warm up: caches, pools and the run record fill
            await client.call_tool("echo_agent", {"message": f"warm {i}"})
        rss0, fds0 = _rss_kib(pid), _fds(pid)
        started = anyio.current_time()
        for i in range(CALLS):
            result = await client.call_tool("echo_agent", {"message": f"call {i}"})
            assert not result.is_error
        elapsed = anyio.current_time() - started
        rss1, fds1 = _rss_kib(pid), _fds(pid)
    growth = (rss1 - rss0) / rss0
    print(
        f"\nsoak: {CALLS} calls in {elapsed:.1f} s ({CALLS / elapsed:.0f}/s); "
        f"RSS {rss0 / 1024:.1f} → {rss1 / 1024:.1f} MiB ({growth:+.1%}); fds {fds0} → {fds1}"
    )
    assert growth < 0.10
    assert fds1 <= fds0 + 2
