"""``wxo-mcp serve`` / bare ``wxo-mcp``: stdio by default, the built-in simulator, bind rules."""

from __future__ import annotations

import sys

import pytest
from mcp import Client, StdioServerParameters

from tests.e2e.conftest import ROOT
from tests.e2e.test_http import ANY
from wxo_mcp.config import Settings
from wxo_mcp.errors import ConfigError
from wxo_mcp.http_transport import allowed_host_names, check_bind, endpoint_url, is_loopback


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize("argv", [["--simulator"], ["serve", "--simulator"]])
async def test_stdio_against_the_built_in_simulator(tmp_path, mode, argv):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "wxo_mcp", *argv],
        env={"PYTHONPATH": ROOT, "HOME": str(tmp_path)},
        cwd=str(tmp_path),
    )
    async with Client(params, mode=mode) as client:
        assert {"echo_agent", "ask_agent"} <= {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("echo_agent", {"message": "hello"})
    assert (result.structured_content or {})["text"] == "Echo (turn 1): hello"


def test_malformed_flag_exits_2_before_serving(run_cli):
    result = run_cli("serve", "--transport", "carrier-pigeon")
    assert result.code == 2
    assert "--transport must be one of http, stdio" in result.err  # the flag typed


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_loopback_addresses(tmp_path, host, loopback):
    assert is_loopback(host) is loopback
    settings = Settings.load(environ={"WXO_MCP_HOST": host}, home=tmp_path)
    assert (allowed_host_names(settings) is not None) is loopback


def test_rebinding_protection_names_the_bound_loopback_address(tmp_path):
    names = allowed_host_names(Settings.load(environ={"WXO_MCP_HOST": "127.0.0.2"}, home=tmp_path))
    assert names is not None
    assert "127.0.0.2" in names
    assert "localhost" in names


def test_a_remote_bind_checks_hosts_once_they_are_named(tmp_path):
    environ = {"WXO_MCP_HOST": ANY, "WXO_MCP_ALLOWED_HOSTS": "MCP.example.com, wxo:8080"}
    names = allowed_host_names(Settings.load(environ=environ, home=tmp_path))
    assert names is not None
    assert {"mcp.example.com", "wxo:8080", "localhost"} <= set(names)
    assert ANY not in names


@pytest.mark.parametrize("token", ["", "a-client-token-0123456789"])
@pytest.mark.parametrize("allow", [False, True])
def test_remote_bind_needs_both_flag_and_token(tmp_path, token, allow):
    config = Settings.load(
        environ={"WXO_MCP_HOST": "10.1.2.3", "WXO_MCP_TOKEN": token}, home=tmp_path
    )
    if allow and token:
        check_bind(config, allow)
        return
    with pytest.raises(ConfigError) as refused:
        check_bind(config, allow)
    assert ("--allow-remote" in str(refused.value)) is not allow
    assert ("WXO_MCP_TOKEN" in str(refused.value)) is not bool(token)
    assert token not in str(refused.value) or not token


def test_loopback_bind_needs_nothing(tmp_path):
    check_bind(Settings.load(environ={}, home=tmp_path), allow_remote=False)


def test_endpoint_urls():
    assert endpoint_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/mcp"
    assert endpoint_url("::1", 8000) == "http://[::1]:8000/mcp"
