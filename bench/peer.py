"""IBM's own MCP server (``ibm-watsonx-orchestrate-mcp-server``), run beside wxo-mcp for comparison.

It is installed only into the benchmark's own virtual environment (``bench/.venv-peer``), never
into the project's. Three adjustments make it run against the simulator:

1. its configuration module looks for a ``pyproject.toml`` in the folders above its package and
   the wheel ships none: a minimal one goes at the root of its venv;
2. its ADK client decodes the local token as a JWT and calls ``exit(1)`` on anything else: the
   simulator is given a JWT-shaped token without ``exp`` (:func:`bench.procs.jwt_shaped_token`);
3. ``FASTMCP_CHECK_FOR_UPDATES=off``, or it asks the package registry for updates at every start.

It is configured as the ADK would configure it, through a temporary HOME holding
``~/.config/orchestrate/config.yaml`` and ``~/.cache/orchestrate/credentials.yaml``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from mcp import StdioServerParameters

from bench.procs import SimulatorProcess

PEER_SPEC = "ibm-watsonx-orchestrate-mcp-server==2.19.1"
PEER_SCRIPT = "ibm-watsonx-orchestrate-mcp-server"
DEFAULT_VENV = Path(__file__).resolve().parent / ".venv-peer"
PYPROJECT = '[project]\nname = "ibm-watsonx-orchestrate-mcp-server"\n'


class PeerUnavailable(RuntimeError):
    """The peer could not be installed; the message carries the installer's own error."""


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise PeerUnavailable(f"`{' '.join(command)}` failed:\n" + "\n".join(tail))


def ensure_peer(venv: Path = DEFAULT_VENV) -> Path:
    """The peer's executable, installing it into ``venv`` the first time."""
    script = venv / "bin" / PEER_SCRIPT
    marker = venv / ".bench-installed"
    if not (script.exists() and marker.exists() and marker.read_text() == PEER_SPEC):
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        uv = shutil.which("uv")
        if uv:
            _run([uv, "venv", "--quiet", "--python", python, str(venv)])
            _run(
                [
                    uv,
                    "pip",
                    "install",
                    "--quiet",
                    "--python",
                    str(venv / "bin" / "python"),
                    PEER_SPEC,
                ]
            )
        else:
            _run([sys.executable, "-m", "venv", str(venv)])
            _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", PEER_SPEC])
        if not script.exists():
            raise PeerUnavailable(f"{PEER_SPEC} installed no {PEER_SCRIPT} script in {venv}")
        marker.write_text(PEER_SPEC)
    # (1) the pyproject.toml its configuration module searches for.
    (venv / "pyproject.toml").write_text(PYPROJECT)
    return script


def write_adk_home(home: Path, sim: SimulatorProcess) -> None:
    """The ADK's two files, as ``orchestrate env activate local`` would leave them."""
    config = home / ".config" / "orchestrate"
    cache = home / ".cache" / "orchestrate"
    config.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    port = sim.url.rsplit(":", 1)[1]
    (config / "config.yaml").write_text(
        "context:\n  active_environment: local\n"
        f"environments:\n  local:\n    wxo_url: http://localhost:{port}\n"
    )
    # (2) the token: JWT-shaped, without exp.
    (cache / "credentials.yaml").write_text(f"auth:\n  local:\n    wxo_mcsp_token: {sim.token}\n")


def peer_params(script: Path, home: Path) -> StdioServerParameters:
    env = {
        "HOME": str(home),
        "FASTMCP_CHECK_FOR_UPDATES": "off",  # (3)
        "WXO_MCP_TRANSPORT": "stdio",
    }
    return StdioServerParameters(command=str(script), args=[], env=env, cwd=str(home))


def chat_arguments(agent: str, message: str) -> dict[str, object]:
    return {"chat_request": {"agent_name": agent, "message": message}}
