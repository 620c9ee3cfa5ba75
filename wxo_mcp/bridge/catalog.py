"""The agents on offer, read lazily and re-read after a time to live.

Reading the agent list costs a round trip to Orchestrate, so it is not done at start (hosts spawn
stdio servers at launch and wait for them) but on the first request that needs it, and again on
the first request after ``ttl`` seconds. A failed read keeps the previous list, so a blip in
Orchestrate does not make every tool vanish from the host.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import anyio

from wxo_mcp.api import Agent, OrchestrateClient, select_agents
from wxo_mcp.bridge.naming import assign_tool_names
from wxo_mcp.errors import WxoError

__all__ = ["AgentCatalog", "AgentTool", "CatalogView"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentTool:
    """An agent together with the name of the tool that calls it."""

    agent: Agent
    tool: str


@dataclass(frozen=True)
class CatalogView:
    """One reading of the agent list, with each agent's tool name."""

    tools: tuple[AgentTool, ...]
    error: WxoError | None = None
    """Why the list could not be read (the tools then come from the last good reading)."""

    def by_tool(self, name: str) -> AgentTool | None:
        return next((t for t in self.tools if t.tool == name), None)

    def find(self, ref: str) -> AgentTool | None:
        """An agent by name, id, display name or tool name (exact first, then case-blind)."""
        for t in self.tools:
            if ref in (t.agent.name, t.agent.id, t.tool):
                return t
        folded = ref.casefold()
        for t in self.tools:
            names = (t.agent.name, t.tool, t.agent.display_name or "")
            if folded in (n.casefold() for n in names):
                return t
        return None

    def signature(self) -> tuple[tuple[str, str, str], ...]:
        """What a host sees of the agent tools; a change means ``tools/list_changed``."""
        return tuple((t.tool, t.agent.id, t.agent.description or "") for t in self.tools)


class AgentCatalog:
    def __init__(
        self,
        client: OrchestrateClient,
        patterns: list[str],
        ttl: float,
        reserved: frozenset[str],
    ) -> None:
        self._client = client
        self._patterns = patterns
        self._ttl = ttl
        self._reserved = reserved
        self._view: CatalogView | None = None
        self._read_at = float("-inf")
        self._lock = anyio.Lock()

    @property
    def last_view(self) -> CatalogView | None:
        """The latest reading, without touching Orchestrate."""
        return self._view

    @property
    def stale(self) -> bool:
        return self._view is None or time.monotonic() - self._read_at >= self._ttl

    async def view(self) -> tuple[CatalogView, bool]:
        """The current view, re-read when stale; the flag tells whether the tools changed."""
        if not self.stale and self._view is not None:
            return self._view, False
        async with self._lock:
            if not self.stale and self._view is not None:
                return self._view, False
            before = self._view
            try:
                agents = select_agents(await self._client.list_agents(), self._patterns)
            except WxoError as exc:
                log.warning("could not read the agent list: %s", exc)
                tools = before.tools if before is not None else ()
                self._view = CatalogView(tools=tools, error=exc)
                # Try again on the next request rather than waiting a whole TTL.
                self._read_at = float("-inf")
                return self._view, False
            names = assign_tool_names([(a.id, a.name) for a in agents], self._reserved)
            tools = tuple(AgentTool(agent=a, tool=names[a.id]) for a in agents)
            self._view = CatalogView(tools=tools)
            self._read_at = time.monotonic()
            changed = before is not None and before.signature() != self._view.signature()
            return self._view, changed
