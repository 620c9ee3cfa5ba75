"""The settings model: one typed `Settings` merged from flags, environment, ADK files, defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError

from wxo_mcp.config.adk_files import read_adk_environment, read_adk_token
from wxo_mcp.config.instances import Deployment, guess_deployment, same_instance
from wxo_mcp.config.variables import FIELDS, Secret
from wxo_mcp.errors import ConfigError

__all__ = ["AuthType", "Settings"]

AuthType = Literal["ibm_iam", "mcsp", "mcsp_v1", "mcsp_v2", "cpd"]


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
