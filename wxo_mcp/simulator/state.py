"""Everything one simulator instance holds: options, agents, store, faults and observations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
from anyio.abc import TaskGroup

from .agents import AgentSpec, catalogue
from .faults import Faults
from .issuer import TokenIssuer
from .observe import SeenRequest, StreamClosed
from .options import SimulatorOptions
from .store import Store

logger = logging.getLogger(__name__)


class SimulatorState:
    """Shared by the ASGI app (on the server's loop) and the :class:`Simulator` handle (test
    thread)."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.agents: tuple[AgentSpec, ...] = catalogue(options)
        self.agents_by_id = {agent.id: agent for agent in self.agents}
        self.store = Store()
        self.faults = Faults()
        self.issuer = TokenIssuer()
        #: Developer Edition tenants by name (:mod:`.tenants`); none until a login creates one.
        self.tenants: dict[str, dict[str, Any]] = {}
        self.requests: list[SeenRequest] = []
        self.stream_closed = StreamClosed()
        self.task_group: TaskGroup | None = None
        self.shutting_down: anyio.Event | None = None
        self._orphans: set[asyncio.Task[None]] = set()

    def spawn(self, fn: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
        """Run ``fn(*args)`` in the background, owned by the app's lifespan task group.

        Without a lifespan (an app driven by ``httpx.ASGITransport``) a plain loop task is used,
        kept referenced until it ends.
        """
        if self.task_group is not None:
            self.task_group.start_soon(fn, *args)
            return

        async def run() -> None:
            await fn(*args)

        task = asyncio.get_running_loop().create_task(run())
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)

    def set_agents(self, agents: tuple[AgentSpec, ...]) -> None:
        """Replace the served agents (tests of agent-list refresh add and remove agents)."""
        self.agents = agents
        self.agents_by_id = {agent.id: agent for agent in agents}

    def reset(self) -> None:
        """Forget faults, runs, threads, tenants, recorded requests and closed streams (on the
        server loop); serve the configured agents again."""
        self.set_agents(catalogue(self.options))
        self.faults.clear()
        self.issuer.clear()
        self.tenants.clear()
        self.store.clear()
        self.requests.clear()
        self.stream_closed.clear()

    def begin_shutdown(self) -> None:
        """End every run and stream so the server can stop without waiting for them (server
        loop)."""
        if self.shutting_down is not None:
            self.shutting_down.set()
        self.store.close_all()
