"""Tokens that do not change: WXO_TOKEN, and a provider that only explains what is missing."""

from __future__ import annotations

from wxo_mcp.errors import AuthError

__all__ = ["StaticTokenProvider", "UnavailableTokenProvider"]


class StaticTokenProvider:
    """A bearer token given once (WXO_TOKEN); a refusal cannot be fixed by re-reading it."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        """The token as configured."""
        return self._token

    async def refused(self, token: str) -> None:
        """Nothing to refresh; the 401 reaches the caller with its hint."""

    def __repr__(self) -> str:
        return "StaticTokenProvider(****)"


class UnavailableTokenProvider:
    """Stands in when no credentials are usable, so serving starts and each call explains why."""

    def __init__(self, message: str, hint: str) -> None:
        self._message = message
        self._hint = hint

    async def token(self) -> str:
        """Always raises AuthError with the reason and what to do."""
        raise AuthError(self._message, self._hint)

    async def refused(self, token: str) -> None:
        """Nothing was ever handed out."""

    def __repr__(self) -> str:
        return f"UnavailableTokenProvider({self._message!r})"
