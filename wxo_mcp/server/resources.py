"""The MCP resources: Orchestrate's runs, threads and agents, read through the bridge.

One table declares them; each is read by the ``ResourceReaders`` method of the same name, whose
parameters are the URI template's variables (the SDK matches the two by name). Our errors become
the SDK's resource errors: an id that names nothing usable is -32602, anything else a read error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from wxo_mcp.bridge.arguments import is_valid_id
from wxo_mcp.bridge.cards import AgentCards
from wxo_mcp.bridge.service import Bridge
from wxo_mcp.errors import InvalidArgument, NotFound, WxoError

__all__ = ["RESOURCES", "ResourceReaders", "register_resources", "running"]

_Part = TypeVar("_Part")


@dataclass(frozen=True)
class _Resource:
    uri: str
    name: str  # also the name of its reader in ResourceReaders
    title: str
    description: str


RESOURCES = (
    _Resource(
        "orchestrate://runs",
        "list_runs",
        "Recent Orchestrate runs",
        "The 20 most recent runs as Orchestrate lists them: {total, limit, offset, data}.",
    ),
    _Resource(
        "orchestrate://runs/{run_id}",
        "get_run",
        "An Orchestrate run",
        "A run's outcome: {text, status, ...the run object}.",
    ),
    _Resource(
        "orchestrate://threads/{thread_id}",
        "get_thread",
        "An Orchestrate thread",
        "A conversation's messages, oldest first.",
    ),
    _Resource(
        "orchestrate://agents",
        "list_agents",
        "Orchestrate agents",
        "A card for each agent on offer: name, display_name, description, the tool that asks "
        "it, its tools' and collaborators' names, llm, style, starter prompts.",
    ),
    _Resource(
        "orchestrate://agents/{name}",
        "get_agent",
        "An Orchestrate agent",
        "One agent's card (see orchestrate://agents), by the agent's name.",
    ),
)


def running(part: _Part | None) -> _Part:
    """A part the server's lifespan makes (bridge, prompts, cards): it exists only while the
    server runs."""
    if part is None:
        raise RuntimeError("the bridge, prompts and agent cards exist only while the server runs")
    return part


class ResourceReaders:
    """One reader per resource; the parts are looked up at each read (they live per run)."""

    def __init__(
        self, bridge: Callable[[], Bridge | None], cards: Callable[[], AgentCards | None]
    ) -> None:
        self._bridge = bridge
        self._cards = cards

    async def list_runs(self) -> str:
        return await _read(running(self._bridge()).runs_page())

    async def get_run(self, run_id: str) -> str:
        _check_id(run_id, "run")
        return await _read(running(self._bridge()).run_document(run_id))

    async def get_thread(self, thread_id: str) -> str:
        _check_id(thread_id, "thread")
        return await _read(running(self._bridge()).thread_document(thread_id))

    async def list_agents(self) -> str:
        return await _read(running(self._cards()).listing())

    async def get_agent(self, name: str) -> str:
        return await _read(running(self._cards()).card(name))


def register_resources(server: MCPServer[Any], readers: ResourceReaders) -> None:
    for spec in RESOURCES:
        server.resource(
            spec.uri,
            name=spec.name,
            title=spec.title,
            description=spec.description,
            mime_type="application/json",
        )(getattr(readers, spec.name))


def _check_id(value: str, kind: str) -> None:
    if not is_valid_id(value):
        raise ResourceNotFoundError(f"{value[:80]!r} is not a valid Orchestrate {kind} id.")


async def _read(pending: Awaitable[str]) -> str:
    """Await a resource read, turning our errors into the SDK's resource errors."""
    try:
        return await pending
    except (NotFound, InvalidArgument) as exc:  # both -32602: the URI names nothing usable
        raise ResourceNotFoundError(str(exc)) from exc
    except WxoError as exc:
        raise ResourceError(str(exc)) from exc
