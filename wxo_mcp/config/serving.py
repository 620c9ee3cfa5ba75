"""The settings of serving over HTTP for a team, and the checks made before serving.

A module of its own because these rules are about one job: running replicas safely. Imports
nothing from the rest of wxo_mcp but ``errors``, so ``variables`` can use its parsers.

- **Host names** (``WXO_MCP_ALLOWED_HOSTS``): the names a ``Host``/``Origin`` header may carry,
  beyond the loopback ones. A proxy that forwards its own upstream name (nginx without
  ``proxy_set_header Host``) or a public DNS name must be listed, or the request gets 421.
- **The state key** (``WXO_MCP_STATE_KEY`` or ``WXO_MCP_STATE_KEY_FILE``): the secret that seals
  the state a 2026-era client echoes back when it answers an agent's question. Every replica
  needs the same one, or an answer reaching another replica (or this one after a restart) is
  refused. The MCP SDK wants at least 32 bytes; we check that at start, naming the variable.
- **Before serving**: an empty ``WXO_MCP_TOKEN`` is refused (it would silently turn client
  authentication off), and credentials sent over plain ``http://`` to another machine are named.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from wxo_mcp.errors import ConfigError

__all__ = [
    "MIN_STATE_KEY_BYTES",
    "check_client_token",
    "parse_host_names",
    "plain_http_warnings",
    "read_state_keys",
    "split_host_port",
    "split_state_keys",
]

MIN_STATE_KEY_BYTES = 32
_KEY_HINT = 'Generate one with: python -c "import secrets; print(secrets.token_hex(32))"'


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


class _ServingSettings(Protocol):
    """The part of ``config.Settings`` these checks read (a Protocol: no import of config)."""

    @property
    def url(self) -> str | None: ...
    @property
    def iam_url(self) -> str | None: ...
    @property
    def state_key(self) -> _Secret | None: ...
    @property
    def state_key_file(self) -> Path | None: ...


def parse_host_names(raw: str) -> list[str]:
    """``WXO_MCP_ALLOWED_HOSTS``: comma-separated host names (optionally ``name:port``).

    Names are compared case-insensitively, so they are stored lowercased; a URL, a path or a
    wildcard is refused rather than guessed at.
    """
    names: list[str] = []
    for word in raw.split(","):
        name = word.strip().lower().rstrip(".")
        if not name:
            continue
        host, port = split_host_port(name)
        if "/" in name or "*" in name or not host or (port is not None and not port.isdigit()):
            raise ConfigError(
                "WXO_MCP_ALLOWED_HOSTS must be comma-separated host names such as "
                f"mcp.example.com or mcp.example.com:8443; got {word.strip()[:60]!r}."
            )
        names.append(name)
    return names


def split_host_port(name: str) -> tuple[str, str | None]:
    """``host[:port]`` with IPv6 in brackets; a bare IPv6 address has no port."""
    if name.startswith("["):
        host, _, rest = name[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if name.count(":") == 1:
        host, _, port = name.partition(":")
        return host, port
    return name, None


def split_state_keys(raw: str) -> list[str]:
    """The key ring of ``WXO_MCP_STATE_KEY``: the first key seals, every key unseals.

    Comma-separated, so a key can be rotated without downtime (``new,old`` on every replica,
    then ``new`` once the old state has expired, ten minutes later).
    """
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    for key in keys:
        if len(key.encode()) < MIN_STATE_KEY_BYTES:
            raise ConfigError(
                f"WXO_MCP_STATE_KEY must be at least {MIN_STATE_KEY_BYTES} bytes of secret "
                f"randomness per key; one has {len(key.encode())}.",
                _KEY_HINT,
            )
    return keys


def read_state_keys(settings: _ServingSettings) -> list[str] | None:
    """The key ring from ``WXO_MCP_STATE_KEY`` or the file ``WXO_MCP_STATE_KEY_FILE``.

    None when neither is set: the SDK then seals with a random key of this process only.
    Raises ConfigError for both set, an unreadable file or a short key.
    """
    if settings.state_key is not None and settings.state_key_file is not None:
        raise ConfigError(
            "WXO_MCP_STATE_KEY and WXO_MCP_STATE_KEY_FILE are both set.", "Set only one."
        )
    if settings.state_key is not None:
        return split_state_keys(settings.state_key.get_secret_value())
    path = settings.state_key_file
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError(
            f"WXO_MCP_STATE_KEY_FILE {path} cannot be read: {reason}.",
            "Point it at a file holding the key (the same on every replica).",
        ) from None
    try:
        keys = split_state_keys(text.replace("\n", ","))
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("WXO_MCP_STATE_KEY", "WXO_MCP_STATE_KEY_FILE")) from None
    if not keys:
        raise ConfigError(f"WXO_MCP_STATE_KEY_FILE {path} is empty.", _KEY_HINT)
    return keys


def check_client_token(environ: Mapping[str, str]) -> str | None:
    """Refuse a ``WXO_MCP_TOKEN`` of only whitespace; a warning (returned) for an empty one.

    Either reads as "no client token", which turns client authentication off: whitespace is
    plainly a mistake; an empty value may be a deliberate unset, or a secret that failed to load.
    """
    raw = environ.get("WXO_MCP_TOKEN")
    if raw is None:
        return None
    if raw == "":
        return (
            "WXO_MCP_TOKEN is set but empty, so HTTP clients are NOT authenticated. Unset it "
            "if that is meant; otherwise the secret did not load."
        )
    if not raw.strip():
        raise ConfigError(
            "WXO_MCP_TOKEN is set but holds only whitespace, which would turn client "
            "authentication off.",
            'Set it to a secret (WXO_MCP_TOKEN="$(openssl rand -hex 32)"), or unset it.',
        )
    return None


def _is_local(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost") or name == "host.docker.internal":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def plain_http_warnings(settings: _ServingSettings) -> list[str]:
    """One sentence per credential-bearing URL that uses plain ``http://`` to another machine.

    Loopback (the local Developer Edition, the simulator) is fine: nothing crosses a network.
    """
    found = []
    for var, url in (("WXO_URL", settings.url), ("WXO_IAM_URL", settings.iam_url)):
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme.lower() == "http" and parts.hostname and not _is_local(parts.hostname):
            found.append(
                f"{var} {parts.scheme}://{parts.hostname} uses plain HTTP to another machine: "
                "tokens and API keys sent there can be read on the network path. Use https://."
            )
    return found
