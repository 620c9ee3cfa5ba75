"""Which instance a URL names: its deployment family, and whether two URLs are the same one."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

__all__ = ["Deployment", "guess_deployment", "same_instance"]

Deployment = Literal["local", "saas", "cpd"]

_LOCAL_PREFIXES = (
    "http://localhost",
    "http://127.0.0.1",
    "http://[::1]",
    "http://0.0.0.0",
    "http://host.docker.internal",
)
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - same


def guess_deployment(url: str, auth_type: str | None = None) -> Deployment:
    """Classify an instance URL as the ADK does (orchestrate-api.md §1.1).

    Local prefixes first; then CPD (auth type cpd/k8s, or `https://cpd`); IBM Cloud
    (`.cloud.ibm.com`), AWS (`orchestrate.ibm.com`) and unknown hosts use the SaaS family.
    """
    lowered = url.strip().lower()
    if lowered.startswith(_LOCAL_PREFIXES):
        return "local"
    if (auth_type or "").lower() in ("cpd", "k8s") or lowered.startswith("https://cpd"):
        return "cpd"
    return "saas"


def _instance_key(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK:
        host = "loopback"
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        port = None
    return parts.scheme.lower(), host, port, parts.path.rstrip("/")


def same_instance(a: str, b: str) -> bool:
    """Whether two instance URLs name the same instance (scheme, host, port and path).

    Loopback spellings (localhost, 127.0.0.1, [::1]) count as one host, so an ADK `local`
    environment still matches `WXO_URL=http://127.0.0.1:4321`.
    """
    return _instance_key(a) == _instance_key(b)
