"""Spawning ``wxo-mcp`` over stdio with a real MCP client, in both protocol eras."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture(params=["legacy", "auto"])
def mode(request: pytest.FixtureRequest) -> str:
    """``legacy`` is the 2025 handshake Claude Desktop speaks; ``auto`` negotiates 2026-07-28."""
    return str(request.param)


def server_params(url: str, token: str, env: Mapping[str, object] = ()) -> StdioServerParameters:  # type: ignore[assignment]
    base = {"WXO_URL": url, "WXO_TOKEN": token, "PYTHONPATH": ROOT, "WXO_LOG_LEVEL": "WARNING"}
    base.update({k: str(v) for k, v in dict(env).items()})
    return StdioServerParameters(
        command=sys.executable, args=["-m", "wxo_mcp", "serve"], env=base, cwd=ROOT
    )


@pytest.fixture
def connect(simulator: Any, mode: str) -> Connect:
    """``async with connect(env={...}, **client_options) as client``: a fresh server over stdio."""

    @asynccontextmanager
    async def _connect(
        env: Mapping[str, object] | None = None, **options: Any
    ) -> AsyncIterator[Client]:
        options.setdefault("mode", mode)
        async with Client(
            server_params(simulator.url, simulator.token, env or {}), **options
        ) as client:
            yield client

    return _connect
