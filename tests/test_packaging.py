"""Packaging: the wheel users install, tried the way they would install it.

``uv build`` makes a wheel named ``wxo-mcp`` holding the simulator's data files; installed into a
fresh virtual environment (away from this checkout), its ``wxo-mcp serve --simulator`` answers a
real MCP client; and ``uvx --from <path>`` runs the console script. Needs ``uv`` (CI installs it);
the dependencies come from uv's cache or the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent
UV = os.environ.get("UV") or shutil.which("uv")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(UV is None, reason="uv is not installed"),
    pytest.mark.timeout(300),
]


def uv(*args: str | Path, cwd: Path) -> str:
    assert UV is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "WXO_"))}
    result = subprocess.run(
        [UV, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, f"uv {args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    uv("build", "--wheel", "--out-dir", out, ROOT, cwd=out)
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel (and its dependencies) in it."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    uv("venv", "--quiet", "--python", sys.executable, venv, cwd=venv.parent)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    uv("pip", "install", "--quiet", "--python", python, wheel, cwd=venv.parent)
    return venv


def script(venv: Path) -> Path:
    return venv / ("Scripts/wxo-mcp.exe" if os.name == "nt" else "bin/wxo-mcp")


def test_wheel_name_and_contents(wheel):
    assert wheel.name.startswith("wxo_mcp-") and wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert "\nName: wxo-mcp\n" in metadata
    assert "wxo-mcp = wxo_mcp.cli:main" in entry_points
    assert "wxo_mcp/py.typed" in names
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("wxo_mcp/simulator/data/")}
    in_tree = {p.name for p in (ROOT / "wxo_mcp/simulator/data").iterdir() if p.is_file()}
    assert in_tree <= shipped
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_installed_wheel_serves_the_simulator(installed, tmp_path, mode):
    # cwd and PYTHONPATH away from the checkout: only the installed package can be imported.
    params = StdioServerParameters(
        command=str(script(installed)),
        args=["serve", "--simulator"],
        env={"HOME": str(tmp_path), "PYTHONPATH": ""},
        cwd=str(tmp_path),
    )
    async with Client(params, mode=mode) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert {"echo_agent", "weather_agent", "list_agents", "ask_agent", "get_run"} <= tools
        result = await client.call_tool("echo_agent", {"message": "from the wheel"})
    assert not result.is_error
    assert (result.structured_content or {})["text"] == "Echo (turn 1): from the wheel"


def test_installed_wheel_commands(installed, tmp_path):
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}
    ask = subprocess.run(
        [script(installed), "ask", "--simulator", "echo_agent", "hi"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ask.returncode == 0, ask.stderr
    assert ask.stdout == "Echo (turn 1): hi\n"


def test_uvx_from_a_path(tmp_path):
    out = uv("tool", "run", "--from", ROOT, "wxo-mcp", "--version", cwd=tmp_path)
    assert out.startswith("wxo-mcp ")
