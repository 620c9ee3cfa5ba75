"""Write the ADK's config and credentials files into a temporary HOME."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import yaml


def jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


def write_adk(
    home: Path,
    envs: dict[str, dict[str, Any]],
    active: str | None = "local",
    tokens: dict[str, dict[str, Any]] | None = None,
) -> None:
    config = home / ".config/orchestrate/config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        yaml.safe_dump(
            {
                "context": {"active_environment": active, "active_workspace": None},
                "environments": envs,
                "python_registry": {"type": "pypi"},
                "cached_user_env": {},
            }
        )
    )
    write_tokens(home, tokens or {})


def write_tokens(home: Path, tokens: dict[str, dict[str, Any]]) -> None:
    creds = home / ".cache/orchestrate/credentials.yaml"
    creds.parent.mkdir(parents=True, exist_ok=True)
    creds.write_text(yaml.safe_dump({"auth": tokens}))
