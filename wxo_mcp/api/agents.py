"""Agents as the client returns them, and the WXO_AGENTS selection rule.

`select_agents` is pure so the bridge, the CLI and tests share one reading of the patterns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["Agent", "StarterPrompt", "explicit_names", "select_agents", "starter_prompts"]


@dataclass(frozen=True)
class Agent:
    """An Orchestrate agent: the fields the bridge uses, plus the whole wire object in `raw`."""

    id: str
    name: str
    display_name: str
    description: str = ""
    hidden: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Agent | None:
        """An Agent from one element of `GET /agents`; None without a usable id and name."""
        agent_id = obj.get("id")
        name = obj.get("name")
        if not isinstance(agent_id, str) or not agent_id:
            return None
        if not isinstance(name, str) or not name:
            name = agent_id
        display = obj.get("display_name")
        description = obj.get("description")
        return cls(
            id=agent_id,
            name=name,
            display_name=display if isinstance(display, str) and display else name,
            description=description if isinstance(description, str) else "",
            hidden=obj.get("hidden") is True,
            raw=dict(obj),
        )


@dataclass(frozen=True)
class StarterPrompt:
    """A ready-made first message a chat UI offers for an agent (§3 ``starter_prompts``)."""

    id: str
    title: str
    subtitle: str
    prompt: str


def starter_prompts(agent: Agent) -> tuple[StarterPrompt, ...]:
    """The agent's active starter prompts, in Orchestrate's order.

    Read from ``additional_properties.starter_prompts.prompts``; an agent may have none (``{}``
    or absent). Only ``state: "active"`` ones count; an item without an id or text is skipped,
    and a repeated id keeps its first prompt (the id names it).
    """
    extra = agent.raw.get("additional_properties")
    starters = extra.get("starter_prompts") if isinstance(extra, dict) else None
    items = starters.get("prompts") if isinstance(starters, dict) else None
    found: dict[str, StarterPrompt] = {}
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or item.get("state") != "active":
            continue
        prompt_id, text = item.get("id"), item.get("prompt")
        if not isinstance(prompt_id, str) or not prompt_id.strip() or prompt_id in found:
            continue
        if not isinstance(text, str) or not text.strip():
            continue
        title, subtitle = item.get("title"), item.get("subtitle")
        found[prompt_id] = StarterPrompt(
            id=prompt_id,
            title=title.strip() if isinstance(title, str) and title.strip() else text[:60],
            subtitle=subtitle.strip() if isinstance(subtitle, str) else "",
            prompt=text,
        )
    return tuple(found.values())


def _split(patterns: Iterable[str]) -> tuple[list[str], list[str]]:
    includes: list[str] = []
    excludes: list[str] = []
    for raw in patterns:
        pat = raw.strip()
        if not pat:
            continue
        if pat.startswith("!"):
            if pat[1:].strip():
                excludes.append(pat[1:].strip())
        else:
            includes.append(pat)
    return includes, excludes


def explicit_names(patterns: Iterable[str]) -> set[str]:
    """Include patterns without wildcards: the names that may bring a hidden agent in."""
    includes, _ = _split(patterns)
    return {p for p in includes if not any(c in p for c in "*?[")}


def select_agents(agents: Sequence[Agent], patterns: Sequence[str]) -> list[Agent]:
    """Apply WXO_AGENTS: fnmatch-style patterns against `name`, `!pat` excludes.

    - No include pattern (empty, or only exclusions): every visible agent is included.
    - A hidden agent is included only when an include pattern names it exactly.
    - Exclusions win over inclusions. Matching is case-sensitive; order is kept.
    """
    includes, excludes = _split(patterns)
    exact = explicit_names(patterns)
    chosen: list[Agent] = []
    for agent in agents:
        if any(fnmatchcase(agent.name, pat) for pat in excludes):
            continue
        if agent.hidden:
            if agent.name in exact:
                chosen.append(agent)
            continue
        if not includes or any(fnmatchcase(agent.name, pat) for pat in includes):
            chosen.append(agent)
    return chosen
