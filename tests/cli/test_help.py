"""``--help`` everywhere, naming each flag's environment variable."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from wxo_mcp.cli import _parser
from wxo_mcp.config import FIELDS

COMMANDS = ["serve", "agents", "ask", "doctor", "install", "demo", "simulator"]
SECRETS = {"WXO_TOKEN", "WXO_API_KEY", "WXO_PASSWORD", "WXO_MCP_TOKEN", "WXO_MCP_STATE_KEY"}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser, _ = _parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command(run_cli, command):
    result = run_cli(command, "--help")
    assert result.code == 0
    assert result.out.startswith(f"usage: wxo-mcp {command}")
    text = " ".join(result.out.split())
    for action in subcommands()[command]._actions:
        if action.dest in FIELDS:  # a settings flag names its variable
            assert f"[env {FIELDS[action.dest][0]}]" in text, action.option_strings
    if command in ("serve", "agents", "ask", "doctor"):
        assert "--simulator" in text
        assert all(secret in text for secret in SECRETS)  # secrets: environment only


@pytest.mark.parametrize("command", ["serve", "doctor"])
def test_every_non_secret_setting_has_a_flag(command):
    parser = subcommands()[command]
    dests = {a.dest for a in parser._actions}
    for field, (var, _) in FIELDS.items():
        assert (field in dests) != (var in SECRETS), field


def test_no_secret_flags():
    for parser in subcommands().values():
        for action in parser._actions:
            assert action.dest not in ("token", "api_key", "password", "mcp_token", "state_key")


def test_top_level_help_lists_the_commands(run_cli):
    result = run_cli("--help")
    assert result.code == 0
    for command in COMMANDS:
        assert command in result.out


def test_console_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "wxo_mcp", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("wxo-mcp ")
