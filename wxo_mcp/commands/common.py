"""What the subcommands share: settings from flags, the built-in simulator, logging, a bridge.

The ``agents`` and ``ask`` commands go through the very objects the server uses (the Orchestrate
client, the bridge and its agent catalog), so what they show is what a host would see.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
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
    "simulator_threads_file",
    "table",
    "typed_flags",
]

SIMULATOR_TOKEN = "simulator-token"  # noqa: S105 - not a secret: the built-in simulator's own


def overrides_from(args: argparse.Namespace, fields: Sequence[str]) -> dict[str, Any]:
    """The settings given as flags (keyed by field name); flags not given are left out."""
    return {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}


def typed_flags(args: argparse.Namespace, fields: Sequence[str]) -> list[str]:
    """The setting flags as given (``["--url", "http://…", …]``), with ``--simulator`` if used,
    to print a command the user can run again."""
    names: dict[str, str] = getattr(args, "flag_names", None) or {}
    words = ["--simulator"] if getattr(args, "simulator", False) else []
    for field, value in overrides_from(args, fields).items():
        words += [names.get(field, "--" + field.replace("_", "-")), str(value)]
    return words


def simulator_threads_file() -> Path:
    """Where ``--simulator`` commands keep the built-in simulator's threads between runs:
    ``$XDG_CACHE_HOME/wxo-mcp/`` (``~/.cache/wxo-mcp/`` when that is unset or relative)."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
    return base / "wxo-mcp" / "simulator-threads.json"


@contextlib.contextmanager
def settings_from(
    args: argparse.Namespace,
    fields: Sequence[str],
    *,
    keep_threads: bool = False,
    **forced: object,
) -> Iterator[Settings]:
    """Settings from flags > environment > ADK files; with ``--simulator``, a simulator too.

    The simulator (uvicorn on 127.0.0.1 in a background thread) lives as long as the block and
    replaces the URL and token, so anyone can try wxo-mcp without an Orchestrate account. With
    ``keep_threads`` its threads are kept in :func:`simulator_threads_file` between commands.
    """
    overrides: dict[str, object] = {**overrides_from(args, fields), **forced}
    simulated = ("url", "token", "deployment")
    with contextlib.ExitStack() as stack:
        if getattr(args, "simulator", False):
            from wxo_mcp.simulator import Simulator, SimulatorOptions

            threads = simulator_threads_file() if keep_threads else None
            options = SimulatorOptions(token=SIMULATOR_TOKEN, threads_file=threads)
            sim = stack.enter_context(Simulator(options))
            overrides.update(dict(zip(simulated, (sim.url, SIMULATOR_TOKEN, "local"), strict=True)))
        settings = Settings.load(overrides=overrides)
        if getattr(args, "simulator", False):
            # Not "flag": the user typed --simulator, not --url (and a token has no flag at all).
            settings._sources.update(dict.fromkeys(simulated, "--simulator"))
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
