"""A bearer token kept in a file (WXO_TOKEN_FILE), re-read when Orchestrate refuses it.

Whatever rotates the token (a sidecar, a cron job, a Kubernetes projected volume) only has to
rewrite the file: the next 401 makes us read it again, with no restart.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import anyio.to_thread

from wxo_mcp.errors import AuthError

__all__ = ["TokenFileProvider", "read_token_file"]


def read_token_file(path: Path) -> str:
    """The token in `path` (whitespace and a leading "Bearer " removed); AuthError if unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuthError(
            f"The token file {path} (WXO_TOKEN_FILE) cannot be read: {exc.strerror or exc}.",
            "Write a bearer token into it, or point WXO_TOKEN_FILE at the right file.",
        ) from exc
    except UnicodeDecodeError as exc:
        raise AuthError(
            f"The token file {path} (WXO_TOKEN_FILE) is not text.",
            "Write the bearer token into it as plain text.",
        ) from exc
    token = text.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        raise AuthError(
            f"The token file {path} (WXO_TOKEN_FILE) is empty.",
            "Write a bearer token into it.",
        )
    return token


class TokenFileProvider:
    """Reads the file on first use and again after each refusal (one read at a time)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._token: str | None = None
        self._lock = anyio.Lock()

    async def token(self) -> str:
        """The cached token, reading the file (in a worker thread) when there is none."""
        if self._token is not None:
            return self._token
        async with self._lock:
            if self._token is None:
                self._token = await anyio.to_thread.run_sync(read_token_file, self._path)
            return self._token

    async def refused(self, token: str) -> None:
        """Forget `token` so the next call re-reads the file; a newer token is kept."""
        if self._token == token:
            self._token = None

    def __repr__(self) -> str:
        return f"TokenFileProvider({str(self._path)!r})"
