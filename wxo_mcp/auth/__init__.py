"""Bearer tokens for Orchestrate, behind one small interface.

`make_token_provider(settings)` picks the source, first match wins:

1. `WXO_TOKEN`: a static token;
2. `WXO_TOKEN_FILE`: a file, re-read when the token is refused;
3. `WXO_API_KEY` (or `WXO_PASSWORD` for CPD): an API-key exchange (IBM Cloud IAM, AWS MCSP v1/v2,
   CPD) behind a token cache that refreshes before expiry, one refresh at a time;
4. the ADK environment's saved token, only if `WXO_URL` is that environment's own URL;
5. otherwise a provider whose every call explains what to configure (`missing`: the fix that
   fits the deployment the URL names).

It never raises: missing credentials surface per call, as AuthError with a hint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from wxo_mcp.auth.adk import AdkTokenProvider
from wxo_mcp.auth.apikey import key_exchange_provider, uses_key_exchange
from wxo_mcp.auth.files import TokenFileProvider
from wxo_mcp.auth.kinds import resolve_auth_type
from wxo_mcp.auth.missing import why_no_credentials
from wxo_mcp.auth.refreshing import RefreshingTokenProvider
from wxo_mcp.auth.static import StaticTokenProvider, UnavailableTokenProvider

if TYPE_CHECKING:
    from wxo_mcp.config import Settings

__all__ = [
    "AdkTokenProvider",
    "RefreshingTokenProvider",
    "StaticTokenProvider",
    "TokenFileProvider",
    "TokenProvider",
    "UnavailableTokenProvider",
    "make_token_provider",
    "resolve_auth_type",
]


@runtime_checkable
class TokenProvider(Protocol):
    """Where bearer tokens come from."""

    async def token(self) -> str:
        """A token believed valid now; raises AuthError with what to do when there is none."""
        ...

    async def refused(self, token: str) -> None:
        """Orchestrate answered 401 to `token`: invalidate it (re-read, refresh) if possible."""
        ...


# A provider may also offer `refusal_hint: str`: what to tell the user when Orchestrate refuses
# even the refreshed token (the client uses it as the hint of that second 401).


def make_token_provider(settings: Settings) -> TokenProvider:
    """The token provider the settings call for (see the module docstring for the order)."""
    if settings.token is not None:
        return StaticTokenProvider(settings.token.get_secret_value())
    if settings.token_file is not None:
        return TokenFileProvider(settings.token_file)
    if uses_key_exchange(settings):
        return key_exchange_provider(settings)
    if settings.adk_token_applies and settings.adk_env and settings.adk_credentials_file:
        return AdkTokenProvider(
            settings.adk_env,
            settings.adk_credentials_file,
            settings.adk_token.get_secret_value() if settings.adk_token else None,
            settings.adk_token_expiry,
        )
    return UnavailableTokenProvider(*why_no_credentials(settings))
