"""The agents on offer, read lazily and re-read after a time to live.

Reading the agent list costs a round trip to Orchestrate, so it is not done at start (hosts spawn
stdio servers at launch and wait for them) but on the first request that needs it, and again on
the first request after ``ttl`` seconds. A failed read keeps the previous list, so a blip in
Orchestrate does not make every tool vanish from the host. With WXO_AGENT_ENVIRONMENT set, an
agent with no deployment in that environment is left out, and the view says why.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import anyio

from wxo_mcp.api import Agent, OrchestrateClient, select_agents
from wxo_mcp.bridge.naming import assign_tool_names
from wxo_mcp.errors import WxoError

__all__ = ["AgentCatalog", "AgentTool", "CatalogView", "environment_id"]

log = logging.getLogger(__name__)


def environment_id(agent: Agent, wanted: str | None) -> str | None:
    """The id of the agent's environment named `wanted` (`live`/`draft`, WXO_AGENT_ENVIRONMENT).

    Agent ids are environment-specific on SaaS/CPD and a run must name the deployment it uses
    (orchestrate-api.md §13). None when `wanted` is None or the agent has no such environment.
    """
    if not wanted:
        return None
    for env in agent.raw.get("environments") or []:
        if isinstance(env, dict) and str(env.get("name", "")).lower() == wanted:
            env_id = env.get("id")
            return str(env_id) if env_id else None
    return None


def _deployed(agents: list[Agent], wanted: str | None) -> tuple[list[Agent], dict[str, str]]:
    """The agents deployed in `wanted`, and why each other one is left out."""
    if not wanted:
        return agents, {}
    kept: list[Agent] = []
    left_out: dict[str, str] = {}
    for agent in agents:
        if environment_id(agent, wanted) is not None:
            kept.append(agent)
        else:
            left_out[agent.name] = (
                f"not deployed in its {wanted} environment (WXO_AGENT_ENVIRONMENT={wanted})"
            )
    return kept, left_out


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
    left_out: dict[str, str] = field(default_factory=dict)
    """Agents matched by WXO_AGENTS but not offered, by name, with the reason (for `agents` and
    `doctor`): e.g. not deployed in the WXO_AGENT_ENVIRONMENT environment."""

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
        *,
        environment: str | None = None,
    ) -> None:
        self._client = client
        self._environment = environment
        self._patterns = patterns
        self._ttl = ttl
        self._reserved = reserved
        self._view: CatalogView | None = None
        self._read_at = float("-inf")
        self._lock = anyio.Lock()
        self._last_problem: str | None = None

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
                # Said once per distinct problem: a host polls tools/list and would flood stderr.
                level = logging.DEBUG if str(exc) == self._last_problem else logging.WARNING
                self._last_problem = str(exc)
                log.log(level, "could not read the agent list: %s", exc)
                tools = before.tools if before is not None else ()
                left_out = before.left_out if before is not None else {}
                self._view = CatalogView(tools=tools, error=exc, left_out=left_out)
                # Try again on the next request rather than waiting a whole TTL.
                self._read_at = float("-inf")
                return self._view, False
            agents, left_out = _deployed(agents, self._environment)
            names = assign_tool_names([(a.id, a.name) for a in agents], self._reserved)
            tools = tuple(AgentTool(agent=a, tool=names[a.id]) for a in agents)
            self._view = CatalogView(tools=tools, left_out=left_out)
            self._last_problem = None
            self._read_at = time.monotonic()
            changed = before is not None and before.signature() != self._view.signature()
            return self._view, changed
