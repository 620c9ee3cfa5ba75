"""The two path families of the Orchestrate API, resolved to one set of resource handlers.

Local Developer Edition serves ``/v1/...`` (the ADK) and ``/api/v1/...`` (docs, web UI): runs and
agents
under ``/orchestrate/``, but threads, external agents and assistants without it. SaaS (and CPD)
serve
everything under ``/instances/<id>/v1/orchestrate/...``; anything else there is the gateway's 404,
including the bare ``/v1/runs`` that the local layout would suggest (§1.2, §15.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Family = Literal["local", "saas"]


@dataclass(frozen=True, slots=True)
class _Route:
    name: str
    method: str
    local: str
    saas: str


# Order matters where patterns overlap: "agents/external-chat" before "agents/{agent_id}".
_ROUTES = (
    _Route("list_agents", "GET", "/orchestrate/agents", "/agents"),
    _Route("external_agents", "GET", "/agents/external-chat", "/agents/external-chat"),
    _Route("assistant_agents", "GET", "/assistants/watsonx", "/assistants/watsonx"),
    _Route("get_agent", "GET", "/orchestrate/agents/{agent_id}", "/agents/{agent_id}"),
    # Local tools sit outside /orchestrate (§1.2: ``v1/tools/``); the ADK adds the trailing slash.
    _Route("list_tools", "GET", "/tools/?", "/tools/?"),
    _Route("create_run", "POST", "/orchestrate/runs", "/runs"),
    _Route("list_runs", "GET", "/orchestrate/runs", "/runs"),
    _Route("stream_run", "POST", "/orchestrate/runs/stream", "/runs/stream"),
    _Route("get_run", "GET", "/orchestrate/runs/{run_id}", "/runs/{run_id}"),
    _Route("list_knowledge_bases", "GET", "/orchestrate/knowledge-bases", "/knowledge-bases"),
    _Route(
        "get_knowledge_base",
        "GET",
        "/orchestrate/knowledge-bases/{knowledge_base_id}",
        "/knowledge-bases/{knowledge_base_id}",
    ),
    _Route("create_thread", "POST", "/threads", "/threads"),
    _Route("list_threads", "GET", "/threads", "/threads"),
    _Route("get_thread", "GET", "/threads/{thread_id}", "/threads/{thread_id}"),
    _Route(
        "thread_messages", "GET", "/threads/{thread_id}/messages", "/threads/{thread_id}/messages"
    ),
)


def _compile(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


_COMPILED = {
    family: [
        (route, _compile(route.local if family == "local" else route.saas)) for route in _ROUTES
    ]
    for family in ("local", "saas")
}
_LOCAL_PREFIX = re.compile(r"^/(?:api/)?v1(?P<rest>/.*)$")
# CPD instance URLs put the instance under ``/orchestrate/<namespace>`` (§1.1); SaaS ones do not.
_SAAS_PREFIX = re.compile(r"^(?:/orchestrate/[^/]+)?/instances/(?P<instance>[^/]+)(?P<rest>/.*)?$")
_SAAS_BASE = "/v1/orchestrate"


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where a request goes: ``name`` is None when no route matches (``method_allowed`` tells
    404/405)."""

    family: Family
    name: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    method_allowed: bool = True
    known_instance: bool = True


def resolve(method: str, path: str, instance_id: str, deployment: str = "both") -> Resolved:
    """Find the resource handler for ``method path``; ``deployment`` (``both``, ``local`` or
    ``saas``) says which families exist: under ``saas`` every other path is the gateway's 404
    (``known_instance`` False), under ``local`` an instance path is the runtime's plain 404."""
    saas = _SAAS_PREFIX.match(path)
    if deployment == "saas" and saas is None:
        return Resolved("saas", known_instance=False)
    if deployment == "local" and saas is not None:
        return Resolved("local")
    if saas is not None:
        if saas.group("instance") != instance_id:
            return Resolved("saas", known_instance=False)
        rest = saas.group("rest") or ""
        if not rest.startswith(_SAAS_BASE + "/"):
            return Resolved("saas")
        return _match("saas", method, rest[len(_SAAS_BASE) :])
    local = _LOCAL_PREFIX.match(path)
    if local is None:
        return Resolved("local")
    return _match("local", method, local.group("rest"))


def is_instance_path(path: str) -> bool:
    """Whether ``path`` belongs to the SaaS / CPD ``/instances/<id>`` family."""
    return _SAAS_PREFIX.match(path) is not None


def _match(family: Family, method: str, rest: str) -> Resolved:
    path_matched = False
    for route, pattern in _COMPILED[family]:
        found = pattern.match(rest)
        if found is None:
            continue
        if route.method == method:
            return Resolved(family, route.name, found.groupdict())
        path_matched = True
    return Resolved(family, method_allowed=not path_matched)
