"""Names for the ids an agent object lists as its tools and collaborators.

Orchestrate's agent list names an agent's tools and collaborators only by id (orchestrate-api.md
§3). The ADK turns them into names in bulk: tools through ``…/tools?ids=``, collaborators through
``…/agents?ids=`` and then, for ids still unknown, the external and assistant agent lists. This
module does the same, a few dozen ids per request so that no URL grows without bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from wxo_mcp.api.client import OrchestrateClient
from wxo_mcp.errors import NotFound

__all__ = ["agent_names", "tool_names"]

#: Ids per request: 40 UUIDs make a query of about 1,600 characters.
BATCH = 40


async def tool_names(client: OrchestrateClient, ids: Iterable[str]) -> dict[str, str]:
    """``{id: name}`` for the tool ids Orchestrate knows; unknown ids are left out."""
    endpoints = client._require_endpoints()
    return await _lookup(client, endpoints.tools, _unique(ids), "resolving tool ids")


async def agent_names(client: OrchestrateClient, ids: Iterable[str]) -> dict[str, str]:
    """``{id: name}`` for agent ids: native agents (hidden ones too), then external and
    assistant agents for the rest. Unknown ids are left out."""
    endpoints = client._require_endpoints()
    wanted = _unique(ids)
    names = await _lookup(
        client, endpoints.agents, wanted, "resolving agent ids", include_hidden="true"
    )
    for url in (endpoints.external_agents, endpoints.assistant_agents):
        missing = [i for i in wanted if i not in names]
        if not missing:
            break
        try:
            names.update(await _lookup(client, url, missing, "resolving agent ids"))
        except NotFound:  # an instance without that kind of agent
            continue
    return names


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))


async def _lookup(
    client: OrchestrateClient, url: str, ids: Sequence[str], what: str, **extra: str
) -> dict[str, str]:
    names: dict[str, str] = {}
    for start in range(0, len(ids), BATCH):
        query = urlencode([*extra.items(), *(("ids", i) for i in ids[start : start + BATCH])])
        body = await client._get_json(f"{url}?{query}", what)
        names.update(_names_in(body))
    return names


def _names_in(body: Any) -> dict[str, str]:
    """``{id: name}`` from a list of objects (or ``{"data": [...]}``); odd items are skipped."""
    items = body.get("data") if isinstance(body, dict) else body
    names: dict[str, str] = {}
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        item_id, name = item.get("id"), item.get("name") or item.get("display_name")
        if isinstance(item_id, str) and isinstance(name, str) and name:
            names[item_id] = name
    return names
