"""What the package says about itself outside Python: the Claude Desktop bundle's ``manifest.json``,
the MCP Registry's ``server.json`` and the PyPI metadata agree with each other and with the code.

The bundle is then run the way Claude Desktop runs it: the files ``mcpb pack`` would take (those
``.mcpbignore`` lets through; or the packed bundle named by ``WXO_MCPB_BUNDLE``, which CI sets),
started with the manifest's command, ``${__dirname}`` and ``${user_config.…}`` filled in, and
asked for an agent's answer by a real MCP client.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from wxo_mcp import __version__
from wxo_mcp.config import FIELDS

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
MANIFEST: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text())
SERVER: dict[str, Any] = json.loads((ROOT / "server.json").read_text())
README = (ROOT / "README.md").read_text()
VARIABLES = {var for var, _ in FIELDS.values()}
SECRETS = {"WXO_API_KEY", "WXO_TOKEN", "WXO_PASSWORD", "WXO_MCP_TOKEN"}
PLACEHOLDER = re.compile(r"\$\{user_config\.([A-Za-z0-9_]+)\}")


def test_one_version_everywhere():
    versions = {
        "pyproject.toml": PYPROJECT["version"],
        "wxo_mcp.__version__": __version__,
        "manifest.json": MANIFEST["version"],
        "server.json": SERVER["version"],
        "server.json packages[0]": SERVER["packages"][0]["version"],
    }
    assert len(set(versions.values())) == 1, versions


def test_listed_variables_are_settings():
    bundle_env = MANIFEST["server"]["mcp_config"]["env"]
    registry_env = [v["name"] for v in SERVER["packages"][0]["environmentVariables"]]
    assert set(bundle_env) <= VARIABLES, set(bundle_env) - VARIABLES
    assert set(registry_env) <= VARIABLES, set(registry_env) - VARIABLES
    assert len(registry_env) == len(set(registry_env))


def test_bundle_manifest():
    server = MANIFEST["server"]
    assert MANIFEST["manifest_version"] == "0.4"
    assert server["type"] == "uv"  # the host installs from pyproject.toml (compiled wheels work)
    assert (ROOT / server["entry_point"]).is_file()
    assert MANIFEST["compatibility"]["runtimes"]["python"] == PYPROJECT["requires-python"]
    config = MANIFEST["user_config"]
    used = {m for v in server["mcp_config"]["env"].values() for m in PLACEHOLDER.findall(v)}
    assert used == set(config)  # every field is used, every placeholder is defined
    for var, value in server["mcp_config"]["env"].items():
        key = PLACEHOLDER.fullmatch(value)
        assert key is not None, var
        assert bool(config[key.group(1)].get("sensitive")) == (var in SECRETS), var
    assert {"url", "api_key", "token", "agents"} <= set(config)
    for option in config.values():
        assert option["type"] == "string" and option["title"] and option["description"]


def test_registry_entry():
    name = SERVER["name"]
    owner = re.fullmatch(r"io\.github\.([A-Za-z0-9-]+)/wxo-mcp", name)
    assert owner is not None, name
    assert SERVER["$schema"].endswith("/schemas/2025-12-11/server.schema.json")
    assert 1 <= len(SERVER["description"]) <= 100
    package = SERVER["packages"][0]
    assert package["registryType"] == "pypi"
    assert package["identifier"] == PYPROJECT["name"] == "wxo-mcp"
    assert package["runtimeHint"] == "uvx"
    assert package["transport"] == {"type": "stdio"}
    for variable in package["environmentVariables"]:
        assert variable["description"], variable["name"]
        assert variable.get("isSecret", False) == (variable["name"] in SECRETS), variable["name"]
    assert {"WXO_API_KEY", "WXO_TOKEN"} <= {v["name"] for v in package["environmentVariables"]}
    # The ownership line PyPI shows (README is the long description), and one repository.
    assert f"mcp-name: {name}" in README
    repository = f"https://github.com/{owner.group(1)}/wxo-mcp"
    assert SERVER["repository"]["url"] == repository
    assert MANIFEST["repository"]["url"] == repository
    assert PYPROJECT["urls"]["Repository"] == repository


def test_pypi_metadata():
    assert PYPROJECT["readme"] == "README.md"
    classifiers = set(PYPROJECT["classifiers"])
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert {"Homepage", "Repository", "Issues"} <= set(PYPROJECT["urls"])
    # PyPI shows the README away from the repository: a relative link there leads nowhere.
    links = re.findall(r"\]\(([^)]+)\)", README)
    relative = [link for link in links if not link.startswith(("http://", "https://", "#"))]
    assert relative == []


# ------------------------------------------------------------------------------------------------
# The bundle, run as the host runs it


def allowlist() -> list[str]:
    """The top-level names ``.mcpbignore`` lets into the bundle (it ignores ``/*`` first)."""
    lines = (ROOT / ".mcpbignore").read_text().splitlines()
    assert "/*" in lines
    return [line[2:].rstrip("/") for line in lines if line.startswith("!/")]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked bundle: CI's packed one, or the same files copied from this checkout."""
    out = tmp_path_factory.mktemp("bundle")
    packed = os.environ.get("WXO_MCPB_BUNDLE")
    if packed:
        with zipfile.ZipFile(packed) as archive:
            archive.extractall(out)
        return out
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in allowlist():
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, out / name)
    return out


def test_bundle_holds_what_the_host_needs_and_nothing_else(bundle):
    names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert {"manifest.json", "pyproject.toml", "uv.lock", "README.md"} <= names
    assert MANIFEST["server"]["entry_point"] in names
    assert "wxo_mcp/simulator/data" in {n.rsplit("/", 1)[0] for n in names}
    tops = {n.split("/", 1)[0] for n in names}
    assert tops <= set(allowlist()), tops
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or ".venv" in n]


def host_launch(bundle: Path, values: dict[str, str]) -> StdioServerParameters:
    """The manifest's mcp_config with the host's substitutions (unset fields become empty)."""
    config = json.loads((bundle / "manifest.json").read_text())["server"]["mcp_config"]

    def fill(text: str) -> str:
        text = text.replace("${__dirname}", str(bundle))
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)

    uv = shutil.which(config["command"])
    if uv is None:
        pytest.skip(f"{config['command']} is not installed")
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("WXO_", "VIRTUAL_ENV"))}
    env = {**outside, **{k: fill(v) for k, v in config["env"].items()}}
    return StdioServerParameters(
        command=uv, args=[fill(a) for a in config["args"]], env=env, cwd=str(bundle.parent)
    )


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_bundle_runs_as_the_host_starts_it(bundle, simulator, mode):
    params = host_launch(
        bundle, {"url": simulator.url, "token": simulator.token, "agents": "echo_*,weather_*"}
    )
    async with Client(params, mode=mode) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("echo_agent", {"message": "from the bundle"})
    assert "echo_agent" in tools and "weather_agent" in tools
    assert "failing_agent" not in tools  # the agents field reached WXO_AGENTS
    assert (result.structured_content or {})["text"] == "Echo (turn 1): from the bundle"


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.parametrize("how", ["module", "entry_point file"])
async def test_unfilled_placeholders_are_not_taken_for_settings(simulator, tmp_path, how):
    """A host that passes ``${user_config.agents}`` verbatim must not filter every agent away;
    and the entry point works run as a file too (a host may start it so)."""
    entry = str(ROOT / MANIFEST["server"]["entry_point"])
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "wxo_mcp.bundle"] if how == "module" else [entry],
        env={
            "HOME": str(tmp_path),
            "WXO_URL": simulator.url,
            "WXO_TOKEN": simulator.token,
            "WXO_API_KEY": "${user_config.api_key}",
            "WXO_AGENTS": "${user_config.agents}",
        },
        cwd=str(tmp_path),
    )
    async with Client(params, mode="legacy") as client:
        result = await client.call_tool("echo_agent", {"message": "hi"})
    assert (result.structured_content or {})["text"] == "Echo (turn 1): hi"
