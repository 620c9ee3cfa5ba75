"""What to say when no credentials are usable: the fix that fits the deployment the URL names.

IBM Cloud and AWS take an API key (exchanged and refreshed, so a long-running server never needs
a restart); the local Developer Edition takes the ADK's token or a static one; CPD takes a user
name with an API key or a password. Suggesting WXO_TOKEN everywhere sent SaaS users to a token
that expires within the hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wxo_mcp.auth.kinds import resolve_auth_type

if TYPE_CHECKING:
    from wxo_mcp.config import Settings

__all__ = ["credentials_hint", "why_no_credentials"]

_ACTIVATE = "run `orchestrate env activate <env>`"


def credentials_hint(settings: Settings) -> str:
    """The credentials to set for the instance the settings name."""
    if settings.url is None:
        return f"Set WXO_URL and WXO_TOKEN (or WXO_TOKEN_FILE), or {_ACTIVATE}."
    if settings.resolved_deployment == "local":
        return (
            "Set WXO_TOKEN (or WXO_TOKEN_FILE), or run `orchestrate env activate local` once "
            "so that the ADK's token is used."
        )
    auth_type = resolve_auth_type(settings)
    if auth_type == "cpd" or settings.resolved_deployment == "cpd":
        either = "WXO_API_KEY (your CPD API key, Profile and settings → API key) or WXO_PASSWORD"
        if settings.username:
            return f"Set {either} for user {settings.username!r} (WXO_USERNAME)."
        return f"Set WXO_USERNAME and either {either}."
    if auth_type == "ibm_iam":
        return (
            "Set WXO_API_KEY to an IBM Cloud API key with access to this instance "
            "(cloud.ibm.com → Manage → Access (IAM) → API keys); wxo-mcp exchanges it for "
            "tokens and refreshes them."
        )
    return (
        "Set WXO_API_KEY to this instance's API key (Orchestrate's Settings → API details); "
        "wxo-mcp exchanges it for tokens and refreshes them."
    )


def why_no_credentials(settings: Settings) -> tuple[str, str]:
    """(what is missing, what to do) for a provider that has no token to give."""
    if settings.adk_env is not None and settings.adk_url and settings.url:
        return (
            f"The ADK token of environment '{settings.adk_env}' belongs to {settings.adk_url}, "
            f"not to {settings.url}, so it is not sent there.",
            f"{credentials_hint(settings)} Or `orchestrate env activate` an environment whose "
            f"URL is {settings.url}.",
        )
    if settings.env_name is not None and settings.adk_env is None:
        return (
            f"The ADK environment '{settings.env_name}' (WXO_ENV) was not found in "
            "~/.config/orchestrate/config.yaml.",
            f"Check `orchestrate env list`. {credentials_hint(settings)}",
        )
    return ("No Orchestrate credentials are configured.", credentials_hint(settings))
