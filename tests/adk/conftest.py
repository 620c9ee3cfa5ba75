"""IBM's ADK (``ibm-watsonx-orchestrate``) in a venv of its own, and a ``wxo-mcp simulator`` on
the port the ADK's local login is bound to.

The ADK is heavy and pins its own dependencies, so it stays out of the project's dependencies and
lock file: the first run installs it with pip into a cached venv keyed by its version and the
Python version (``$XDG_CACHE_HOME/wxo-mcp/adk-<version>-py<XY>``, or ``WXO_TEST_ADK_VENV``);
later runs reuse it. When it cannot be installed, or port 4321 cannot be had, the tests are skipped
with the reason, or fail under ``WXO_TEST_ADK_REQUIRED=1`` (CI).

``orchestrate env activate local`` always logs in at ``http://localhost:4321``, whatever URL the
environment names (``DEFAULT_LOCAL_SERVICE_URL`` in ``local_service_instance.py``), so the
simulator must listen on 4321. A lock file keeps two test runs of this machine from fighting over
the port; a port held by anything else skips the tests.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.simulator_process import SimulatorDidNotStart, simulator_process

ADK_VERSION = "2.19.1"
ADK_PORT = 4321
_INSTALL_TIMEOUT = 900.0
_PORT_WAIT = 120.0


def _venv_dir() -> Path:
    override = os.environ.get("WXO_TEST_ADK_VENV")
    if override:
        return Path(override)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    return cache / "wxo-mcp" / f"adk-{ADK_VERSION}-{python}"


def _unavailable(reason: str) -> None:
    if os.environ.get("WXO_TEST_ADK_REQUIRED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _install(venv: Path) -> None:
    """Create ``venv`` and pip-install the ADK; ``.complete`` marks a finished install (a venv
    cannot be moved into place, its scripts name their interpreter by absolute path)."""
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"ibm-watsonx-orchestrate=={ADK_VERSION}",
        ],
    ]
    for step in steps:
        try:
            done = subprocess.run(
                step, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            _unavailable(f"cannot install ibm-watsonx-orchestrate=={ADK_VERSION}: {exc}")
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
            _unavailable(f"cannot install ibm-watsonx-orchestrate=={ADK_VERSION}: {tail}")
    (venv / ".complete").write_text(ADK_VERSION + "\n")


@pytest.fixture(scope="session")
def adk_venv() -> Path:
    """The cached venv holding the ADK, installed on first use."""
    venv = _venv_dir()
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be installing it right now
        if not (venv / ".complete").exists():
            _install(venv)
    return venv


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def adk_simulator() -> Iterator[str]:
    """``wxo-mcp simulator --port 4321`` in a child process, for this run alone."""
    lock_path = Path(tempfile.gettempdir()) / f"wxo-mcp-adk-port-{ADK_PORT}.lock"
    with open(lock_path, "w") as lock:
        deadline = time.monotonic() + _PORT_WAIT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    _unavailable(f"another test run has held port {ADK_PORT} for {_PORT_WAIT:g} s")
                time.sleep(0.5)
        if _port_in_use(ADK_PORT):
            _unavailable(
                f"port {ADK_PORT} is in use; the ADK's local login only talks to "
                f"http://localhost:{ADK_PORT}"
            )
        try:
            with simulator_process("--port", str(ADK_PORT)) as url:
                yield url
        except SimulatorDidNotStart as exc:
            _unavailable(f"wxo-mcp simulator could not take port {ADK_PORT}: {exc}")


@dataclass
class Adk:
    """Runs the ADK's CLI and Python clients with a HOME of their own (config, credentials)."""

    venv: Path
    home: Path

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "PATH": f"{self.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "COLUMNS": "200",  # rich wraps tables and panels to this width
            "TERM": "dumb",
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
        }

    def orchestrate(self, *args: str, stdin: str = "exit\n") -> subprocess.CompletedProcess[str]:
        """``orchestrate ARGS``; ``chat ask`` reads ``exit`` from stdin after its first answer."""
        return self._run([str(self.venv / "bin" / "orchestrate"), *args], stdin)

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        """``code`` run by the ADK venv's Python (its clients read the same HOME)."""
        return self._run([str(self.venv / "bin" / "python"), "-c", code], "")

    def _run(self, argv: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=self.home,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def adk(adk_venv: Path, adk_simulator: str, tmp_path_factory: pytest.TempPathFactory) -> Adk:
    """The ADK with a fresh, empty HOME: no config, no credentials, no active environment."""
    return Adk(adk_venv, tmp_path_factory.mktemp("adk-home"))
