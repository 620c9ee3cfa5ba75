"""The host configurations we tell people to paste actually launch a working server.

``claude_desktop_config.example.json`` is read as a host would read it; its placeholder paths are
replaced with this checkout (and the local ``uvx``), and each entry is started with a real MCP
client.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from tests.e2e.conftest import ROOT
from wxo_mcp.config import FIELDS

EXAMPLE = Path(ROOT) / "claude_desktop_config.example.json"
CHECKOUT = "/Users/you/src/wxo-mcp"
VENV = Path(ROOT) / ".venv"
VARIABLES = {var for var, _ in FIELDS.values()}


def entries() -> dict[str, dict[str, Any]]:
    return dict(json.loads(EXAMPLE.read_text())["mcpServers"])


def localized(entry: dict[str, Any], **env: str) -> StdioServerParameters:
    """The entry with this machine's paths, started from a neutral directory."""
    command = entry["command"].replace(CHECKOUT, ROOT)
    if command.endswith("/uvx"):
        command = shutil.which("uvx") or pytest.skip("uvx is not installed")
    args = [a.replace(CHECKOUT, ROOT) for a in entry.get("args", [])]
    home = env.pop("HOME")
    return StdioServerParameters(
        command=command,
        args=args,
        env={**entry.get("env", {}), **env, "HOME": home, "PATH": os.environ.get("PATH", "")},
        cwd=home,
    )


def test_shape():
    servers = entries()
    assert set(servers) == {"orchestrate", "orchestrate-checkout", "orchestrate-simulator"}
    for name, entry in servers.items():
        assert entry["command"].startswith("/"), name  # hosts need absolute paths
        assert set(entry.get("env", {})) <= VARIABLES, name
    assert servers["orchestrate"]["args"][-1] == "wxo-mcp"
    assert servers["orchestrate-simulator"]["args"] == ["serve", "--simulator"]


@pytest.mark.anyio
@pytest.mark.e2e
async def test_simulator_entry(tmp_path):
    params = localized(entries()["orchestrate-simulator"], HOME=str(tmp_path))
    async with Client(params, mode="legacy") as client:
        result = await client.call_tool("echo_agent", {"message": "from Claude Desktop"})
    assert (result.structured_content or {})["text"] == "Echo (turn 1): from Claude Desktop"


@pytest.mark.anyio
@pytest.mark.e2e
async def test_checkout_entry(tmp_path, simulator):
    if not VENV.exists():
        pytest.skip("no .venv in this checkout")
    params = localized(
        entries()["orchestrate-checkout"],
        HOME=str(tmp_path),
        WXO_URL=simulator.url,
        WXO_TOKEN=simulator.token,
    )
    async with Client(params, mode="legacy") as client:
        tools = {t.name for t in (await client.list_tools()).tools}
    assert {"echo_agent", "ask_agent"} <= tools


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.timeout(240)
async def test_uvx_entry(tmp_path, simulator):
    params = localized(
        entries()["orchestrate"],
        HOME=str(tmp_path),
        WXO_URL=simulator.url,
        WXO_TOKEN=simulator.token,
        WXO_API_KEY="",
    )
    # uv itself needs this machine's index, certificates and cache settings (and real HOME).
    outside = {k: v for k, v in os.environ.items() if not k.startswith("WXO_")}
    params.env = {**outside, **(params.env or {}), "HOME": outside.get("HOME", str(tmp_path))}
    async with Client(params, mode="legacy") as client:
        listed = (await client.call_tool("list_agents", {})).structured_content or {}
    names = {a["name"] for a in listed["agents"]}
    assert "echo_agent" in names
    assert all(not n.startswith("internal_") for n in names)
