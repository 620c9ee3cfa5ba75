"""Serving MCP over streamable HTTP at ``/mcp``: who may bind where, and who may call.

The SDK's app does the protocol; this module adds the rules around it:

- **Loopback by default**, with the SDK's DNS-rebinding protection (a request whose ``Host`` is not
  a loopback name gets 421), so a web page in the user's browser cannot drive the server.
- **A non-loopback bind is refused** unless both ``--allow-remote`` and ``WXO_MCP_TOKEN`` are
  given: every HTTP client shares the one Orchestrate identity of this process, so a server
  reachable from the network must not be open to anyone who finds the port.
- **With ``WXO_MCP_TOKEN`` set** (anywhere), every request must carry
  ``Authorization: Bearer <token>``; anything else gets 401. The comparison takes the same time
  whatever the guess, so the token cannot be learnt byte by byte.

We bind the listening socket ourselves (rather than letting uvicorn do it) so a port in use is an
ordinary error for the CLI to report, not uvicorn's ``sys.exit`` from deep inside, and so the real
port of ``--port 0`` is known.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import sys
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from wxo_mcp.errors import ConfigError
from wxo_mcp.http_guards import ClientSessionCap, HealthCheck, HostGuard, deadline_protocol

if TYPE_CHECKING:
    from mcp.server import MCPServer

    from wxo_mcp.config import Settings

__all__ = [
    "MCP_PATH",
    "BearerTokenMiddleware",
    "allowed_host_names",
    "build_app",
    "check_bind",
    "endpoint_url",
    "is_loopback",
    "serve_http",
]

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, allow_remote: bool) -> None:
    """Refuse a non-loopback bind unless the user asked for it and set a client token."""
    if is_loopback(settings.host):
        return
    missing = []
    if not allow_remote:
        missing.append("the --allow-remote flag")
    if settings.mcp_token is None or not settings.mcp_token.get_secret_value():
        missing.append("WXO_MCP_TOKEN (a secret every HTTP client must then present)")
    if missing:
        raise ConfigError(
            f"Refusing to serve MCP on {settings.host}, which is reachable from other machines: "
            "every HTTP client would act with this server's Orchestrate identity.",
            "Use --host 127.0.0.1 (the default), or set " + " and ".join(missing) + ".",
        )


def allowed_host_names(settings: Settings) -> list[str] | None:
    """The names a ``Host``/``Origin`` may carry (any port), or None for no check.

    A loopback bind answers to the loopback names, its own address and ``WXO_MCP_ALLOWED_HOSTS``.
    A remote bind is reached under names we cannot know, so it is checked only when
    ``WXO_MCP_ALLOWED_HOSTS`` names them; otherwise the client token is the protection.
    """
    if not is_loopback(settings.host) and not settings.allowed_hosts:
        return None
    bind = settings.host.strip().strip("[]").lower()
    names = [*_LOOPBACK_NAMES, *settings.allowed_hosts]
    if bind not in ("0.0.0.0", "::"):  # noqa: S104 - a wildcard is not a name anyone sends
        names.append(bind)
    return names


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


class BearerTokenMiddleware:
    """ASGI middleware: HTTP requests must carry ``Authorization: Bearer <token>``, else 401.

    Both sides are hashed before the constant-time comparison, so neither the content nor the
    length of the token leaks through timing.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._expected = _digest(token.encode())

    def _allowed(self, scope: Scope) -> bool:
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                scheme, _, credentials = value.partition(b" ")
                if scheme.lower() != b"bearer":
                    return False
                return hmac.compare_digest(_digest(credentials.strip()), self._expected)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(scope):
            await self._app(scope, receive, send)
            return
        log.warning(
            "Refused an HTTP request to %s without the right bearer token (WXO_MCP_TOKEN).",
            scope.get("path", "?"),
        )
        body = json.dumps(
            {
                "error": "unauthorized",
                "error_description": (
                    "This MCP server requires 'Authorization: Bearer <token>' with the token "
                    "set in its WXO_MCP_TOKEN."
                ),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="wxo-mcp"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def build_app(server: MCPServer[Any], settings: Settings) -> ASGIApp:
    """The SDK's streamable HTTP app for ``server``, inside our guards (outermost last):
    the per-client session cap, the Host/Origin check, the client token, ``/healthz``."""
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=settings.stateless,
        session_idle_timeout=settings.session_idle_timeout,
        # Off: HostGuard does it by name; the SDK's check wants exact name:port strings.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        host=settings.host,
    )
    if not settings.stateless:
        manager = server.session_manager
        app = ClientSessionCap(app, lambda: _live_sessions(manager), settings.max_client_sessions)
    names = allowed_host_names(settings)
    if names is not None:
        app = HostGuard(app, names)
    token = settings.mcp_token.get_secret_value() if settings.mcp_token else ""
    if token:
        app = BearerTokenMiddleware(app, token)
    return HealthCheck(app)


def _live_sessions(manager: Any) -> Collection[str]:
    """The session ids the SDK's manager holds (a private attribute of mcp 2.x, read-only here;
    tests/e2e/test_team.py fails if it goes away)."""
    sessions: Collection[str] = manager._server_instances
    return sessions


def _bind(host: str, port: int) -> socket.socket:
    """A bound TCP socket; a taken port or unknown address becomes a ConfigError."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, IndexError) as exc:
        raise ConfigError(
            f"Cannot serve on host {host!r}: {exc}.", "Check --host / WXO_MCP_HOST."
        ) from None
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
            "Pick another --port (WXO_MCP_PORT), or stop what is using it.",
        ) from None
    sock.set_inheritable(True)
    return sock


def endpoint_url(host: str, port: int) -> str:
    """The URL clients use for a bind address (``0.0.0.0`` is shown as itself: the user knows)."""
    name = host.strip().strip("[]")
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}{MCP_PATH}"


async def serve_http(
    server: MCPServer[Any],
    settings: Settings,
    *,
    allow_remote: bool,
    ready: Callable[[str], None],
) -> bool:
    """Serve until interrupted; ``ready(url)`` is called once the socket accepts connections.

    Returns whether serving started at all (uvicorn logs why when it did not).
    """
    import uvicorn

    check_bind(settings, allow_remote)
    sock = _bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        build_app(server, settings),
        log_config=None,  # our logging (stderr) stays in charge; uvicorn's would use stdout
        log_level=settings.log_level.lower(),
        access_log=settings.log_level in ("DEBUG", "INFO"),
        lifespan="on",
        http=deadline_protocol(settings.request_timeout),
        server_header=False,  # no software banner (a health probe, a scanner, learns nothing)
    )
    userver = uvicorn.Server(config)

    async def announce() -> None:
        while not userver.started:
            if userver.should_exit:
                return
            await anyio.sleep(0.02)
        ready(endpoint_url(settings.host, port))

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(announce)
            await userver.serve(sockets=[sock])
            tg.cancel_scope.cancel()
    finally:
        sock.close()
    return bool(userver.started)
