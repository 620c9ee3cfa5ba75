"""``wxo-mcp serve --transport http`` in subprocesses on free ports, for the HTTP tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT

READY = re.compile(r"serving MCP over streamable HTTP at (http://\S+/mcp)")


def command_env(simulator: Any, home: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a spawned ``wxo-mcp``: the simulator, an empty HOME, nothing else WXO_."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WXO_")}
    env.update(
        WXO_URL=simulator.url,
        WXO_TOKEN=simulator.token,
        HOME=str(home),
        PYTHONPATH=ROOT,
        WXO_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def wxo_mcp(*args: str) -> list[str]:
    return [sys.executable, "-m", "wxo_mcp", *args]


def serve_once(
    simulator: Any, home: Path, *flags: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``wxo-mcp serve --transport http`` to completion (for starts that must be refused)."""
    return subprocess.run(
        wxo_mcp("serve", "--transport", "http", *flags),
        env=command_env(simulator, home, env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class HttpServers:
    """Starts servers (``start`` returns the ``/mcp`` URL once it serves); ``close`` stops all."""

    def __init__(self, simulator: Any, workdir: Path) -> None:
        self._simulator = simulator
        self._workdir = workdir
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, *flags: str, env: Mapping[str, str] | None = None) -> str:
        log = self._workdir / f"serve-{len(self.procs)}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                wxo_mcp("serve", "--transport", "http", "--port", "0", *flags),
                env=command_env(self._simulator, self._workdir, env or {}),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=sink,
                cwd=ROOT,
            )
        self.procs.append(proc)
        self.logs.append(log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = READY.search(log.read_text())
            if found:
                return found.group(1)
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"wxo-mcp did not start serving HTTP:\n{log.read_text()}")

    def kill(self, index: int) -> None:
        """Kill one server at once (SIGKILL: no goodbye, as when a replica dies)."""
        proc = self.procs[index]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
                proc.kill()
                raise
