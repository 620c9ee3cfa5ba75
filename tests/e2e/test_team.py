"""Serving a team over HTTP: stateless mode, /healthz, Host names, session hygiene, slow clients,
the state key and the start-up refusals, against ``wxo-mcp serve --transport http`` processes."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.e2e.http_servers import HttpServers, serve_once
from tests.e2e.test_http import CLIENT_TOKEN, INITIALIZE, MCP_HEADERS
from tests.helpers import data

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

STATE_KEY = "a-state-key-of-at-least-32-bytes-0123456789"


@pytest.fixture
def servers(simulator: Any, tmp_path: Path) -> Iterator[HttpServers]:
    group = HttpServers(simulator, tmp_path)
    yield group
    group.close()


def port_of(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


async def test_stateless_serves_both_eras_without_sessions(servers, mode):
    url = servers.start("--stateless")
    async with httpx.AsyncClient(timeout=10) as http:
        opened = await http.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert opened.status_code == 200
    assert "mcp-session-id" not in opened.headers
    async with Client(url, mode=mode) as client:
        first = data(await client.call_tool("echo_agent", {"message": "one"}))
        second = data(
            await client.call_tool(
                "ask_agent",
                {"agent": "echo_agent", "message": "two", "thread_id": first["thread_id"]},
            )
        )
    assert second["text"] == "Echo (turn 2): two"


def test_healthz_needs_no_token_calls_nothing_and_says_nothing(servers, simulator):
    url = servers.start(env={"WXO_MCP_TOKEN": CLIENT_TOKEN})
    health = url.removesuffix("/mcp") + "/healthz"
    before = len(simulator.requests)
    for headers in ({}, {"Host": "10.1.2.3:8000"}, {"Authorization": "Bearer wrong"}):
        answer = httpx.get(health, headers=headers, timeout=10)
        assert answer.status_code == 200, headers
        assert answer.json() == {"status": "ok"}
        assert answer.headers["content-type"] == "application/json"
        assert "server" not in answer.headers
    assert len(simulator.requests) == before  # no upstream call
    assert httpx.post(url, json=INITIALIZE, headers=MCP_HEADERS, timeout=10).status_code == 401


def test_host_names_any_case_with_or_without_port(servers):
    url = servers.start(env={"WXO_MCP_ALLOWED_HOSTS": "mcp.example.com,wxo-upstream"})
    port = port_of(url)

    def status(**headers: str) -> int:
        reply = httpx.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **headers}, timeout=10)
        return reply.status_code

    for host in ("localhost", f"LOCALHOST:{port}", "127.0.0.1", f"[::1]:{port}", "Localhost."):
        assert status(Host=host) == 200, host
    for host in ("MCP.Example.com", "mcp.example.com:443", "wxo-upstream"):
        assert status(Host=host) == 200, host
    for host in ("evil.example", f"evil.example:{port}", "mcp.example.com.evil.example"):
        assert status(Host=host) == 421, host
    assert status(Origin="https://MCP.example.com") == 200
    assert status(Origin=f"http://localhost:{port}") == 200
    for origin in ("https://evil.example", "null", "file://"):
        assert status(Origin=origin) == 403, origin


def test_sessions_are_capped_per_client_and_expire_when_idle(servers):
    url = servers.start(
        env={"WXO_MCP_MAX_CLIENT_SESSIONS": "3", "WXO_MCP_SESSION_IDLE_TIMEOUT": "2"}
    )
    with httpx.Client(timeout=10, headers=MCP_HEADERS) as http:
        sessions = []
        for _ in range(3):
            opened = http.post(url, json=INITIALIZE)
            assert opened.status_code == 200
            sessions.append(opened.headers["mcp-session-id"])
        refused = http.post(url, json=INITIALIZE)
        assert refused.status_code == 503
        assert "Too many open sessions from this client" in refused.json()["error"]["message"]
        # A session the client closes frees its place at once.
        closed = http.delete(url, headers={"mcp-session-id": sessions.pop()})
        assert closed.status_code in (200, 204)
        assert http.post(url, json=INITIALIZE).status_code == 200
        # Idle sessions expire after WXO_MCP_SESSION_IDLE_TIMEOUT, freeing their places.
        time.sleep(5)
        gone = http.post(
            url,
            json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            headers={"mcp-session-id": sessions[0], "mcp-protocol-version": "2025-11-25"},
        )
        assert gone.status_code == 404
        for _ in range(3):
            assert http.post(url, json=INITIALIZE).status_code == 200


def _drip(port: int, payload: bytes, every: float, limit: float) -> tuple[float, bytes]:
    """Send ``payload`` one byte every ``every`` s; when the server closes, return how long
    that took and what it answered (or fail after ``limit`` s)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
        for byte in payload:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            sock.settimeout(every)
            try:
                answer = sock.recv(4096)
            except TimeoutError:
                if time.monotonic() - started > limit:
                    raise AssertionError("the slow client was never cut off") from None
                continue
            return time.monotonic() - started, answer
    raise AssertionError("the whole request went through")


def test_a_slow_client_is_cut_off(servers):
    url = servers.start(env={"WXO_MCP_REQUEST_TIMEOUT": "3"})
    port = port_of(url)
    headers = f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Padding: {'a' * 40}\r\n"
    took, answer = _drip(port, headers.encode(), every=2, limit=40)
    assert answer.startswith(b"HTTP/1.1 408")
    assert 2.5 < took < 25  # cut at 3 s; sending it all would take 2 s a byte
    # The body too: headers at once, then a byte every 2 s.
    body = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {}}'
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json, text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        closed = False
        for byte in body:
            try:
                sock.sendall(bytes([byte]))
                sock.settimeout(2)
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
            closed = True  # an answer (408) before the body was whole
            break
    assert closed and time.monotonic() - started < 25
    # A client that sends its request at once is not affected.
    assert httpx.post(url, json=INITIALIZE, headers=MCP_HEADERS, timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WXO_MCP_TOKEN": "   "}, "WXO_MCP_TOKEN is set but holds only whitespace"),
        ({"WXO_MCP_STATE_KEY": "short"}, "WXO_MCP_STATE_KEY must be at least 32 bytes"),
        ({"WXO_MCP_ALLOWED_HOSTS": "https://mcp.example.com/"}, "WXO_MCP_ALLOWED_HOSTS must be"),
    ],
)
def test_start_up_refusals(simulator, tmp_path, env, message):
    result = serve_once(simulator, tmp_path, "--port", "0", env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "short" not in result.stderr.replace("short:", "")


def test_state_key_file_problems_stop_the_start(simulator, tmp_path):
    short = tmp_path / "short.key"
    short.write_text("not-32-bytes\n")
    for env in (
        {"WXO_MCP_STATE_KEY_FILE": str(short)},
        {"WXO_MCP_STATE_KEY_FILE": str(tmp_path / "missing.key")},
        {"WXO_MCP_STATE_KEY_FILE": str(short), "WXO_MCP_STATE_KEY": STATE_KEY},
    ):
        result = serve_once(simulator, tmp_path, "--port", "0", env=env)
        assert result.returncode == 2, (env, result.stderr)
        assert "WXO_MCP_STATE_KEY" in result.stderr
        assert "not-32-bytes" not in result.stderr
        assert STATE_KEY not in result.stderr


async def test_plain_http_and_an_empty_client_token_are_named(servers, tmp_path):
    url = servers.start(env={"WXO_IAM_URL": "http://iam.example.com", "WXO_MCP_TOKEN": ""})
    log = servers.logs[0].read_text()
    assert "WXO_IAM_URL http://iam.example.com uses plain HTTP to another machine" in log
    assert "WXO_MCP_TOKEN is set but empty, so HTTP clients are NOT authenticated" in log
    assert "WXO_URL http://127.0.0.1" not in log  # the loopback simulator is fine
    async with Client(url, mode="auto") as client:
        assert (await client.list_tools()).tools
