"""ConnectionPools: the pooled HTTP connections one OrchestrateClient speaks through.

Apart from the client because how connections are kept (sharded pools, different keep-alive
for reads and for run starts, TLS built off the event loop) is tuning of its own, measured in
bench/, and unrelated to what is said over them.
"""

from __future__ import annotations

import ssl

import anyio
import anyio.to_thread
import httpx2 as httpx

from wxo_mcp.auth.tls import tls_verify
from wxo_mcp.config import Settings

__all__ = ["ConnectionPools"]

USER_AGENT = "wxo-mcp/0.1"
#: Runs (streams) and reads in flight at once, and idle connections kept for the next burst.
MAX_CONNECTIONS = 1000
MAX_KEEPALIVE = 100
#: httpcore's pool walks all its connections whenever a request starts or ends, so with many runs
#: in flight its cost grows with their square (0.28 s of CPU for a burst of 100 runs). Several
#: independent pools, used in turn, keep each walk short.
POOL_SHARDS = 8
#: Seconds an idle connection is kept for reads: below common server timeouts (uvicorn 5 s). A
#: read that still meets a connection the server just closed is retried like any read.
KEEPALIVE_EXPIRY = 4.0
#: Seconds an idle connection is kept for starting runs. A run start is never re-sent once it
#: may have reached the server, so it must not meet a connection the server is closing: no
#: server drops a connection idle for less than this.
RUN_START_KEEPALIVE = 0.5


class ConnectionPools:
    """POOL_SHARDS pools for reads and as many for run starts, built on first use, used in turn."""

    def __init__(self, settings: Settings, timeout: httpx.Timeout) -> None:
        self._settings = settings
        self._timeout = timeout
        self._http: tuple[httpx.AsyncClient, ...] | None = None
        self._turn = 0
        self._closed = False
        self._lock = anyio.Lock()

    async def get(self, *, run_start: bool = False) -> httpx.AsyncClient:
        """The next pool in turn (of those kept for run starts if ``run_start``)."""
        if self._closed:
            raise RuntimeError("This OrchestrateClient is closed; create a new one.")
        if self._http is None:
            async with self._lock:
                if self._http is None:
                    self._http = await anyio.to_thread.run_sync(self._build_http)
        self._turn = (self._turn + 1) % POOL_SHARDS
        return self._http[self._turn + (POOL_SHARDS if run_start else 0)]

    async def aclose(self) -> None:
        """Close every pool; no pool can be had afterwards."""
        self._closed = True
        if self._http is not None:
            pools, self._http = self._http, None
            for http in pools:
                await http.aclose()

    def _build_http(self) -> tuple[httpx.AsyncClient, ...]:
        # Runs in a worker thread: building the TLS context reads CA files from disk.
        verify = tls_verify(self._settings)  # the same rules as the token exchanges
        # Reads first, then run starts (see RUN_START_KEEPALIVE), POOL_SHARDS of each.
        return tuple(
            self._build_pool(verify, expiry)
            for expiry in (KEEPALIVE_EXPIRY, RUN_START_KEEPALIVE)
            for _ in range(POOL_SHARDS)
        )

    def _build_pool(self, verify: ssl.SSLContext, expiry: float) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._timeout,
            # Each streamed run holds a connection for its whole length, so this bounds the
            # runs in flight: one call more waits for the pool, and fails after its timeout.
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS // POOL_SHARDS,
                max_keepalive_connections=MAX_KEEPALIVE // POOL_SHARDS,
                keepalive_expiry=expiry,
            ),
            verify=verify,
            follow_redirects=False,  # never carry the bearer token to another host
            headers={"User-Agent": USER_AGENT},
            trust_env=True,
        )
