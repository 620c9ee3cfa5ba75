"""``wxo-mcp install HOST`` in a temporary HOME: merges, keeps, refuses, and what it prints.

Each test runs the real command (``main`` as the console script calls it, or the script itself)
against files laid out where the hosts keep them, then reads the files back as a host would.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.e2e.conftest import ROOT
from wxo_mcp.cli import _parser
from wxo_mcp.commands.hosts import Launch, claude_mcp_add, code_add_mcp, config_path
from wxo_mcp.config import FIELDS

URL = "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc"
API_KEY = "sentinel-api-key-0123456789"
OTHER = {"command": "/usr/bin/other-server", "args": ["--flag"], "env": {"KEEP": "me"}}

# (host, extra argv, the servers key) for the hosts whose file we write.
FILE_HOSTS = [
    ("claude-desktop", [], "mcpServers"),
    ("cursor", [], "mcpServers"),
    ("vscode", ["--project", "{home}/proj"], "servers"),
]


@pytest.fixture
def home(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """HOME is tmp_path (clean_env); nothing else may point a host's file elsewhere."""
    for name in ("XDG_CONFIG_HOME", "APPDATA", "USERPROFILE", "WXO_TOKEN", "WXO_PASSWORD"):
        clean_env.delenv(name, raising=False)
    return tmp_path


def target(host: str, home: Path) -> Path:
    project = home / "proj" if host == "vscode" else None
    return config_path(host, env={"HOME": str(home)}, project=project)


def argv(host: str, extra: list[str], home: Path, *more: str) -> list[str]:
    return ["install", host, *(a.format(home=home) for a in extra), *more]


def read(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".*.bak"))


def test_paths_per_os():
    env = {"HOME": "/h", "APPDATA": "C:/Users/u/AppData/Roaming"}
    assert config_path("claude-desktop", "darwin", env) == Path(
        "/h/Library/Application Support/Claude/claude_desktop_config.json"
    )
    assert config_path("claude-desktop", "win32", env) == Path(
        "C:/Users/u/AppData/Roaming/Claude/claude_desktop_config.json"
    )
    assert config_path("claude-desktop", "linux", env) == Path(
        "/h/.config/Claude/claude_desktop_config.json"
    )
    assert config_path("claude-desktop", "linux", {**env, "XDG_CONFIG_HOME": "/x"}) == Path(
        "/x/Claude/claude_desktop_config.json"
    )
    for platform in ("darwin", "win32", "linux"):
        assert config_path("cursor", platform, env) == Path("/h/.cursor/mcp.json")
    assert config_path("vscode", "linux", env, Path("/p")) == Path("/p/.vscode/mcp.json")
    with pytest.raises(ValueError, match="own command"):
        config_path("claude-code", "linux", env)


@pytest.mark.parametrize(("host", "extra", "key"), FILE_HOSTS)
def test_merge_keeps_other_servers_and_keys(run_cli, home, host, extra, key):
    path = target(host, home)
    path.parent.mkdir(parents=True)
    before = {"theme": "dark", key: {"other": OTHER}, "inputs": [{"id": "theirs"}]}
    path.write_text(json.dumps(before, indent=4))
    original = path.read_bytes()

    result = run_cli(
        *argv(host, extra, home, "--url", URL, "--agents", "sales_*"), env={"WXO_API_KEY": API_KEY}
    )
    assert result.code == 0, result.err
    data = read(path)
    assert data["theme"] == "dark"
    assert data[key]["other"] == OTHER
    assert list(data[key]) == ["other", "orchestrate"]
    entry = data[key]["orchestrate"]
    assert Path(entry["command"]).is_absolute() and Path(entry["command"]).exists()
    assert entry["args"] == ["serve"]
    assert entry["env"]["WXO_URL"] == URL
    assert entry["env"]["WXO_AGENTS"] == "sales_*"
    if host == "vscode":  # a project file: the secret is asked for by VS Code, not stored
        assert entry["type"] == "stdio"
        assert entry["env"]["WXO_API_KEY"] == "${input:wxo-api-key}"
        assert {"id": "theirs"} in data["inputs"]
        assert any(i["id"] == "wxo-api-key" and i["password"] for i in data["inputs"])
        assert API_KEY not in path.read_text()
    else:
        assert entry["env"]["WXO_API_KEY"] == API_KEY
    assert [b.read_bytes() for b in backups(path)] == [original]
    assert API_KEY not in result.out + result.err


@pytest.mark.parametrize(("host", "extra", "key"), FILE_HOSTS)
def test_new_file_is_private(run_cli, home, host, extra, key):
    result = run_cli(*argv(host, extra, home, "--simulator"))
    assert result.code == 0, result.err
    path = target(host, home)
    assert read(path)[key]["orchestrate"]["args"] == ["serve", "--simulator"]
    assert (path.stat().st_mode & 0o777) == 0o600
    assert backups(path) == []  # nothing to back up


@pytest.mark.parametrize(("host", "extra", "key"), FILE_HOSTS)
def test_idempotent(run_cli, home, host, extra, key):
    first = run_cli(*argv(host, extra, home, "--url", URL))
    assert first.code == 0, first.err
    path = target(host, home)
    content, stat = path.read_bytes(), path.stat()
    again = run_cli(*argv(host, extra, home, "--url", URL))
    assert again.code == 0
    assert "nothing changed" in again.err
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert backups(path) == []


@pytest.mark.parametrize(("host", "extra", "key"), FILE_HOSTS)
def test_differing_entry_needs_force(run_cli, home, host, extra, key):
    path = target(host, home)
    path.parent.mkdir(parents=True)
    mine = {"command": "/opt/hand-written/wxo-mcp", "args": ["serve"]}
    path.write_text(json.dumps({key: {"orchestrate": mine, "other": OTHER}}))
    original = path.read_bytes()

    refused = run_cli(*argv(host, extra, home, "--url", URL))
    assert refused.code == 1
    assert str(path) in refused.err and "--force" in refused.err and "command" in refused.err
    assert path.read_bytes() == original
    assert backups(path) == []

    forced = run_cli(*argv(host, extra, home, "--url", URL, "--force"))
    assert forced.code == 0, forced.err
    data = read(path)
    assert data[key]["orchestrate"]["env"] == {"WXO_URL": URL}
    assert data[key]["other"] == OTHER
    assert [b.read_bytes() for b in backups(path)] == [original]


@pytest.mark.parametrize(("host", "extra", "key"), FILE_HOSTS)
def test_malformed_file_is_reported_and_kept(run_cli, home, host, extra, key):
    path = target(host, home)
    path.parent.mkdir(parents=True)
    path.write_text('{\n  "' + key + '": {\n    "other": {"command": "x"},\n  }\n}\n')
    original = path.read_bytes()
    result = run_cli(*argv(host, extra, home, "--url", URL), env={"WXO_API_KEY": API_KEY})
    assert result.code == 1
    assert f"{path}:4:" in result.err  # the file and the line of the stray comma's close
    assert "not changed" in result.err
    assert path.read_bytes() == original
    assert backups(path) == []
    assert API_KEY not in result.err


def test_servers_key_of_the_wrong_type(run_cli, home):
    path = target("cursor", home)
    path.parent.mkdir(parents=True)
    path.write_text('{"mcpServers": []}')
    result = run_cli("install", "cursor")
    assert result.code == 1
    assert "'mcpServers' should be an object" in result.err
    assert path.read_text() == '{"mcpServers": []}'


@pytest.mark.parametrize(("host", "extra", "key"), FILE_HOSTS)
def test_print_writes_nothing(run_cli, home, host, extra, key):
    result = run_cli(
        *argv(host, extra, home, "--print", "--url", URL), env={"WXO_API_KEY": API_KEY}
    )
    assert result.code == 0, result.err
    shown = json.loads(result.out)
    entry = shown[key]["orchestrate"]
    assert entry["env"]["WXO_URL"] == URL
    assert API_KEY not in result.out + result.err  # masked (or an input reference)
    assert "nothing written" in result.err
    assert not target(host, home).exists()
    assert not (home / "proj").exists()


def test_claude_code_prints_its_own_command(run_cli, home):
    result = run_cli(
        "install", "claude-code", "--url", URL, "--name", "wxo", env={"WXO_API_KEY": API_KEY}
    )
    assert result.code == 0, result.err
    assert API_KEY not in result.out + result.err
    assert '--env WXO_API_KEY="$WXO_API_KEY"' in result.out
    words = shlex.split(result.out)
    assert words[:3] == ["claude", "mcp", "add"]
    split = words.index("--")
    assert words[split - 1] == "wxo"
    assert words[split - 3 : split - 1] == ["--scope", "user"]  # single-valued option before name
    assert Path(words[split + 1]).is_absolute() and words[split + 2 :] == ["serve"]
    assert f"WXO_URL={URL}" in words
    assert not list(home.rglob("*.json"))  # Claude Code's own files are left to it


def test_claude_code_command_carries_the_secret_when_a_shell_runs_it(run_cli, home, tmp_path):
    """The printed line, run by a shell with WXO_API_KEY set, hands `claude` the real value."""
    result = run_cli("install", "claude-code", env={"WXO_API_KEY": API_KEY})
    fake = tmp_path / "bin" / "claude"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    fake.chmod(0o755)
    shell = subprocess.run(
        ["/bin/sh", "-c", result.out],
        env={"PATH": f"{fake.parent}:/usr/bin:/bin", "WXO_API_KEY": API_KEY},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert f"WXO_API_KEY={API_KEY}" in shell.stdout.splitlines()


def test_vscode_user_profile_gets_code_add_mcp(run_cli, home):
    result = run_cli("install", "vscode", "--agents", "a,b", env={"WXO_API_KEY": API_KEY})
    assert result.code == 0, result.err
    words = shlex.split(result.out)
    assert words[:2] == ["code", "--add-mcp"]
    config = json.loads(words[2])
    assert config["name"] == "orchestrate" and config["type"] == "stdio"
    assert config["env"] == {"WXO_AGENTS": "a,b"}
    assert API_KEY not in result.out + result.err
    assert "WXO_API_KEY left out" in result.err
    assert not list(home.rglob("*.json"))


def test_uvx_entry(run_cli, home):
    result = run_cli("install", "cursor", "--uvx", "--from", str(ROOT), "--print")
    if result.code == 1 and "uvx is not on PATH" in result.err:
        pytest.skip("uvx is not installed")
    entry = json.loads(result.out)["mcpServers"]["orchestrate"]
    assert Path(entry["command"]).name.startswith("uvx")
    assert entry["args"] == ["--from", str(ROOT), "wxo-mcp", "serve"]


def test_project_is_for_vscode_only(run_cli, home):
    result = run_cli("install", "cursor", "--project", str(home))
    assert result.code == 2
    assert "--project is for vscode" in result.err


def test_bad_setting_is_refused_before_writing(run_cli, home):
    result = run_cli("install", "cursor", "--tools", "everything")
    assert result.code == 2
    assert "--tools must be" in result.err  # named as typed (issue 17), not WXO_TOOLS
    assert not target("cursor", home).exists()


def test_flags_for_settings_but_never_for_secrets():
    _, fields = _parser()
    secrets = {"token", "api_key", "password", "mcp_token", "state_key"}
    serving = {"transport", "host", "port"}
    assert set(fields["install"]) == set(FIELDS) - secrets - serving


def test_help_names_the_hosts_and_the_secret_variables(run_cli):
    result = run_cli("install", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    for host in ("claude-desktop", "cursor", "vscode", "claude-code"):
        assert host in text
    for var in ("WXO_API_KEY", "WXO_TOKEN", "WXO_PASSWORD", "[env WXO_URL]"):
        assert var in text


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_installed_entry_starts_a_working_server(tmp_path, mode):
    """The console script writes Cursor's file; the entry, started as a host would, answers."""
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}
    script = Path(ROOT) / ".venv" / "bin" / "wxo-mcp"
    if not script.exists():
        pytest.skip("no .venv in this checkout")
    await anyio.run_process([script, "install", "cursor", "--simulator"], env=env, cwd=tmp_path)
    entry = read(tmp_path / ".cursor" / "mcp.json")["mcpServers"]["orchestrate"]
    params = StdioServerParameters(
        command=entry["command"],
        args=entry["args"],
        env={**entry.get("env", {}), "HOME": str(tmp_path)},  # a host's minimal environment
        cwd="/",
    )
    async with Client(params, mode=mode) as client:
        result = await client.call_tool("echo_agent", {"message": "installed"})
    assert (result.structured_content or {})["text"] == "Echo (turn 1): installed"


def test_file_settings_become_absolute(run_cli, home, monkeypatch):
    (home / "work").mkdir()
    monkeypatch.chdir(home / "work")
    result = run_cli("install", "cursor", "--token-file", "token.txt", "--print")
    assert result.code == 0, result.err
    env = json.loads(result.out)["mcpServers"]["orchestrate"]["env"]
    assert env["WXO_TOKEN_FILE"] == str(home / "work" / "token.txt")


def test_simulator_entry_carries_no_secrets(run_cli, home):
    result = run_cli("install", "claude-desktop", "--simulator", env={"WXO_API_KEY": API_KEY})
    assert result.code == 0, result.err
    entry = read(target("claude-desktop", home))["mcpServers"]["orchestrate"]
    assert entry["args"][-2:] == ["serve", "--simulator"]
    assert "env" not in entry


def test_run_from_uvx_cache_installs_uvx(run_cli, home, monkeypatch):
    """A wxo-mcp in uv's throw-away cache would vanish: the entry runs uvx instead."""
    if shutil.which("uvx") is None:
        pytest.skip("uvx is not installed")
    monkeypatch.setattr(sys, "prefix", str(home / ".cache/uv/archive-v0/abc123"))
    result = run_cli("install", "cursor", "--print")
    entry = json.loads(result.out)["mcpServers"]["orchestrate"]
    assert Path(entry["command"]).name.startswith("uvx")
    assert entry["args"] == ["--from", "wxo-mcp", "wxo-mcp", "serve"]


def test_printed_commands_on_windows():
    launch = Launch(
        "C:\\Users\\u\\.local\\bin\\wxo-mcp.exe", ("serve",), {"WXO_URL": URL}, ("WXO_API_KEY",)
    )
    line = claude_mcp_add("orchestrate", launch, "win32")
    assert "--env WXO_API_KEY=$env:WXO_API_KEY" in line  # PowerShell reads it when run
    assert line.endswith("orchestrate -- C:\\Users\\u\\.local\\bin\\wxo-mcp.exe serve")
    code = code_add_mcp("orchestrate", launch, "win32")
    assert code.startswith("code --add-mcp ") and "WXO_API_KEY" not in code
