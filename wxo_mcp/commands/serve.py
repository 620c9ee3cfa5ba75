"""``wxo-mcp serve``: MCP over stdio (what hosts launch) or streamable HTTP at ``/mcp``.

Serving never exits because Orchestrate is unreachable or credentials are missing: the server
starts and every tool result says what is wrong. Only malformed settings, or an HTTP bind the
rules refuse (see ``wxo_mcp.http_transport``), stop it at start.
"""

from __future__ import annotations

import argparse
import logging
import os

import anyio

from wxo_mcp.commands.common import print_err, settings_from
from wxo_mcp.http_transport import check_bind, serve_http
from wxo_mcp.serving_settings import check_client_token, plain_http_warnings

__all__ = ["run"]


def run(args: argparse.Namespace, fields: list[str]) -> int:
    with settings_from(args, fields) as settings:
        allow_remote = bool(args.allow_remote)
        warnings = plain_http_warnings(settings)
        if settings.transport == "http":
            warnings += filter(None, [check_client_token(os.environ)])
            check_bind(settings, allow_remote)  # refuse before building anything
        for warning in warnings:
            logging.getLogger("wxo_mcp").warning(warning)
        from wxo_mcp.server import build_server

        server = build_server(settings)
        if settings.transport == "http":

            def ready(url: str) -> None:
                print_err(f"wxo-mcp: serving MCP over streamable HTTP at {url}")

            started = anyio.run(
                lambda: serve_http(server, settings, allow_remote=allow_remote, ready=ready)
            )
            if not started:
                print_err("wxo-mcp: the HTTP server did not start (see the log lines above).")
                return 1
        else:
            server.run()
    return 0
