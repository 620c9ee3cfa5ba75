"""``wxo-mcp agents``: the agents Orchestrate has, the tool each becomes, and why some do not.

The answer comes from the server's own code: the bridge's agent catalog (WXO_AGENTS through
``select_agents``, tool names through the naming rules) and the bridge's choice of the tools to
offer (WXO_TOOLS, WXO_MAX_AGENT_TOOLS). Only the list of every agent, hidden ones included, is
read here in addition, to say why an agent is left out.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import asdict, dataclass

import anyio

from wxo_mcp.api import OrchestrateClient, starter_prompts
from wxo_mcp.bridge.tools import GENERIC_TOOLS
from wxo_mcp.commands.common import open_bridge, open_client, print_err, settings_from, table
from wxo_mcp.config import Settings
from wxo_mcp.errors import WxoError

__all__ = ["AgentReport", "AgentRow", "agent_report", "quiet_catalog", "run"]


@dataclass(frozen=True)
class AgentRow:
    """One Orchestrate agent as a host would see it."""

    name: str
    display_name: str
    tool: str | None
    """The tool that calls it: its own, ``ask_agent``, or None when no tool reaches it."""
    selected: bool
    """Whether WXO_AGENTS (and hiddenness) let it in at all."""
    offered: bool
    """Whether it has a tool of its own in ``tools/list``."""
    note: str
    """Why it has no tool of its own (empty when it has one)."""
    prompts: int = 0
    """Its active starter prompts: each is an MCP prompt when a tool reaches the agent."""


@dataclass(frozen=True)
class AgentReport:
    rows: tuple[AgentRow, ...]
    tools: tuple[str, ...]
    """Every tool name ``tools/list`` would show, in its order."""

    @property
    def selected(self) -> int:
        """How many agents WXO_AGENTS lets in (reached by their own tool or ``ask_agent``)."""
        return sum(1 for r in self.rows if r.selected)

    @property
    def offered(self) -> int:
        return sum(1 for r in self.rows if r.offered)

    @property
    def prompts(self) -> int:
        """How many MCP prompts ``prompts/list`` would show."""
        return sum(r.prompts for r in self.rows if r.tool is not None)


def _not_offered_reason(settings: Settings, selected: int, generic: bool) -> tuple[str, str | None]:
    via = "ask_agent" if generic else None
    reach = "; reachable through ask_agent" if generic else ""
    if "agents" not in settings.tools:
        return f"WXO_TOOLS has no 'agents'{reach}", via
    return (
        f"{selected} agents exceed WXO_MAX_AGENT_TOOLS={settings.max_agent_tools}{reach}",
        via,
    )


async def agent_report(settings: Settings, client: OrchestrateClient) -> AgentReport:
    """What ``tools/list`` offers for these settings, with every agent accounted for.

    Raises the WxoError that kept the agent list from being read.
    """
    async with open_bridge(settings, client) as bridge:
        tools, _ = await bridge.tools()
        view = bridge.catalog.last_view
    # Raised outside the bridge's task group, which would wrap it in an ExceptionGroup.
    if view is None or view.error is not None:
        raise view.error if view is not None and view.error else WxoError("No agent list.")
    everyone = await client.list_agents(include_hidden=True)
    names = {t.name for t in tools}
    generic = bridge.generic_enabled
    selected = {t.agent.id: t for t in view.tools}
    rows: list[AgentRow] = []
    for agent in everyone:
        item = selected.get(agent.id)
        prompts = len(starter_prompts(agent))
        if item is None:
            if agent.name in view.left_out:
                note = view.left_out[agent.name]
            elif agent.hidden:
                note = "hidden in Orchestrate; name it exactly in WXO_AGENTS to include it"
            else:
                note = "excluded by WXO_AGENTS (" + ",".join(settings.agents) + ")"
            row = AgentRow(agent.name, agent.display_name, None, False, False, note, prompts)
        elif item.tool in names:
            row = AgentRow(agent.name, agent.display_name, item.tool, True, True, "", prompts)
        else:
            note, via = _not_offered_reason(settings, len(view.tools), generic)
            row = AgentRow(agent.name, agent.display_name, via, True, False, note, prompts)
        rows.append(row)
    return AgentReport(rows=tuple(rows), tools=tuple(t.name for t in tools))


def render(report: AgentReport, settings: Settings) -> str:
    headers = ("AGENT", "TOOL", "PROMPTS", "DISPLAY NAME", "NOTE")
    body = [(r.name, r.tool or "-", str(r.prompts), r.display_name, r.note) for r in report.rows]
    generic = [t for t in report.tools if t in GENERIC_TOOLS]
    lines = [
        table(headers, body) if body else "Orchestrate has no agents.",
        "",
        f"{len(report.rows)} agents; {report.offered} offered as tools of their own, "
        f"{report.selected - report.offered} without a tool of their own, "
        f"{len(report.rows) - report.selected} left out.",
        "Generic tools: " + (", ".join(generic) if generic else "none (WXO_TOOLS)") + ".",
        f"Prompts: {report.prompts} (the active starter prompts of the agents a tool reaches).",
    ]
    if settings.agents:
        lines.append("WXO_AGENTS: " + ",".join(settings.agents))
    return "\n".join(lines)


def quiet_catalog(settings: Settings) -> None:
    """Commands report an unreadable agent list themselves; the catalog's warning repeats it."""
    if settings.log_level not in ("DEBUG", "INFO"):
        logging.getLogger("wxo_mcp.bridge.catalog").setLevel(logging.ERROR)


async def _report(settings: Settings) -> AgentReport:
    async with open_client(settings) as client:
        return await agent_report(settings, client)


def run(args: argparse.Namespace, fields: list[str]) -> int:
    with settings_from(args, fields) as settings:
        quiet_catalog(settings)
        try:
            report = anyio.run(_report, settings)
        except WxoError as exc:
            print_err(f"wxo-mcp agents: {exc}")
            return 1
        if args.json:
            print(json.dumps([asdict(r) for r in report.rows], indent=2, ensure_ascii=False))
        else:
            print(render(report, settings))
    return 0
