"""Task ids that are the run: ``wxo1.<payload>.<mac>``.

The payload names the run a task began with and how to shape its result (tool, agent, steps,
creation time); the MAC (HMAC-SHA256 over the payload and the caller, keyed by a secret every
replica of a deployment shares) makes an id unforgeable and binds it to whoever created it. So any
replica, or the same server after a restart, can resolve a task from its id and Orchestrate alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from wxo_mcp.bridge.arguments import is_valid_id
from wxo_mcp.config import Settings

__all__ = ["TaskCodec", "TaskRef", "task_secret"]

_PREFIX = "wxo1"


@dataclass(frozen=True)
class TaskRef:
    """What a task id carries: the run it began with and how to shape its result."""

    run_id: str
    tool: str
    agent: str
    include_steps: bool
    created_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "r": self.run_id,
            "t": self.tool,
            "a": self.agent,
            "s": self.include_steps,
            "c": self.created_ms,
        }

    @classmethod
    def from_json(cls, data: object) -> TaskRef | None:
        if not isinstance(data, dict):
            return None
        run_id, tool, agent = data.get("r"), data.get("t"), data.get("a")
        created, steps = data.get("c"), data.get("s")
        if not (isinstance(run_id, str) and is_valid_id(run_id)):
            return None
        if not (isinstance(tool, str) and isinstance(agent, str) and isinstance(created, int)):
            return None
        return cls(run_id, tool, agent, steps is True, created)


class TaskCodec:
    """Task ids: ``wxo1.<payload>.<mac>``, the MAC over the payload and the caller."""

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"wxo-mcp tasks\x00" + secret).digest()

    def encode(self, ref: TaskRef, caller: str) -> str:
        payload = _b64(json.dumps(ref.to_json(), separators=(",", ":")).encode())
        return f"{_PREFIX}.{payload}.{self._mac(payload, caller)}"

    def decode(self, task_id: str, caller: str) -> TaskRef | None:
        parts = task_id.split(".") if isinstance(task_id, str) else []
        if len(parts) != 3 or parts[0] != _PREFIX:
            return None
        if not hmac.compare_digest(parts[2], self._mac(parts[1], caller)):
            return None
        try:
            return TaskRef.from_json(json.loads(_unb64(parts[1])))
        except ValueError:
            return None

    def _mac(self, payload: str, caller: str) -> str:
        digest = hmac.new(self._key, f"{payload}\x00{caller}".encode(), hashlib.sha256).digest()
        return _b64(digest[:16])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def task_secret(settings: Settings, state_keys: list[str] | None) -> bytes:
    """What seals task ids, the same on every replica of one deployment: the state key (its
    newest key when rotating), else the client token. Neither (stdio, or HTTP open to anyone):
    a fixed key, so a task id still resolves after a restart; whoever may call may poll."""
    if state_keys:
        return state_keys[0].encode()
    return settings.mcp_token.get_secret_value().encode() if settings.mcp_token else b""
