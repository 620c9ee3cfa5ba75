"""The `WXO_*` variables: each setting's variable and the parser of its text.

A flag's value is parsed by the same parser as its variable, so both are checked alike and every
message names the variable (the CLI swaps in the flag's name when a flag was given). Parsers raise
ConfigError and never quote more than the start of a value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from wxo_mcp.config.serving import parse_host_names, split_state_keys
from wxo_mcp.errors import ConfigError

__all__ = ["FIELDS", "Secret"]


class Secret(SecretStr):
    """A SecretStr whose str/repr show at most the last 4 characters (none of a short secret)."""

    def _display(self) -> str:
        value = self.get_secret_value()
        if not value:
            return ""
        return "****" + value[-4:] if len(value) >= 16 else "****"


def _choice(var: str, options: Mapping[str, str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        key = raw.strip().lower()
        if key not in options:
            raise ConfigError(
                f"{var} must be one of {', '.join(sorted(set(options)))}; got {raw.strip()[:40]!r}."
            )
        return options[key]

    return parse


def _number(var: str, kind: type[int] | type[float], minimum: float) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        try:
            value = kind(raw.strip())
        except ValueError:
            noun = "a whole number" if kind is int else "a number"
            raise ConfigError(f"{var} must be {noun}; got {raw.strip()[:40]!r}.") from None
        if value < minimum or value != value:
            raise ConfigError(f"{var} must be at least {minimum:g}; got {raw.strip()[:40]!r}.")
        return value

    return parse


def _url(var: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{var} must be an http(s) URL such as http://localhost:4321 or "
                f"https://api.<region>.watson-orchestrate.cloud.ibm.com/instances/<id>; "
                f"got {value[:80]!r}."
            )
        return value

    return parse


def _bool(var: str) -> Callable[[str], bool]:
    def parse(raw: str) -> bool:
        key = raw.strip().lower()
        if key in ("1", "true", "yes", "on"):
            return True
        if key in ("0", "false", "no", "off"):
            return False
        raise ConfigError(
            f"{var} must be true or false (or 1/0, yes/no); got {raw.strip()[:20]!r}."
        )

    return parse


def _token(raw: str) -> Secret:
    value = raw.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return Secret(value)


def _secret(raw: str) -> Secret:
    return Secret(raw.strip())


def _patterns(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def _tools(raw: str) -> set[str]:
    words = {w.strip().lower() for w in raw.split(",") if w.strip()}
    unknown = words - {"agents", "generic"}
    if unknown or not words:
        raise ConfigError(
            "WXO_TOOLS must be a comma-separated list of: agents, generic; "
            f"got {raw.strip()[:40]!r}."
        )
    return words


def _path(raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def _text(raw: str) -> str:
    return raw.strip()


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(
            "WXO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; "
            f"got {raw.strip()[:20]!r}."
        )
    return level


#: field name -> (environment variable, parser of its text). Order is the order of describe().
FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "url": ("WXO_URL", _url("WXO_URL")),
    "deployment": (
        "WXO_DEPLOYMENT",
        _choice("WXO_DEPLOYMENT", {"local": "local", "saas": "saas", "cpd": "cpd"}),
    ),
    "token": ("WXO_TOKEN", _token),
    "token_file": ("WXO_TOKEN_FILE", _path),
    "api_key": ("WXO_API_KEY", _secret),
    "auth_type": (
        "WXO_AUTH_TYPE",
        _choice(
            "WXO_AUTH_TYPE",
            {
                "ibm_iam": "ibm_iam",
                "mcsp": "mcsp",
                "mcsp_v1": "mcsp_v1",
                "mcsp_v2": "mcsp_v2",
                "cpd": "cpd",
                "k8s": "cpd",
            },
        ),
    ),
    "iam_url": ("WXO_IAM_URL", _url("WXO_IAM_URL")),
    "username": ("WXO_USERNAME", _text),
    "password": ("WXO_PASSWORD", _secret),
    "ca_bundle": ("WXO_CA_BUNDLE", _path),
    "verify": ("WXO_VERIFY", _bool("WXO_VERIFY")),
    "env_name": ("WXO_ENV", _text),
    "agents": ("WXO_AGENTS", _patterns),
    "tools": ("WXO_TOOLS", _tools),
    "max_agent_tools": ("WXO_MAX_AGENT_TOOLS", _number("WXO_MAX_AGENT_TOOLS", int, 0)),
    "agents_ttl": ("WXO_AGENTS_TTL", _number("WXO_AGENTS_TTL", float, 0)),
    "tool_deadline": ("WXO_TOOL_DEADLINE", _number("WXO_TOOL_DEADLINE", float, 0.1)),
    "max_result_chars": ("WXO_MAX_RESULT_CHARS", _number("WXO_MAX_RESULT_CHARS", int, 100)),
    "read_timeout": ("WXO_READ_TIMEOUT", _number("WXO_READ_TIMEOUT", float, 0.1)),
    "max_stream_mb": ("WXO_MAX_STREAM_MB", _number("WXO_MAX_STREAM_MB", int, 1)),
    "agent_environment": (
        "WXO_AGENT_ENVIRONMENT",
        _choice("WXO_AGENT_ENVIRONMENT", {"live": "live", "draft": "draft"}),
    ),
    "transport": (
        "WXO_MCP_TRANSPORT",
        _choice("WXO_MCP_TRANSPORT", {"stdio": "stdio", "http": "http"}),
    ),
    "host": ("WXO_MCP_HOST", _text),
    "port": ("WXO_MCP_PORT", _number("WXO_MCP_PORT", int, 0)),
    "mcp_token": ("WXO_MCP_TOKEN", _secret),
    "stateless": ("WXO_MCP_STATELESS", _bool("WXO_MCP_STATELESS")),
    "state_key": ("WXO_MCP_STATE_KEY", lambda raw: Secret(",".join(split_state_keys(raw)))),
    "state_key_file": ("WXO_MCP_STATE_KEY_FILE", _path),
    "allowed_hosts": ("WXO_MCP_ALLOWED_HOSTS", parse_host_names),
    "session_idle_timeout": (
        "WXO_MCP_SESSION_IDLE_TIMEOUT",
        _number("WXO_MCP_SESSION_IDLE_TIMEOUT", float, 1),
    ),
    "max_client_sessions": (
        "WXO_MCP_MAX_CLIENT_SESSIONS",
        _number("WXO_MCP_MAX_CLIENT_SESSIONS", int, 1),
    ),
    "request_timeout": ("WXO_MCP_REQUEST_TIMEOUT", _number("WXO_MCP_REQUEST_TIMEOUT", float, 0.5)),
    "log_level": ("WXO_LOG_LEVEL", _log_level),
}
