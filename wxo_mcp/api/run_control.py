"""Acting on a run that already exists: cancel it, replay its events.

Orchestrate documents both (orchestrate-api.md §6): ``POST …/runs/cancel/{run_id}`` →
``{thread_id, run_id}``, and ``GET …/runs/{run_id}/events?stream_timeout=<ms>`` → the run's
events so far as ``[{id, event, data}]``, held open up to ``stream_timeout`` for more. They live
beside the client (a mixin of :class:`~wxo_mcp.api.client.OrchestrateClient`) so that module stays
the one place that speaks HTTP, without growing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from wxo_mcp.api.events import RunEvent
from wxo_mcp.api.paths import Endpoints
from wxo_mcp.errors import ApiError

__all__ = ["MAX_STREAM_TIMEOUT_MS", "RunControl"]

#: Longest wait asked of the events endpoint; well inside any sane read timeout.
MAX_STREAM_TIMEOUT_MS = 30_000


class RunControl:
    """Cancel and event replay; the HTTP plumbing is the client's."""

    # Provided by OrchestrateClient: the endpoints, and a retried JSON request.
    _require_endpoints: Callable[[], Endpoints]
    _get_json: Callable[..., Awaitable[Any]]

    async def cancel_run(self, run_id: str) -> dict[str, Any]:
        """Ask Orchestrate to stop a run: ``{thread_id, run_id}``.

        Cancelling is idempotent (a finished run stays as it was), so it is retried like a read.
        Raises NotFound for a run Orchestrate does not know, and our other errors as usual.
        """
        url = self._require_endpoints().run_cancel(run_id)
        body = await self._get_json(url, f"cancelling run {run_id}", method="POST")
        return body if isinstance(body, dict) else {"run_id": run_id}

    async def run_events(self, run_id: str, stream_timeout_ms: int = 1000) -> list[RunEvent]:
        """The run's events so far, waiting up to ``stream_timeout_ms`` for more.

        Events that name no event are dropped; unknown names pass through (callers ignore them).
        Raises NotFound when Orchestrate has no events for the run.
        """
        url = self._require_endpoints().run_events(run_id)
        timeout = max(0, min(int(stream_timeout_ms), MAX_STREAM_TIMEOUT_MS))
        body = await self._get_json(
            url, f"reading the events of run {run_id}", params={"stream_timeout": timeout}
        )
        items = body.get("data") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise ApiError(f"Orchestrate's events of run {run_id} have an unexpected shape.")
        events = (RunEvent.from_wire(item) for item in items if isinstance(item, Mapping))
        return [event for event in events if event is not None]
