"""Agents' starter prompts as MCP prompts.

Orchestrate agents carry starter prompts: the ready-made first messages a chat UI offers for an
agent. MCP hosts show prompts as slash commands, so each active starter prompt of each agent a
host can reach becomes one prompt. Getting it yields one user message: the prompt's text and one
sentence naming the tool that asks the agent, so that a model reading it sends that text there.

Which agents count is the tools' decision, read from the bridge: the agents WXO_AGENTS selects
(hidden ones only when named), each through its own tool when that is offered, else through
``ask_agent`` when the generic tools are on (WXO_TOOLS=generic, or more agents than
WXO_MAX_AGENT_TOOLS), else not at all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, GetPromptResult, Prompt, PromptMessage, TextContent

from wxo_mcp.api import StarterPrompt, starter_prompts
from wxo_mcp.bridge.catalog import AgentTool

if TYPE_CHECKING:
    from wxo_mcp.bridge.service import Bridge

__all__ = ["AgentPrompt", "AgentPrompts", "prompt_name", "reaching_tool"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_MAX_ID_PART = 40


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:6]


def prompt_name(tool: str, prompt_id: str) -> str:
    """``<agent tool>__<prompt id>``: stable across restarts, safe as a slash command.

    An id that had to be changed to fit (other characters, too long) gets a short digest of the
    original, so two ids that clean up alike still get different names.
    """
    part = _UNSAFE.sub("_", prompt_id).strip("_")[:_MAX_ID_PART]
    if part != prompt_id:
        part = f"{part}-{_digest(prompt_id)}" if part else _digest(prompt_id)
    return f"{tool}__{part}"


@dataclass(frozen=True)
class AgentPrompt:
    """One starter prompt as offered: its MCP name and the tool that asks its agent."""

    name: str
    item: AgentTool
    starter: StarterPrompt
    tool: str
    """The agent's own tool, or ``ask_agent``."""

    @property
    def description(self) -> str:
        agent = self.item.agent
        whose = f"Starter prompt of the watsonx Orchestrate agent '{agent.display_name}'."
        subtitle = self.starter.subtitle.rstrip(".")
        return f"{subtitle}. {whose}" if subtitle else whose

    def instruction(self) -> str:
        """The sentence that tells the model which tool to call with the prompt's text."""
        agent = self.item.agent
        if self.tool == self.item.tool:
            how = f"call the tool {self.tool} with the message above as its message argument"
        else:
            how = (
                f'call the tool {self.tool} with agent "{agent.name}" and the message above '
                "as its message argument"
            )
        return f"To ask the watsonx Orchestrate agent '{agent.display_name}', {how}."

    def text(self) -> str:
        return f"{self.starter.prompt}\n\n{self.instruction()}"

    def to_prompt(self) -> Prompt:
        return Prompt(name=self.name, title=self.starter.title, description=self.description)

    def to_result(self) -> GetPromptResult:
        message = PromptMessage(role="user", content=TextContent(type="text", text=self.text()))
        return GetPromptResult(description=self.description, messages=[message])


def reaching_tool(item: AgentTool, tool_names: Set[str]) -> str | None:
    """The listed tool that asks this agent: its own, else ``ask_agent``, else none."""
    if item.tool in tool_names:
        return item.tool
    return "ask_agent" if "ask_agent" in tool_names else None


def _offer(items: tuple[AgentTool, ...], tool_names: Set[str]) -> tuple[AgentPrompt, ...]:
    offered: dict[str, AgentPrompt] = {}
    for item in items:
        tool = reaching_tool(item, tool_names)
        if tool is None:
            continue
        for starter in starter_prompts(item.agent):
            name = prompt_name(item.tool, starter.id)
            if name in offered:  # a tool name ending in "__x" can meet another's prompt
                name = f"{name}-{_digest(item.agent.id, starter.id)}"
            offered[name] = AgentPrompt(name=name, item=item, starter=starter, tool=tool)
    return tuple(offered.values())


class AgentPrompts:
    """The prompts on offer for the bridge's current agent list, and whether they changed."""

    def __init__(self, bridge: Bridge) -> None:
        self._bridge = bridge
        # Keyed on the catalog's tuple of agents: a failed re-read keeps that very tuple, so
        # nothing is rebuilt (or re-read) until the agents really change.
        self._built: tuple[object, tuple[AgentPrompt, ...], frozenset[str]] | None = None
        self._seen: tuple[AgentPrompt, ...] | None = None
        self._signature: tuple[tuple[str, ...], ...] | None = None

    async def _build(self) -> tuple[tuple[AgentPrompt, ...], frozenset[str]]:
        view = self._bridge.catalog.last_view
        if view is not None and self._built is not None and self._built[0] is view.tools:
            return self._built[1], self._built[2]
        tools, _ = await self._bridge.tools()
        view = self._bridge.catalog.last_view
        if view is None:
            return (), frozenset()
        names = frozenset(t.name for t in tools)
        prompts = _offer(view.tools, names)
        self._built = (view.tools, prompts, names)
        return prompts, names

    def known(self) -> tuple[AgentPrompt, ...]:
        """The prompts of the last reading, without reading anything."""
        return self._built[1] if self._built is not None else ()

    async def offered(self) -> tuple[AgentPrompt, ...]:
        """The prompts for the agent list as it is now (read if never read)."""
        prompts, _ = await self._build()
        return prompts

    async def tool_for(self, item: AgentTool) -> str | None:
        """The listed tool that asks this agent (see ``reaching_tool``)."""
        _, names = await self._build()
        return reaching_tool(item, names)

    async def listing(self) -> list[Prompt]:
        return [p.to_prompt() for p in await self.offered()]

    async def get(self, name: str) -> GetPromptResult:
        """The prompt as one user message; an unknown name is an invalid-params error."""
        found = next((p for p in await self.offered() if p.name == name), None)
        if found is None:
            view = self._bridge.catalog.last_view
            problem = (
                f" (the agent list could not be read: {view.error})" if view and view.error else ""
            )
            raise MCPError(
                code=INVALID_PARAMS,
                message=(
                    f"Unknown prompt: {name[:80]!r}{problem}. List the prompts to see their names."
                ),
            )
        return found.to_result()

    async def changed(self) -> bool:
        """Whether what a host sees of the prompts changed since this was last asked (never on
        the first reading)."""
        prompts = await self.offered()
        if prompts is self._seen:
            return False
        signature = tuple((p.name, p.starter.title, p.description, p.text()) for p in prompts)
        before, self._seen, self._signature = self._signature, prompts, signature
        return before is not None and before != signature
