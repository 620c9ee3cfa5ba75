"""ASGI and protocol guards around the MCP app, for serving many clients at once.

- ``HealthCheck``: ``GET /healthz`` answers ``200 {"status": "ok"}`` before any other rule, so a
  load balancer or Kubernetes probe needs neither the client token nor a known ``Host`` (a probe
  sends the pod's IP), and the answer says nothing about the configuration.
- ``HostGuard``: DNS-rebinding protection by host *name*: any port, any letter case, with or
  without a port (``Host: localhost``), plus the public names of ``WXO_MCP_ALLOWED_HOSTS``. The
  SDK's own check wants exact ``name:port`` strings, which is what made ``Host: localhost`` and
  ``LOCALHOST:8000`` fail; it is switched off where this guard is on.
- ``ClientSessionCap``: the SDK caps open 2025-era sessions per *process* (10,000), so one client
  that opens sessions and never closes them locks every other client out. This caps them per
  client (the connecting address, which uvicorn takes from ``X-Forwarded-For`` only when the peer
  is a trusted proxy); the SDK's idle timeout frees them.
- ``deadline_protocol``: uvicorn has no header or body read timeout, so a client sending a byte
  every few seconds holds a connection for as long as it likes. Each request must arrive whole
  (headers and body) within ``WXO_MCP_REQUEST_TIMEOUT`` seconds of its first byte, or the
  connection is answered 408 and closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

import h11
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from wxo_mcp.config.serving import split_host_port

__all__ = ["HEALTH_PATH", "ClientSessionCap", "HealthCheck", "HostGuard", "deadline_protocol"]

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _answer(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HealthCheck:
    """``GET``/``HEAD /healthz`` → ``200 {"status": "ok"}``; everything else goes on."""

    _BODY = json.dumps({"status": "ok"}).encode()

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == HEALTH_PATH
            and scope["method"] in ("GET", "HEAD")
        ):
            await _answer(send, 200, self._BODY, b"application/json")
            return
        await self._app(scope, receive, send)


class HostGuard:
    """421 for a ``Host`` not among the allowed names, 403 for a foreign ``Origin``.

    ``names`` are lowercase ``host`` (any port) or ``host:port`` (that port only).
    """

    def __init__(self, app: ASGIApp, names: Iterable[str]) -> None:
        self._app = app
        self._any_port: set[str] = set()
        self._with_port: set[tuple[str, str]] = set()
        for name in names:
            host, port = split_host_port(name.lower())
            if port is None:
                self._any_port.add(host)
            else:
                self._with_port.add((host, port))

    def _allowed(self, host: str, port: str | None) -> bool:
        host = host.lower().rstrip(".")
        return host in self._any_port or (port is not None and (host, port) in self._with_port)

    def allows_host(self, value: str | None) -> bool:
        if not value:
            return False
        return self._allowed(*split_host_port(value.strip()))

    def allows_origin(self, value: str | None) -> bool:
        if value is None:  # not a browser (or same-origin): nothing to protect against
            return True
        try:
            parts = urlsplit(value.strip())
            port = parts.port
        except ValueError:
            return False
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return False  # includes the opaque origin "null"
        return self._allowed(parts.hostname, None if port is None else str(port))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = _header(scope, b"host")
            if not self.allows_host(host):
                log.warning(
                    "Refused a request with Host %r (421): not a name this server answers to; "
                    "list public names in WXO_MCP_ALLOWED_HOSTS.",
                    (host or "")[:100],
                )
                await _answer(send, 421, b"Invalid Host header", b"text/plain; charset=utf-8")
                return
            origin = _header(scope, b"origin")
            if not self.allows_origin(origin):
                log.warning("Refused a request from Origin %r (403).", (origin or "")[:100])
                await _answer(send, 403, b"Invalid Origin header", b"text/plain; charset=utf-8")
                return
        await self._app(scope, receive, send)


class ClientSessionCap:
    """At most ``limit`` open 2025-era sessions per client; past it, 503 for that client only.

    ``live()`` gives the session ids the SDK still holds, so sessions that ended (DELETE, idle
    timeout) stop counting without our having to see them end.
    """

    def __init__(self, app: ASGIApp, live: Callable[[], Collection[str]], limit: int) -> None:
        self._app = app
        self._live = live
        self._limit = limit
        self._sessions: dict[str, set[str]] = {}
        self._opening: dict[str, int] = {}

    @staticmethod
    def _opens_session(scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        if _header(scope, b"mcp-session-id") is not None:
            return False
        version = _header(scope, b"mcp-protocol-version")
        return version is None or version in HANDSHAKE_PROTOCOL_VERSIONS

    def _count(self, client: str) -> int:
        # Prune this client's ended sessions, and everyone's once many clients were seen (so
        # clients that never come back do not pile up).
        pruned = list(self._sessions) if len(self._sessions) > 1000 else [client]
        live = self._live()
        for key in pruned:
            owned = self._sessions.get(key)
            if owned is not None:
                owned.intersection_update(live)
                if not owned:
                    del self._sessions[key]
        return len(self._sessions.get(client, ())) + self._opening.get(client, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._opens_session(scope):
            await self._app(scope, receive, send)
            return
        peer: Any = scope.get("client")
        client = str(peer[0]) if peer else "?"
        if self._count(client) >= self._limit:
            log.warning(
                "Refused a new MCP session for %s: it has %d open (WXO_MCP_MAX_CLIENT_SESSIONS).",
                client,
                self._limit,
            )
            body = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {
                        "code": -32603,
                        "message": (
                            f"Too many open sessions from this client ({self._limit}): close "
                            "some (HTTP DELETE) or wait for idle ones to expire."
                        ),
                    },
                }
            ).encode()
            await _answer(send, 503, body, b"application/json")
            return

        opening = True  # counted in _opening until its session is known (or it fails)

        def settle() -> None:
            nonlocal opening
            if opening:
                opening = False
                self._opening[client] -= 1
                if not self._opening[client]:
                    del self._opening[client]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = next(
                    (bytes(v).decode() for k, v in message["headers"] if k == b"mcp-session-id"),
                    None,
                )
                if session is not None and message["status"] < 400:
                    self._sessions.setdefault(client, set()).add(session)
                settle()
            await send(message)

        self._opening[client] = self._opening.get(client, 0) + 1
        try:
            await self._app(scope, receive, watch)
        finally:
            settle()


_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 33\r\n"
    b"connection: close\r\n\r\nThe request took too long to send"
)


def deadline_protocol(timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with a deadline on reading each request (headers and body)."""

    class RequestDeadlineProtocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and self.conn.their_state is h11.IDLE:
                self._arm()  # the first byte of the next request on a kept-alive connection
            super().data_received(data)
            if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
                self._disarm()  # the request is in whole (or the connection is over)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(timeout, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            log.warning(
                "Closed a connection from %s: its request did not arrive whole within %g s "
                "(WXO_MCP_REQUEST_TIMEOUT).",
                self.client[0] if self.client else "?",
                timeout,
            )
            if self.conn.our_state is h11.IDLE:  # no response begun: say why
                self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    return RequestDeadlineProtocol
