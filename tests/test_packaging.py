"""Packaging: the wheel users install, tried the way they would install it.

``uv build`` makes a wheel named ``wxo-mcp`` holding the simulator's data files; installed into a
fresh virtual environment (away from this checkout), its ``wxo-mcp serve --simulator`` answers a
real MCP client; and ``uvx --from <path>`` runs the console script. The source archive ships
everything its tests import or open, and both archives carry the LICENSE. Needs ``uv`` (CI
installs it); the dependencies come from uv's cache or the package index.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tarfile
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


def build(kind: str, pattern: str, out: Path) -> Path:
    """``uv build --<kind>`` of the checkout into `out`: the one archive it makes."""
    uv("build", f"--{kind}", "--out-dir", out, ROOT, cwd=out)
    made = list(out.glob(pattern))
    assert len(made) == 1, made
    return made[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build("wheel", "*.whl", tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build("sdist", "*.tar.gz", tmp_path_factory.mktemp("sdist"))


def sdist_files(sdist: Path) -> dict[str, bytes]:
    """The archive's regular files by path inside the project (``wxo_mcp-0.1.0/`` cut off)."""
    files: dict[str, bytes] = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is not None:
                files[member.name.split("/", 1)[1]] = handle.read()
    return files


def tracked() -> dict[str, set[str]]:
    """The checkout's files under version control by top-level name (``.gitignore`` files
    aside: git's, not the tests')."""
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    by_top: dict[str, set[str]] = {}
    for path in listed:
        if path.rsplit("/", 1)[-1] != ".gitignore":
            by_top.setdefault(path.split("/", 1)[0], set()).add(path)
    return by_top


def referenced(source: str, names: set[str]) -> set[str]:
    """Which of `names` a test module imports, runs (``-m name``) or opens (a path string)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value.split("/", 1)[0])
    return found & names


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
    license_file = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(license_file) == (ROOT / "LICENSE").read_bytes()
    assert "\nLicense-Expression: Apache-2.0\n" in metadata
    assert "\nLicense-File: LICENSE\n" in metadata


def test_sdist_ships_the_license(sdist):
    files = sdist_files(sdist)
    assert files["LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert b"Apache License" in files["LICENSE"] and b"Version 2.0" in files["LICENSE"]
    assert "License-Expression: Apache-2.0" in files["PKG-INFO"].decode()


def test_sdist_tests_find_what_they_use(sdist):
    """A test run from the unpacked archive finds every module and file of this project it
    imports, runs or opens (e.g. ``python -m bench``, ``claude_desktop_config.example.json``):
    all of that top-level package or file is shipped."""
    files = sdist_files(sdist)
    ours = tracked()
    missing: dict[str, list[str]] = {}
    for path, data in files.items():
        if path.startswith("tests/") and path.endswith(".py"):
            for name in sorted(referenced(data.decode(), set(ours))):
                lacking = sorted(ours[name] - set(files))
                if lacking:
                    missing[f"{path} uses {name}"] = lacking[:5]
    assert not missing, missing


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
