"""From settings to the provider that exchanges WXO_API_KEY (or CPD's WXO_PASSWORD) for tokens.

Never raises: a configuration that cannot work (CPD without a username, no URL to derive the
CPD token service from, key and password both set for CPD) becomes a provider whose every call
says what to set.
"""

from __future__ import annotations

from wxo_mcp.auth.exchange import (
    CpdExchange,
    FallbackExchange,
    IamExchange,
    McspExchange,
    TlsConfig,
    TokenExchange,
)
from wxo_mcp.auth.kinds import ExchangeKind, mcsp_versions, resolve_auth_type, token_url
from wxo_mcp.auth.refreshing import RefreshingTokenProvider
from wxo_mcp.auth.static import UnavailableTokenProvider
from wxo_mcp.config import Settings

__all__ = ["key_exchange_provider", "uses_key_exchange"]


def uses_key_exchange(settings: Settings) -> bool:
    """Whether the settings ask for an exchange: WXO_API_KEY, or WXO_PASSWORD for CPD."""
    if settings.api_key is not None:
        return True
    return settings.password is not None and resolve_auth_type(settings) == "cpd"


def key_exchange_provider(
    settings: Settings,
) -> RefreshingTokenProvider | UnavailableTokenProvider:
    """A refreshing provider for the settings' auth type (see `kinds` for the guess)."""
    auth_type = resolve_auth_type(settings)
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    tls = TlsConfig(settings)
    if auth_type == "cpd":
        return _cpd(settings, tls, api_key)
    if api_key is None:
        return UnavailableTokenProvider(
            f"WXO_AUTH_TYPE={auth_type} needs an API key.", "Set WXO_API_KEY."
        )
    if auth_type == "ibm_iam":
        return RefreshingTokenProvider(IamExchange(_url("ibm_iam", settings), tls, api_key))
    exchanges: tuple[TokenExchange, ...] = tuple(
        McspExchange(kind, _url(kind, settings), tls, api_key)
        for kind in mcsp_versions(auth_type, api_key)
    )
    if len(exchanges) == 1:
        return RefreshingTokenProvider(exchanges[0])
    return RefreshingTokenProvider(FallbackExchange(exchanges))


def _url(kind: ExchangeKind, settings: Settings) -> str:
    url = token_url(kind, settings)
    assert url is not None  # only CPD can lack a base URL
    return url


def _cpd(
    settings: Settings, tls: TlsConfig, api_key: str | None
) -> RefreshingTokenProvider | UnavailableTokenProvider:
    password = settings.password.get_secret_value() if settings.password else None
    if not settings.username:
        return UnavailableTokenProvider(
            "CPD login needs a user name.",
            "Set WXO_USERNAME, together with WXO_API_KEY or WXO_PASSWORD.",
        )
    if api_key and password:
        return UnavailableTokenProvider(
            "Both WXO_API_KEY and WXO_PASSWORD are set for CPD; it takes one or the other.",
            "Unset one of them (the ADK refuses both, too).",
        )
    if not api_key and not password:
        return UnavailableTokenProvider(
            "CPD login needs an API key or a password.", "Set WXO_API_KEY or WXO_PASSWORD."
        )
    url = token_url("cpd", settings)
    if url is None:
        return UnavailableTokenProvider(
            "There is no URL to derive the CPD token service from.",
            "Set WXO_URL to the instance URL (https://<host>/orchestrate/<ns>/instances/<id>), "
            "or WXO_IAM_URL to the cluster's base URL.",
        )
    return RefreshingTokenProvider(
        CpdExchange(url, tls, settings.username, api_key=api_key, password=password)
    )
