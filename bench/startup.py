"""Spawn → ``tools/list`` seen from the wire: the server's own share of start-up.

A real ``mcp.Client`` validates every tool it receives, which for 1,000 agents (a 3 MB list) is a
good part of the time it reports, and is the host's cost, not the server's. So the server's share
is timed with a raw JSON-RPC client over the same stdio pipes: spawn, ``initialize``,
``notifications/initialized``, ``tools/list``, and the clock stops when the answer's last byte has
arrived. The client's parse of that answer (``ListToolsResult`` validation, as ``mcp.Client`` does
it) is timed apart, and the server's CPU time (user + system, from ``/proc``) is read at the same
moment, which stays meaningful on a loaded machine where wall time does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from mcp.types import ListToolsResult

from bench.procs import BenchError

LEGACY_VERSION = "2025-11-25"
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class StartSample:
    """One spawn: seconds to the full answer, server CPU seconds by then, the answer's size."""

    wall: float
    cpu: float | None
    tools: int
    size: int
    parse: float
    peak_mb: float | None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (None without ``/proc``)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float | None:
    """Peak RSS (``VmHWM``) of a process in MB (10^6 bytes), None without ``/proc``."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return None


def _send(process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    assert process.stdin is not None
    process.stdin.write(json.dumps(message).encode() + b"\n")
    process.stdin.flush()


def _answer(process: subprocess.Popen[bytes], request_id: int) -> bytes:
    """The raw line answering ``request_id`` (notifications and log lines before it skipped)."""
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        if not line:
            raise BenchError(f"the server closed stdout before answering request {request_id}")
        if b'"id"' in line[:200] and json.loads(line).get("id") == request_id:
            return line


def spawn_to_list(
    command: Sequence[str], env: Mapping[str, str], errlog: TextIO, expect_tools: int
) -> StartSample:
    """Spawn ``command``, list its tools over raw stdio JSON-RPC (handshake era), time it.

    Blocking on purpose: nothing else runs in this process meanwhile, so the figure is the
    server's and the pipe's alone."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errlog,
        env={"PATH": os.environ.get("PATH", ""), **env},
    )
    try:
        _send(
            process,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": LEGACY_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "0"},
                },
            },
        )
        _answer(process, 1)
        _send(process, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(process, {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}})
        raw = _answer(process, 2)
        wall = time.perf_counter() - start
        cpu = cpu_seconds(process.pid)
        peak = peak_rss_mb(process.pid)
    finally:
        process.kill()
        process.wait()
    parse_start = time.perf_counter()
    message = json.loads(raw)
    if "result" not in message:
        raise BenchError(f"tools/list failed: {raw[:300]!r}")
    listed = ListToolsResult.model_validate(message["result"])
    parse = time.perf_counter() - parse_start
    if len(listed.tools) < expect_tools:
        raise BenchError(f"tools/list gave {len(listed.tools)} tools, expected {expect_tools}")
    return StartSample(wall, cpu, len(listed.tools), len(raw), parse, peak)
