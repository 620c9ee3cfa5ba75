"""What the subcommands share: settings from flags, the built-in simulator, logging, a bridge.

The ``agents`` and ``ask`` commands go through the very objects the server uses (the Orchestrate
client, the bridge and its agent catalog), so what they show is what a host would see.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio

from wxo_mcp.api import OrchestrateClient
from wxo_mcp.auth import make_token_provider
from wxo_mcp.bridge.service import Bridge
from wxo_mcp.config import Settings

__all__ = [
    "SIMULATOR_TOKEN",
    "configure_logging",
    "open_bridge",
    "open_client",
    "overrides_from",
    "print_err",
    "settings_from",
    "table",
]

SIMULATOR_TOKEN = "simulator-token"  # noqa: S105 - not a secret: the built-in simulator's own


def overrides_from(args: argparse.Namespace, fields: Sequence[str]) -> dict[str, Any]:
    """The settings given as flags (keyed by field name); flags not given are left out."""
    return {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}


@contextlib.contextmanager
def settings_from(
    args: argparse.Namespace, fields: Sequence[str], **forced: object
) -> Iterator[Settings]:
    """Settings from flags > environment > ADK files; with ``--simulator``, a simulator too.

    The simulator (uvicorn on 127.0.0.1 in a background thread) lives as long as the block and
    replaces the URL and token, so anyone can try wxo-mcp without an Orchestrate account.
    """
    overrides: dict[str, object] = {**overrides_from(args, fields), **forced}
    with contextlib.ExitStack() as stack:
        if getattr(args, "simulator", False):
            from wxo_mcp.simulator import Simulator, SimulatorOptions

            sim = stack.enter_context(Simulator(SimulatorOptions(token=SIMULATOR_TOKEN)))
            overrides.update(url=sim.url, token=SIMULATOR_TOKEN, deployment="local")
        settings = Settings.load(overrides=overrides)
        configure_logging(settings.log_level)
        yield settings


def configure_logging(level: str) -> None:
    """Logs go to stderr (stdout is the MCP wire in stdio mode, and the answer in ``ask``)."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.WARNING),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@asynccontextmanager
async def open_client(settings: Settings, **options: Any) -> AsyncIterator[OrchestrateClient]:
    """An Orchestrate client with the token provider the settings call for."""
    async with OrchestrateClient(settings, make_token_provider(settings), **options) as client:
        yield client


@asynccontextmanager
async def open_bridge(
    settings: Settings, client: OrchestrateClient | None = None
) -> AsyncIterator[Bridge]:
    """A bridge as the server builds it, for one command; its runs end with the block."""
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(open_client(settings))
        tg = await stack.enter_async_context(anyio.create_task_group())
        try:
            yield Bridge(settings, client, tg)
        finally:
            tg.cancel_scope.cancel()


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """A plain text table: columns padded to their widest cell, the last one left ragged."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).ljust(w) for c, w in zip(cells, widths, strict=False)]
        return (indent + "  ".join([*padded, str(cells[-1])])).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def print_err(text: str) -> None:
    """A line for the person at the terminal (stderr: stdout may be piped)."""
    print(text, file=sys.stderr, flush=True)
