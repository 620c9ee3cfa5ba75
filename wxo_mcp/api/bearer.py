"""httpx auth hook: adds the bearer token; on a 401, asks the provider for a fresh one, once.

The replay happens inside httpx's auth flow, so it covers streamed run creation too: a 401
comes before any stream byte, and the request body is bytes that can be sent again.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx2 as httpx

from wxo_mcp.auth import TokenProvider

__all__ = ["BearerAuth"]


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` from a TokenProvider, with one retry after a refusal.

    If the provider hands back the same token after `refused()` (a static WXO_TOKEN), the
    401 is returned as is: sending it again cannot succeed.
    """

    requires_request_body = True

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider
        #: The last token sent, so error messages can be scrubbed of it.
        self.last_token: str | None = None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Not supported: token providers are async."""
        raise RuntimeError("BearerAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover - makes this a generator, as httpx expects

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send with the current token; after a 401, refresh and resend once."""
        token = await self._provider.token()
        self.last_token = token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        await self._provider.refused(token)
        fresh = await self._provider.token()
        if fresh == token:
            return
        self.last_token = fresh
        request.headers["Authorization"] = f"Bearer {fresh}"
        yield request
