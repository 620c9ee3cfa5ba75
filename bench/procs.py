"""The processes a benchmark run starts, and what it reads about them.

Simulators run in their own process (``python -m bench.simulator``); MCP servers are spawned by
the MCP client's stdio transport, with their stderr sent to a log file so that a failure can be
shown and a chatty server cannot fill a pipe. Peak memory is read from ``/proc`` (Linux only).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import anyio
from anyio.abc import Process
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
READY = re.compile(r"ready at (http://[0-9.]+:\d+)")


class BenchError(RuntimeError):
    """Something the benchmark needs did not work; the message says what."""


def jwt_shaped_token() -> str:
    """A token any JWT decoder accepts, with no ``exp``: IBM's ADK client insists on the shape."""

    def part(data: dict[str, Any] | bytes) -> str:
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return ".".join(
        [part({"alg": "HS256", "typ": "JWT"}), part({"sub": "bench"}), part(b"signature")]
    )


@dataclass
class SimulatorProcess:
    url: str
    token: str
    process: Process


@asynccontextmanager
async def simulator(
    workdir: Path,
    token: str,
    *,
    agents: int = 0,
    step_interval: float = 0.1,
    stamp_steps: bool = True,
) -> AsyncIterator[SimulatorProcess]:
    """A simulator in its own process, until the block ends."""
    log_path = workdir / f"simulator-{agents}-{time.monotonic_ns()}.log"
    command = [
        sys.executable,
        "-m",
        "bench.simulator",
        "--token",
        token,
        "--agents",
        str(agents),
        "--step-interval",
        str(step_interval),
    ]
    if stamp_steps:
        command.append("--stamp-steps")
    with log_path.open("wb") as log:
        process = await anyio.open_process(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    try:
        with anyio.fail_after(START_TIMEOUT):
            url = await _wait_ready(log_path, process)
        yield SimulatorProcess(url=url, token=token, process=process)
    finally:
        with anyio.CancelScope(shield=True):
            process.terminate()
            with anyio.move_on_after(10):
                await process.wait()
            if process.returncode is None:
                process.kill()
                await process.wait()


async def _wait_ready(log_path: Path, process: Process) -> str:
    while True:
        text = await anyio.Path(log_path).read_text(errors="replace")
        match = READY.search(text)
        if match:
            return match.group(1)
        if process.returncode is not None:
            raise BenchError(f"the simulator exited ({process.returncode}):\n{text[-2000:]}")
        await anyio.sleep(0.02)


def wxo_mcp_command() -> list[str]:
    """How a host starts wxo-mcp: the console script beside this interpreter, if installed."""
    script = Path(sys.executable).with_name("wxo-mcp")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "wxo_mcp"]


def wxo_mcp_params(
    sim: SimulatorProcess, home: Path, extra_env: Mapping[str, str] | None = None
) -> StdioServerParameters:
    command = wxo_mcp_command()
    env = {
        "HOME": str(home),
        "WXO_URL": sim.url,
        "WXO_TOKEN": sim.token,
        "WXO_LOG_LEVEL": "WARNING",
        **dict(extra_env or {}),
    }
    return StdioServerParameters(command=command[0], args=[*command[1:], "serve"], env=env)


def wxo_mcp_marker() -> str:
    """What identifies a spawned wxo-mcp server among this process's children."""
    return f"{'wxo-mcp' if len(wxo_mcp_command()) == 1 else 'wxo_mcp'} serve"


def bare_params(home: Path, tools: int = 0) -> StdioServerParameters:
    """The bare MCPServer floor, with ``tools`` trivial tools besides echo and wait."""
    script = Path(__file__).with_name("bare_server.py")
    return StdioServerParameters(
        command=sys.executable,
        args=[str(script)],
        env={"HOME": str(home), "BENCH_BARE_TOOLS": str(tools)},
    )


def connect(
    params: StdioServerParameters, errlog: TextIO, **options: Any
) -> AbstractAsyncContextManager[Client]:
    """An MCP client over stdio in the handshake era hosts speak today (Claude Desktop's)."""
    options.setdefault("mode", "legacy")
    return Client(stdio_client(params, errlog=errlog), **options)


def server_pid(marker: str) -> int:
    """The pid of this process's child whose command line contains ``marker``."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and marker in cmdline:
            found.append(int(entry.name))
    if len(found) != 1:
        raise BenchError(f"expected one child process running {marker!r}, found {len(found)}")
    return found[0]


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB (10^6 bytes), from /proc/<pid>/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024 / 1e6
    return fields["VmRSS"], fields["VmHWM"]


def has_proc() -> bool:
    return Path("/proc/self/status").exists()
