"""Settings: one typed object built once at start (design.md §2).

Sources, highest priority first:

1. overrides: CLI flags, keyed by field name (`None` means "flag not given");
2. the environment: `WXO_*` variables (an empty variable counts as unset);
3. the ADK's own files: the active environment (or `WXO_ENV`) of
   `~/.config/orchestrate/config.yaml` gives `url`, `auth_type`, `iam_url`, TLS settings, and
   `~/.cache/orchestrate/credentials.yaml` its token;
4. defaults.

`Settings.load` reads those two small files and nothing else: no network. It raises ConfigError
only for malformed values; missing credentials or URL surface later, per call. `describe()`
shows each value and where it came from, secrets masked.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError

from wxo_mcp.errors import ConfigError
from wxo_mcp.serving_settings import parse_host_names, split_state_keys

__all__ = [
    "AdkEnvironment",
    "AuthType",
    "Deployment",
    "Secret",
    "Settings",
    "guess_deployment",
    "read_adk_environment",
    "read_adk_token",
    "same_instance",
]

logger = logging.getLogger(__name__)

Deployment = Literal["local", "saas", "cpd"]
AuthType = Literal["ibm_iam", "mcsp", "mcsp_v1", "mcsp_v2", "cpd"]

ADK_CONFIG = Path(".config/orchestrate/config.yaml")
ADK_CREDENTIALS = Path(".cache/orchestrate/credentials.yaml")

_LOCAL_PREFIXES = (
    "http://localhost",
    "http://127.0.0.1",
    "http://[::1]",
    "http://0.0.0.0",
    "http://host.docker.internal",
)
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - same


class Secret(SecretStr):
    """A SecretStr whose str/repr show at most the last 4 characters (none of a short secret)."""

    def _display(self) -> str:
        value = self.get_secret_value()
        if not value:
            return ""
        return "****" + value[-4:] if len(value) >= 16 else "****"


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


# ----------------------------------------------------------------------------------------------
# ADK files


@dataclass(frozen=True)
class AdkEnvironment:
    """What the ADK's files say about one environment."""

    name: str
    url: str | None
    auth_type: str | None
    iam_url: str | None
    verify: bool | None
    ca_bundle: Path | None
    credentials_file: Path


def _load_yaml(path: Path) -> Mapping[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.warning("Cannot read %s: %s", path, exc.strerror)
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        logger.warning("Ignoring %s: it is not valid YAML.", path)
        return None
    return data if isinstance(data, Mapping) else None


def read_adk_environment(home: Path, env_name: str | None = None) -> AdkEnvironment | None:
    """The active (or named) environment of the ADK's config.yaml; None if there is none."""
    config = _load_yaml(home / ADK_CONFIG)
    if config is None:
        return None
    if env_name is None:
        context = config.get("context")
        active = context.get("active_environment") if isinstance(context, Mapping) else None
        if not isinstance(active, str) or not active:
            return None
        env_name = active
    envs = config.get("environments")
    env = envs.get(env_name) if isinstance(envs, Mapping) else None
    if not isinstance(env, Mapping):
        return None
    url = env.get("wxo_url")
    auth_type = env.get("auth_type")
    iam_url = env.get("iam_url")
    verify_value = env.get("verify")
    ca_bundle: Path | None = None
    verify: bool | None = None
    if env.get("bypass_ssl") is True:
        verify = False
    elif isinstance(verify_value, str) and verify_value not in ("None", "true", "false", ""):
        ca_bundle = Path(verify_value).expanduser()
    return AdkEnvironment(
        name=env_name,
        url=url if isinstance(url, str) and url else None,
        auth_type=auth_type if isinstance(auth_type, str) and auth_type else None,
        iam_url=iam_url if isinstance(iam_url, str) and iam_url else None,
        verify=verify,
        ca_bundle=ca_bundle,
        credentials_file=home / ADK_CREDENTIALS,
    )


def read_adk_token(credentials_file: Path, env_name: str) -> tuple[str | None, float | None]:
    """`(wxo_mcsp_token, wxo_mcsp_token_expiry)` of one environment in credentials.yaml."""
    creds = _load_yaml(credentials_file)
    auth = creds.get("auth") if creds is not None else None
    entry = auth.get(env_name) if isinstance(auth, Mapping) else None
    if not isinstance(entry, Mapping):
        return None, None
    token = entry.get("wxo_mcsp_token")
    expiry = entry.get("wxo_mcsp_token_expiry")
    return (
        token if isinstance(token, str) and token else None,
        float(expiry) if isinstance(expiry, int | float) and not isinstance(expiry, bool) else None,
    )


# ----------------------------------------------------------------------------------------------
# parsing of environment values


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


class Settings(BaseModel):
    """Every setting of design.md §2, typed, plus what was discovered in the ADK's files."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str | None = None
    deployment: Deployment | None = None
    token: Secret | None = None
    token_file: Path | None = None
    api_key: Secret | None = None
    auth_type: AuthType | None = None
    iam_url: str | None = None
    username: str | None = None
    password: Secret | None = None
    ca_bundle: Path | None = None
    verify: bool = True
    env_name: str | None = None
    agents: list[str] = Field(default_factory=list)
    tools: set[str] = Field(default_factory=lambda: {"agents", "generic"})
    max_agent_tools: int = Field(50, ge=0)
    agents_ttl: float = Field(300.0, ge=0)
    tool_deadline: float = Field(50.0, gt=0)
    max_result_chars: int = Field(100_000, ge=100)
    read_timeout: float = Field(300.0, gt=0)
    """Seconds of silence on a stream before it counts as stalled (IBM's clients use 300)."""
    max_stream_mb: int = Field(256, ge=1)
    """Megabytes one run stream may send without finishing before wxo-mcp stops reading it."""
    agent_environment: Literal["live", "draft"] | None = None
    transport: Literal["stdio", "http"] = "stdio"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    mcp_token: Secret | None = None
    stateless: bool = False
    state_key: Secret | None = None
    state_key_file: Path | None = None
    allowed_hosts: list[str] = Field(default_factory=list)
    session_idle_timeout: float = Field(300.0, ge=1)
    max_client_sessions: int = Field(100, ge=1)
    request_timeout: float = Field(15.0, ge=0.5)
    log_level: str = "WARNING"

    # Discovered in the ADK's files (never set from the environment or flags).
    adk_env: str | None = None
    adk_url: str | None = None
    adk_token: Secret | None = None
    adk_token_expiry: float | None = None
    adk_credentials_file: Path | None = None

    _sources: dict[str, str] = PrivateAttr(default_factory=dict)

    # -- derived ------------------------------------------------------------------------------

    @property
    def resolved_deployment(self) -> Deployment | None:
        """WXO_DEPLOYMENT if set, else the guess from the URL; None without a URL."""
        if self.deployment is not None:
            return self.deployment
        if self.url is None:
            return None
        return guess_deployment(self.url, self.auth_type)

    @property
    def adk_token_applies(self) -> bool:
        """Whether the ADK environment's token may be sent to `url` (the same instance only)."""
        return (
            self.adk_env is not None
            and self.adk_url is not None
            and self.url is not None
            and same_instance(self.url, self.adk_url)
        )

    def source_of(self, field: str) -> str:
        """Where a field's value came from: "flag", "env", "ADK env '<name>'" or "default"."""
        return self._sources.get(field, "default")

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, object] | None = None,
        home: Path | None = None,
    ) -> Settings:
        """Merge flags > environment > ADK files > defaults. No network I/O.

        Raises ConfigError naming the variable for a malformed value.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for field, (var, parse) in FIELDS.items():
            flag = overrides.get(field) if overrides else None
            if flag is not None:
                values[field] = parse(flag) if isinstance(flag, str) else flag
                sources[field] = "flag"
                continue
            raw = environ.get(var)
            if raw is not None and raw.strip():
                values[field] = parse(raw)
                sources[field] = "env"
        unknown = set(overrides or {}) - set(FIELDS)
        if unknown:
            raise ConfigError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
        cls._merge_adk(values, sources, home if home is not None else Path.home())
        try:
            settings = cls(**values)
        except ValidationError as exc:
            raise _config_error(exc) from None
        settings._sources.update(sources)
        return settings

    @staticmethod
    def _merge_adk(values: dict[str, Any], sources: dict[str, str], home: Path) -> None:
        """Fill what flags and environment left unset from the ADK environment's files."""
        env = read_adk_environment(home, values.get("env_name"))
        if env is None:
            return
        label = f"ADK env '{env.name}'"
        values["adk_env"] = env.name
        values["adk_url"] = env.url
        values["adk_credentials_file"] = env.credentials_file
        token, expiry = read_adk_token(env.credentials_file, env.name)
        if token:
            values["adk_token"] = Secret(token)
            values["adk_token_expiry"] = expiry
        from_adk: dict[str, Any] = {
            "url": env.url.rstrip("/") if env.url else None,
            "auth_type": "cpd" if env.auth_type == "k8s" else env.auth_type,
            "iam_url": env.iam_url,
            "verify": env.verify,
            "ca_bundle": env.ca_bundle,
        }
        for field, value in from_adk.items():
            if value is not None and field not in values:
                values[field] = value
                sources[field] = label
        for field in ("adk_env", "adk_url", "adk_token", "adk_credentials_file"):
            sources[field] = label

    # -- showing ------------------------------------------------------------------------------

    def describe(self) -> list[tuple[str, str, str]]:
        """`(VARIABLE, value, source)` per setting, secrets masked; for `doctor` / --show-config."""
        rows = [
            (var, _show(getattr(self, field)), self.source_of(field))
            for field, (var, _) in FIELDS.items()
        ]
        if self.adk_env is not None:
            label = self.source_of("adk_env")
            rows.append(("ADK environment", self.adk_env, label))
            rows.append(("ADK token", _show(self.adk_token), label))
            if self.adk_token is not None and not self.adk_token_applies:
                rows.append(("ADK token used", "no (WXO_URL names another instance)", label))
        return rows


def _show(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, set | frozenset):
        return ",".join(sorted(str(v) for v in value))
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _config_error(exc: ValidationError) -> ConfigError:
    """Name the variable of the first invalid value (never quoting the value: it may be secret)."""
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    var = FIELDS.get(field, (field, None))[0]
    return ConfigError(f"{var} is invalid: {first['msg']}.")
