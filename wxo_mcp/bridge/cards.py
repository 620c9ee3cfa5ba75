"""Agents as resources: one JSON card per agent a host can reach.

A card says what an agent is and how to reach it: its names, description, the tool it becomes,
the names of its tools and collaborators, its model and style, and its starter prompts with the
MCP prompt each became. The agent list gives tools and collaborators only as ids; their names
are looked up the first time a card needs them (as the ADK does, in bulk) and kept until the
agent list changes. A failed lookup shows the ids and is tried again on the next read; an id
Orchestrate does not know stays an id.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from wxo_mcp.api import agent_names, starter_prompts, tool_names
from wxo_mcp.bridge.catalog import AgentTool, CatalogView
from wxo_mcp.bridge.prompts import AgentPrompts
from wxo_mcp.errors import NotFound, WxoError

if TYPE_CHECKING:
    from wxo_mcp.bridge.service import Bridge

__all__ = ["AgentCards"]

log = logging.getLogger(__name__)


def _ids(agent_raw: dict[str, Any], key: str) -> list[str]:
    value = agent_raw.get(key)
    return [i for i in value if isinstance(i, str) and i] if isinstance(value, list) else []


def _text(agent_raw: dict[str, Any], key: str) -> str | None:
    value = agent_raw.get(key)
    return value if isinstance(value, str) and value else None


class AgentCards:
    """Cards for the bridge's current agents, with id → name lookups cached per agent list."""

    def __init__(self, bridge: Bridge, prompts: AgentPrompts) -> None:
        self._bridge = bridge
        self._prompts = prompts
        self._names_for: object = None
        self._tools: dict[str, str] = {}
        self._agents: dict[str, str] = {}

    async def _view(self) -> CatalogView:
        await self._prompts.offered()  # reads the agent list if it never was
        view = self._bridge.catalog.last_view
        if view is None or (view.error is not None and not view.tools):
            raise view.error if view is not None and view.error else WxoError("No agent list.")
        if view.tools is not self._names_for:  # a new agent list: names may have changed
            self._names_for, self._tools, self._agents = view.tools, {}, {}
        return view

    async def listing(self) -> str:
        """The card of every agent WXO_AGENTS selects, as a JSON array."""
        view = await self._view()
        items = view.tools
        await self._resolve(items, view)
        return json.dumps([await self._card(item) for item in items], ensure_ascii=False)

    async def card(self, ref: str) -> str:
        """One agent's card, by name (or id or tool name); NotFound for an unknown agent."""
        view = await self._view()
        item = view.find(ref)
        if item is None:
            known = ", ".join(t.agent.name for t in view.tools[:20]) or "none"
            raise NotFound(
                f"No agent named {ref[:80]!r}. Known agents: {known}.",
                "Read orchestrate://agents for the full list.",
                status_code=404,
            )
        await self._resolve((item,), view)
        return json.dumps(await self._card(item), ensure_ascii=False)

    async def _resolve(self, items: tuple[AgentTool, ...], view: CatalogView) -> None:
        """Look up the tool and collaborator names these cards need and nobody has yet."""
        for other in view.tools:  # agents on offer need no lookup
            self._agents.setdefault(other.agent.id, other.agent.name)
        client = self._bridge.client
        tools = {i for t in items for i in _ids(t.agent.raw, "tools")} - set(self._tools)
        agents = {i for t in items for i in _ids(t.agent.raw, "collaborators")}
        agents -= set(self._agents)
        try:
            if tools:
                found = await tool_names(client, sorted(tools))
                # An id Orchestrate no longer knows stays an id, and is not asked for again.
                self._tools.update({i: found.get(i, i) for i in tools})
            if agents:
                found = await agent_names(client, sorted(agents))
                self._agents.update({i: found.get(i, i) for i in agents})
        except WxoError as exc:
            log.info("could not resolve the names of agents' tools or collaborators: %s", exc)

    async def _card(self, item: AgentTool) -> dict[str, Any]:
        agent = item.agent
        offered = {
            p.starter.id: p.name
            for p in await self._prompts.offered()
            if p.item.agent.id == agent.id
        }
        return {
            "name": agent.name,
            "display_name": agent.display_name,
            "description": agent.description,
            "tool": await self._prompts.tool_for(item),
            "tools": [self._tools.get(i, i) for i in _ids(agent.raw, "tools")],
            "collaborators": [self._agents.get(i, i) for i in _ids(agent.raw, "collaborators")],
            "llm": _text(agent.raw, "llm"),
            "style": _text(agent.raw, "style"),
            "starter_prompts": [
                {
                    "id": s.id,
                    "title": s.title,
                    "subtitle": s.subtitle,
                    "prompt": s.prompt,
                    "mcp_prompt": offered.get(s.id),
                }
                for s in starter_prompts(agent)
            ],
        }
