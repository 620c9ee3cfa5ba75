"""TLS verification for every connection we open (Orchestrate and the token services).

Verification is on by default (httpx's trust store). `WXO_CA_BUNDLE` adds a private CA to it, so
an on-prem instance signed by a company CA works while public token services (IBM Cloud IAM)
still verify. `WXO_VERIFY=false` turns verification off, and says so on stderr once: it is for
tests only. One module so the Orchestrate client and the token exchanges cannot disagree.
"""

from __future__ import annotations

import logging
import ssl
import threading

import httpx

from wxo_mcp.config import Settings
from wxo_mcp.errors import ConfigError

__all__ = ["tls_verify"]

logger = logging.getLogger(__name__)

_warned = threading.Event()


def tls_verify(settings: Settings) -> ssl.SSLContext | bool:
    """What to pass as httpx's `verify`. Reads CA files: call it from a worker thread.

    Raises ConfigError when WXO_CA_BUNDLE cannot be loaded.
    """
    if not settings.verify:
        if not _warned.is_set():
            _warned.set()
            logger.warning(
                "TLS certificate verification is OFF (WXO_VERIFY=false): anyone on the network "
                "path can read the credentials. Use this only to test; set WXO_CA_BUNDLE for a "
                "private CA instead."
            )
        return False
    if settings.ca_bundle is None:
        return True
    try:
        context = httpx.create_ssl_context()
        context.load_verify_locations(cafile=str(settings.ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise ConfigError(
            f"WXO_CA_BUNDLE {settings.ca_bundle} cannot be loaded: {reason}.",
            "Point WXO_CA_BUNDLE at a PEM file holding the instance's CA certificate(s).",
        ) from exc
    return context
