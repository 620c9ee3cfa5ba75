"""TLS verification for every connection we open (Orchestrate and the token services).

Verification is on by default (the system trust store, as httpx2 builds it; `SSL_CERT_FILE` and
`SSL_CERT_DIR` are honoured). `WXO_CA_BUNDLE` adds a private CA to it, so
an on-prem instance signed by a company CA works while public token services (IBM Cloud IAM)
still verify. `WXO_VERIFY=false` turns verification off, and says so on stderr once: it is for
tests only. One module so the Orchestrate client and the token exchanges cannot disagree.

The context is built once per process and shared by every connection pool and exchange: loading
the CA bundle costs ~15 ms and ~0.6 MB per context, and the client has eight pools.
"""

from __future__ import annotations

import logging
import os
import ssl
import threading

import httpx2 as httpx

from wxo_mcp.config import Settings
from wxo_mcp.errors import ConfigError

__all__ = ["tls_verify"]

logger = logging.getLogger(__name__)

_warned = threading.Event()
_lock = threading.Lock()
_contexts: dict[tuple[object, ...], ssl.SSLContext] = {}


def tls_verify(settings: Settings) -> ssl.SSLContext:
    """What to pass as httpx's `verify`: one shared context per trust configuration.

    Reads CA files the first time: call it from a worker thread. Raises ConfigError when
    WXO_CA_BUNDLE cannot be loaded (and builds nothing, so a fixed file is read next time).
    """
    if not settings.verify and not _warned.is_set():
        _warned.set()
        logger.warning(
            "TLS certificate verification is OFF (WXO_VERIFY=false): anyone on the network "
            "path can read the credentials. Use this only to test; set WXO_CA_BUNDLE for a "
            "private CA instead."
        )
    # httpx honours SSL_CERT_FILE / SSL_CERT_DIR when it builds the default context itself.
    key = (
        settings.verify,
        settings.ca_bundle,
        os.environ.get("SSL_CERT_FILE"),
        os.environ.get("SSL_CERT_DIR"),
    )
    with _lock:
        context = _contexts.get(key)
        if context is None:
            context = _contexts[key] = _build(settings)
    return context


def _build(settings: Settings) -> ssl.SSLContext:
    if not settings.verify:
        return httpx.create_ssl_context(verify=False)
    context = httpx.create_ssl_context()
    if settings.ca_bundle is None:
        return context
    try:
        context.load_verify_locations(cafile=str(settings.ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise ConfigError(
            f"WXO_CA_BUNDLE {settings.ca_bundle} cannot be loaded: {reason}.",
            "Point WXO_CA_BUNDLE at a PEM file holding the instance's CA certificate(s).",
        ) from exc
    return context
