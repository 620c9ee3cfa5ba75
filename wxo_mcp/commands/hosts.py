"""The MCP hosts ``wxo-mcp install`` knows: where each keeps its servers, and in what shape.

Two kinds of host. Claude Desktop and Cursor have no command for adding a server, so their
documented route is the JSON file in the user's home, which we merge into. Claude Code
(``claude mcp add``) and VS Code (``code --add-mcp``) have their own command and keep the result in
files they own (``~/.claude.json`` holds much more than servers; VS Code's user ``mcp.json`` moves
with profiles and Settings Sync), so for them we print the command rather than edit their files.
A VS Code *workspace* file (``.vscode/mcp.json``) belongs to the user's project, so
``--project`` writes that one, with secrets as VS Code ``inputs`` (prompted once, kept in VS Code's
secret storage), never as values in a file that may be committed.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "HOSTS",
    "Host",
    "Launch",
    "claude_mcp_add",
    "code_add_mcp",
    "config_path",
    "entry_for",
]

Platform = str  # sys.platform: "darwin", "win32", "linux", …


@dataclass(frozen=True)
class Launch:
    """How a host starts the server: an absolute command, its arguments, its environment.

    ``env`` holds values; ``env_refs`` names secrets the host must fill in itself (VS Code
    ``inputs``, or the shell's own variable in a printed command): their values never appear.
    """

    command: str
    args: tuple[str, ...]
    env: Mapping[str, str]
    env_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Host:
    name: str
    title: str
    key: str  # the JSON object holding the servers
    edits_file: bool  # False: we print the host's own command instead
    restart: str  # what the user does afterwards


HOSTS: dict[str, Host] = {
    "claude-desktop": Host(
        "claude-desktop",
        "Claude Desktop",
        "mcpServers",
        edits_file=True,
        restart="Quit Claude Desktop completely and reopen it.",
    ),
    "cursor": Host(
        "cursor",
        "Cursor",
        "mcpServers",
        edits_file=True,
        restart="Cursor picks it up in Settings → MCP (toggle the server if it was there).",
    ),
    "vscode": Host(
        "vscode",
        "VS Code",
        "servers",
        edits_file=False,
        restart="Then use Copilot Chat in Agent mode.",
    ),
    "claude-code": Host(
        "claude-code",
        "Claude Code",
        "mcpServers",
        edits_file=False,
        restart="Check with `claude mcp list`, or /mcp in a session.",
    ),
}


def _home(env: Mapping[str, str]) -> Path:
    """HOME first (so tests and sandboxes can move it), then the platform's own idea of it."""
    home = env.get("HOME") or env.get("USERPROFILE")
    return Path(home) if home else Path.home()


def config_path(
    host: str,
    platform: Platform | None = None,
    env: Mapping[str, str] | None = None,
    project: Path | None = None,
) -> Path:
    """The file a host reads its servers from, per OS (what each host documents)."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    home = _home(env)
    if host == "claude-desktop":
        if platform == "darwin":
            return home / "Library/Application Support/Claude/claude_desktop_config.json"
        if platform == "win32":
            appdata = env.get("APPDATA")
            base = Path(appdata) if appdata else home / "AppData" / "Roaming"
            return base / "Claude" / "claude_desktop_config.json"
        xdg = env.get("XDG_CONFIG_HOME")
        return (Path(xdg) if xdg else home / ".config") / "Claude" / "claude_desktop_config.json"
    if host == "cursor":
        return home / ".cursor" / "mcp.json"
    if host == "vscode" and project is not None:
        return project / ".vscode" / "mcp.json"
    raise ValueError(f"{host} keeps its servers in a file it owns; use its own command")


def input_id(var: str) -> str:
    """The VS Code input id for a secret variable: WXO_API_KEY → wxo-api-key."""
    return var.lower().replace("_", "-")


def entry_for(host: str, launch: Launch) -> dict[str, Any]:
    """The server's entry in the host's JSON (without its name)."""
    entry: dict[str, Any] = {}
    if host == "vscode":
        entry["type"] = "stdio"  # VS Code requires it
    entry["command"] = launch.command
    entry["args"] = list(launch.args)
    env = dict(launch.env)
    env.update({var: f"${{input:{input_id(var)}}}" for var in launch.env_refs})
    if env:
        entry["env"] = env
    return entry


def vscode_inputs(launch: Launch, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """VS Code ``inputs`` for the secrets: asked once, stored in VS Code's secret storage."""
    return [
        {
            "type": "promptString",
            "id": input_id(var),
            "description": labels.get(var, var),
            "password": True,
        }
        for var in launch.env_refs
    ]


def _shell_join(words: Sequence[str], platform: Platform) -> str:
    if platform == "win32":
        return subprocess.list2cmdline(list(words))
    return shlex.join(words)


def _env_ref(var: str, platform: Platform) -> str:
    """The shell's own reference to a variable: the printed command never holds its value."""
    return f"$env:{var}" if platform == "win32" else f'"${var}"'


def claude_mcp_add(name: str, launch: Launch, platform: Platform | None = None) -> str:
    """``claude mcp add`` for this server, in every project (``--scope user``).

    ``--env`` takes several values, so the options come first and end with ones that take exactly
    one; the name follows, then ``--`` and the command. Secrets are written as references to the
    shell's own variables, so running the printed line copies them without showing them.
    """
    platform = platform or sys.platform
    parts = ["claude mcp add"]
    for var, value in launch.env.items():
        parts.append("--env " + _shell_join([f"{var}={value}"], platform))
    for var in launch.env_refs:
        parts.append(f"--env {var}={_env_ref(var, platform)}")
    parts.append("--transport stdio --scope user")
    parts.append(_shell_join([name, "--", launch.command, *launch.args], platform))
    return " ".join(parts)


def code_add_mcp(name: str, launch: Launch, platform: Platform | None = None) -> str:
    """``code --add-mcp`` for this server in the user profile (every workspace).

    Secrets are left out of it: a JSON argument cannot refer to the shell's variables, and a
    value on a command line ends up in the shell's history.
    """
    platform = platform or sys.platform
    config = {"name": name, **entry_for("vscode", Launch(launch.command, launch.args, launch.env))}
    return _shell_join(["code", "--add-mcp", json.dumps(config)], platform)
