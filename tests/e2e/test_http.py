"""End to end over streamable HTTP: ``wxo-mcp serve --transport http`` in a subprocess.

A real ``mcp.Client`` calls a tool over ``/mcp`` in both protocol eras; raw requests check the
guards: DNS-rebinding protection (421), the refused remote bind (exit 2), and the client token
(401 without it or with a wrong one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.http_servers import HttpServers, command_env, serve_once

__all__ = ["command_env", "start_http"]  # other test modules import these from here

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

CLIENT_TOKEN = "client-token-for-tests-0123456789"
ANY = "0.0.0.0"  # noqa: S104 - binding to every interface is what these tests are about
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}

Start = Callable[..., str]


@pytest.fixture
def start_http(simulator: Any, tmp_path: Path) -> Iterator[Start]:
    """``start_http(*flags, env={...})``: serve over HTTP on a free port; returns the /mcp URL."""
    servers = HttpServers(simulator, tmp_path)
    yield servers.start
    servers.close()


def with_token(url: str, token: str, mode: str = "auto") -> Client:
    client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(url, http_client=client), mode=mode)


async def test_call_over_http(start_http, mode):
    url = start_http()
    assert url.startswith("http://127.0.0.1:")
    async with Client(url, mode=mode) as client:
        # Hosts are told tool lists change (the server re-reads agents), in both eras.
        caps = client.server_capabilities
        assert caps is not None and caps.tools is not None
        assert caps.tools.list_changed is True
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"echo_agent", "list_agents", "ask_agent", "get_run"} <= names
        first = await client.call_tool("echo_agent", {"message": "hello"})
        assert not first.is_error
        data = first.structured_content or {}
        assert data["status"] == "completed"
        assert data["text"] == "Echo (turn 1): hello"
        second = await client.call_tool(
            "ask_agent",
            {"agent": "echo_agent", "message": "again", "thread_id": data["thread_id"]},
        )
        assert (second.structured_content or {})["text"] == "Echo (turn 2): again"


async def test_serve_simulator_over_http(start_http):
    url = start_http("--simulator", env={"WXO_URL": "", "WXO_TOKEN": ""})
    async with Client(url, mode="legacy") as client:
        result = await client.call_tool("echo_agent", {"message": "hi"})
    assert (result.structured_content or {})["text"] == "Echo (turn 1): hi"


def test_foreign_host_header_is_refused(start_http):
    url = start_http()
    port = url.split(":")[2].split("/")[0]
    ok = httpx.post(url, json=INITIALIZE, headers=MCP_HEADERS, timeout=10)
    assert ok.status_code == 200
    rebound = httpx.post(
        url,
        json=INITIALIZE,
        headers={**MCP_HEADERS, "Host": f"evil.example:{port}"},
        timeout=10,
    )
    assert rebound.status_code == 421
    foreign_origin = httpx.post(
        url,
        json=INITIALIZE,
        headers={**MCP_HEADERS, "Origin": "https://evil.example"},
        timeout=10,
    )
    assert foreign_origin.status_code == 403


@pytest.mark.parametrize(
    ("flags", "env", "missing"),
    [
        (["--host", ANY], {}, ["--allow-remote", "WXO_MCP_TOKEN"]),
        (["--host", ANY, "--allow-remote"], {}, ["WXO_MCP_TOKEN"]),
        (["--host", ANY], {"WXO_MCP_TOKEN": CLIENT_TOKEN}, ["--allow-remote"]),
    ],
)
def test_remote_bind_is_refused(simulator, tmp_path, flags, env, missing):
    started = time.monotonic()
    result = serve_once(simulator, tmp_path, "--port", "0", *flags, env=env)
    assert result.returncode == 2, result.stderr
    assert "Refusing to serve MCP on 0.0.0.0" in result.stderr
    fix = result.stderr.split("Use --host 127.0.0.1", 1)[1]
    for word in missing:
        assert word in fix
    assert result.stdout == ""
    assert CLIENT_TOKEN not in result.stderr
    assert time.monotonic() - started < 50


def test_port_in_use_is_a_clear_error(simulator, tmp_path):
    port = simulator.url.rsplit(":", 1)[1]
    result = serve_once(simulator, tmp_path, "--port", port)
    assert result.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Pick another --port" in result.stderr


async def test_remote_bind_requires_the_client_token(start_http, mode):
    url = start_http("--host", ANY, "--allow-remote", env={"WXO_MCP_TOKEN": CLIENT_TOKEN})
    assert url.startswith(f"http://{ANY}:")
    url = url.replace(ANY, "127.0.0.1")
    async with httpx.AsyncClient(timeout=10) as http:
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": f"Bearer {CLIENT_TOKEN}x"},
            {"Authorization": f"Basic {CLIENT_TOKEN}"},
            {"Authorization": CLIENT_TOKEN},
        ):
            refused = await http.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **headers})
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert CLIENT_TOKEN not in refused.text
    async with with_token(url, CLIENT_TOKEN, mode) as client:
        result = await client.call_tool("echo_agent", {"message": "remote"})
    assert (result.structured_content or {})["text"] == "Echo (turn 1): remote"


async def test_loopback_with_a_client_token_requires_it_too(start_http, mode):
    url = start_http(env={"WXO_MCP_TOKEN": CLIENT_TOKEN})
    async with httpx.AsyncClient(timeout=10) as http:
        refused = await http.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert refused.status_code == 401
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's error type for a 401 varies
        async with with_token(url, "wrong", mode) as client:
            await client.list_tools()
    async with with_token(url, CLIENT_TOKEN, mode) as client:
        tools = await client.list_tools()
    assert any(t.name == "echo_agent" for t in tools.tools)
