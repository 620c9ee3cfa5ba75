"""The ADK's own files: the active environment of config.yaml and its token in credentials.yaml.

Only these two small files are read, never the network; a file that is missing, unreadable or
not valid YAML counts as absent (with a warning for the last two), so a broken ADK install never
stops wxo-mcp from starting with its own settings.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ADK_CONFIG",
    "ADK_CREDENTIALS",
    "AdkEnvironment",
    "read_adk_environment",
    "read_adk_token",
]

logger = logging.getLogger(__name__)

ADK_CONFIG = Path(".config/orchestrate/config.yaml")
ADK_CREDENTIALS = Path(".cache/orchestrate/credentials.yaml")


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
