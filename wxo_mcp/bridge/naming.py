"""Tool names for agents.

MCP hosts only accept tool names made of ``[A-Za-z0-9_-]`` (some cap them near 64 characters),
while Orchestrate agent names are free text. Names must also stay the same across restarts, or
a host's saved permissions and a model's memory of the tool break: so every suffix we add is
derived from the agent's id, never from its position in a list.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

__all__ = ["MAX_TOOL_NAME", "assign_tool_names", "sanitize"]

MAX_TOOL_NAME = 60
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def sanitize(name: str) -> str:
    """The agent name with every run of unsafe characters replaced by one underscore."""
    cleaned = _UNSAFE.sub("_", name).strip("_")
    return cleaned or "agent"


def _suffix(agent_id: str, length: int = 6) -> str:
    return hashlib.sha256(agent_id.encode()).hexdigest()[:length]


def _with_suffix(base: str, agent_id: str, length: int) -> str:
    tail = "_" + _suffix(agent_id, length)
    return base[: MAX_TOOL_NAME - len(tail)] + tail


def assign_tool_names(
    agents: Sequence[tuple[str, str]], reserved: Iterable[str] = ()
) -> dict[str, str]:
    """Map each agent id to a unique, safe tool name.

    ``agents`` holds ``(agent_id, agent_name)`` pairs. Agents whose name is already safe and short
    are served first (sorted by id), so adding a look-alike agent later never renames them.
    """
    taken = set(reserved)
    names: dict[str, str] = {}

    def clean_first(pair: tuple[str, str]) -> tuple[bool, str, str]:
        agent_id, name = pair
        return (sanitize(name) != name or len(name) > MAX_TOOL_NAME, name, agent_id)

    for agent_id, name in sorted(agents, key=clean_first):
        base = sanitize(name)
        candidate = base if len(base) <= MAX_TOOL_NAME else _with_suffix(base, agent_id, 6)
        length = 6
        while candidate in taken:
            candidate = _with_suffix(base, agent_id, length)
            length += 2
            if length > 40:  # pragma: no cover - would need a sha256 prefix collision
                raise ValueError(f"cannot name a tool for agent {agent_id!r}")
        taken.add(candidate)
        names[agent_id] = candidate
    return names
