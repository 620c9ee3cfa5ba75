"""The settings of serving for a team: host names, the state key ring, the start-up checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from wxo_mcp.config import Settings
from wxo_mcp.config.serving import (
    check_client_token,
    parse_host_names,
    plain_http_warnings,
    read_state_keys,
)
from wxo_mcp.errors import ConfigError
from wxo_mcp.http_guards import HostGuard

KEY = "k" * 32
OLD = "o" * 40


def load(environ: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.load(environ=environ, home=tmp_path)


def test_host_names_are_lowercased_and_checked():
    assert parse_host_names(" MCP.Example.com., wxo:8080 ,[::1]:9,") == [
        "mcp.example.com",
        "wxo:8080",
        "[::1]:9",
    ]
    for bad in ("https://mcp.example.com", "mcp.example.com/mcp", "*.example.com", "wxo:http"):
        with pytest.raises(ConfigError, match="WXO_MCP_ALLOWED_HOSTS"):
            parse_host_names(bad)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("localhost", True),
        ("LOCALHOST:8000", True),
        ("[::1]:8000", True),
        ("mcp.example.com", True),
        ("MCP.EXAMPLE.COM:443", True),
        ("wxo:8080", True),
        ("wxo:8081", False),
        ("wxo", False),
        ("example.com", False),
        ("", False),
    ],
)
def test_host_guard_matches_names_not_strings(host, allowed):
    guard = HostGuard(None, ["127.0.0.1", "localhost", "::1", "mcp.example.com", "wxo:8080"])  # type: ignore[arg-type]
    assert guard.allows_host(host) is allowed


def test_state_key_ring_from_the_environment_or_a_file(tmp_path):
    assert read_state_keys(load({}, tmp_path)) is None
    assert read_state_keys(load({"WXO_MCP_STATE_KEY": f" {KEY} , {OLD} "}, tmp_path)) == [KEY, OLD]
    key_file = tmp_path / "state.key"
    key_file.write_text(f"{KEY}\n{OLD}\n")
    assert read_state_keys(load({"WXO_MCP_STATE_KEY_FILE": str(key_file)}, tmp_path)) == [KEY, OLD]


def test_a_short_state_key_is_refused_without_showing_it(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load({"WXO_MCP_STATE_KEY": f"{KEY},tiny-secret"}, tmp_path)
    assert "at least 32 bytes" in str(refused.value)
    assert "tiny-secret" not in str(refused.value)
    assert "secrets.token_hex(32)" in str(refused.value)


def test_the_state_key_is_masked_when_shown(tmp_path):
    rows = {var: value for var, value, _ in load({"WXO_MCP_STATE_KEY": KEY}, tmp_path).describe()}
    assert KEY not in rows["WXO_MCP_STATE_KEY"]


@pytest.mark.parametrize("raw", [" ", "\t\n"])
def test_a_blank_client_token_is_refused(raw):
    with pytest.raises(ConfigError, match="only whitespace"):
        check_client_token({"WXO_MCP_TOKEN": raw})


def test_an_unset_or_real_client_token_passes_and_an_empty_one_is_warned_about():
    assert check_client_token({}) is None
    assert check_client_token({"WXO_MCP_TOKEN": "a-real-token"}) is None
    warning = check_client_token({"WXO_MCP_TOKEN": ""})
    assert warning is not None and "NOT authenticated" in warning


def test_plain_http_is_named_only_off_this_machine(tmp_path):
    remote = load(
        {"WXO_URL": "http://wxo.example.com:4321", "WXO_IAM_URL": "http://iam.example.com"},
        tmp_path,
    )
    found = plain_http_warnings(remote)
    assert [w.split(" ")[0] for w in found] == ["WXO_URL", "WXO_IAM_URL"]
    for url in ("http://localhost:4321", "http://127.0.0.1:4321", "http://[::1]:1", "https://x.io"):
        assert plain_http_warnings(load({"WXO_URL": url}, tmp_path)) == []


def test_task_ids_are_sealed_with_the_state_key_shared_by_every_replica(tmp_path):
    from tests.bridge.test_task_ids import REF
    from wxo_mcp.bridge.task_ids import TaskCodec, task_secret

    def secret(environ: dict[str, str]) -> bytes:
        settings = load(environ, tmp_path)
        return task_secret(settings, read_state_keys(settings))

    shared = {"WXO_MCP_TOKEN": "client-token", "WXO_MCP_STATE_KEY": f"{KEY},{OLD}"}
    task_id = TaskCodec(secret(shared)).encode(REF, "caller")
    assert TaskCodec(secret(shared)).decode(task_id, "caller") == REF  # another replica
    # The newest state key seals, not the client token that anyone holding it knows.
    assert secret(shared) == KEY.encode()
    assert TaskCodec(secret({"WXO_MCP_TOKEN": "client-token"})).decode(task_id, "caller") is None
