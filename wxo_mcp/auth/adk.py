"""The token the ADK saved for an environment (`orchestrate env activate`), read from its files.

Zero configuration for ADK users: `~/.cache/orchestrate/credentials.yaml` holds
`auth.<env>.wxo_mcsp_token`. On a refusal, or when the token is stale, the file is read again,
so a fresh `orchestrate env activate` takes effect without restarting the server. Remote
tokens expire (JWT `exp`, treated as stale 600 s early as the ADK does); local ones do not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import anyio
import anyio.to_thread

from wxo_mcp.auth.jwt import is_stale, jwt_expiry
from wxo_mcp.config import read_adk_token
from wxo_mcp.errors import AuthError

__all__ = ["AdkTokenProvider"]


class AdkTokenProvider:
    """Hands out the ADK environment's token; re-reads credentials.yaml when it cannot be used."""

    def __init__(
        self,
        env_name: str,
        credentials_file: Path,
        token: str | None = None,
        expiry: float | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._env = env_name
        self._file = credentials_file
        self._token = token
        self._expiry = expiry
        self._clock = clock
        self._lock = anyio.Lock()

    def _usable(self) -> bool:
        return self._token is not None and not is_stale(self._expiry_of_current(), self._clock())

    def _expiry_of_current(self) -> float | None:
        if self._token is None:
            return None
        return jwt_expiry(self._token) or self._expiry

    async def token(self) -> str:
        """A token that is not stale, re-reading the file once if the one held is not."""
        if self._usable() and self._token is not None:
            return self._token
        async with self._lock:
            if not self._usable():
                self._token, self._expiry = await anyio.to_thread.run_sync(
                    read_adk_token, self._file, self._env
                )
            if self._token is None:
                raise AuthError(
                    f"There is no saved token for the ADK environment '{self._env}'.",
                    f"Run `orchestrate env activate {self._env}`, or set WXO_TOKEN.",
                )
            expiry = self._expiry_of_current()
            if is_stale(expiry, self._clock()):
                when = datetime.fromtimestamp(expiry or 0, UTC).strftime("%Y-%m-%d %H:%M UTC")
                raise AuthError(
                    f"The ADK token for environment '{self._env}' has expired "
                    f"(it ran out at {when}).",
                    f"Run `orchestrate env activate {self._env}` to log in again, then retry.",
                )
            return self._token

    async def refused(self, token: str) -> None:
        """Drop `token` so the next call re-reads credentials.yaml; a newer token is kept."""
        if self._token == token:
            self._token = None
            self._expiry = None

    def __repr__(self) -> str:
        return f"AdkTokenProvider(env={self._env!r})"
