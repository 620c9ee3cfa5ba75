"""What ``ask_agent`` says when the agent it is given is not on offer.

Orchestrate hides some agents, and WXO_AGENTS only lets one in when a pattern names it exactly.
"Doesn't exist" would be false for those: the agent list is read once more, hidden agents
included, to say that the agent is hidden and which WXO_AGENTS includes it (keeping the patterns
already set, so nothing else drops out). That read happens only on this miss.
"""

from __future__ import annotations

from collections.abc import Sequence

from wxo_mcp.api import Agent, OrchestrateClient
from wxo_mcp.bridge.catalog import CatalogView
from wxo_mcp.errors import WxoError

__all__ = ["including", "unknown_agent"]


def including(patterns: Sequence[str], name: str) -> str:
    """WXO_AGENTS with `name` added; ``*`` first when no pattern includes anything yet (an
    exact name alone would leave out every other agent)."""
    includes = [p for p in patterns if not p.startswith("!")]
    return ",".join([*([] if includes else ["*"]), *patterns, name])


def _matches(agent: Agent, ref: str) -> bool:
    folded = ref.casefold()
    names = (agent.name, agent.display_name or "")
    return ref in (agent.name, agent.id) or folded in (n.casefold() for n in names)


async def unknown_agent(
    client: OrchestrateClient, patterns: Sequence[str], view: CatalogView, ref: str
) -> str:
    """The error for an `ask_agent` whose `ref` matches no agent on offer."""
    try:
        everyone = await client.list_agents(include_hidden=True)
    except WxoError:
        everyone = []  # the ordinary answer below still holds
    hidden = next((a for a in everyone if a.hidden and _matches(a, ref)), None)
    if hidden is not None and hidden.name not in patterns:
        return (
            f"Agent {hidden.name!r} is hidden in Orchestrate, so it is left out unless WXO_AGENTS "
            f"names it exactly. To include it, start wxo-mcp with "
            f"WXO_AGENTS='{including(patterns, hidden.name)}'."
        )
    known = ", ".join(t.agent.name for t in view.tools[:20]) or "none"
    return (
        f"No agent named {ref[:80]!r}. Known agents: {known}. Call list_agents for the full list."
    )
