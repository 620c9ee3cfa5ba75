"""What a run is doing now, wherever it runs: our own record first, then Orchestrate.

A run this process streams is read from its record. Any other run (started by another replica,
before a restart, or whose stream we gave up) is followed through Orchestrate's event replay,
which gives the same result a live stream would plus the latest step; ``GET /runs/{id}`` is the
fallback when Orchestrate has no events for it, and settles async flows from their thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import anyio

from wxo_mcp.api import OrchestrateClient, RunAccumulator
from wxo_mcp.bridge.flows import flow_answer
from wxo_mcp.bridge.outcomes import message_of_run, result_from_message, result_from_run
from wxo_mcp.bridge.progress import ProgressSender
from wxo_mcp.bridge.replay import Replayed, replay_run
from wxo_mcp.bridge.results import RunResult, status_from_orchestrate
from wxo_mcp.bridge.runs import RunRegistry
from wxo_mcp.errors import NotFound, WxoError

__all__ = ["RunLookup"]

POLL_INTERVAL = 1.0


class RunLookup:
    def __init__(
        self,
        client: OrchestrateClient,
        registry: RunRegistry,
        agent_name: Callable[[object], str | None],
    ) -> None:
        self._client = client
        self._registry = registry
        self._agent_name = agent_name

    async def observe(
        self,
        run_id: str,
        wait: float = 0.0,
        progress: ProgressSender | None = None,
        *,
        final_only: bool = False,
    ) -> Replayed:
        """The run's result (waiting up to ``wait`` seconds for it to end) and latest step.

        ``final_only``: a record whose stream broke (``interrupted``) is not the run's outcome;
        ask Orchestrate instead (a task must not complete while the run goes on).
        """
        handle = self._registry.get(run_id)
        if handle is not None and final_only and handle.status == "interrupted":
            handle = None
        if handle is not None:
            if wait > 0 and not handle.done.is_set():
                with anyio.move_on_after(wait):
                    await handle.done.wait()
            if not (handle.done.is_set() and handle.status == "running"):
                live = handle.live
                return Replayed(handle.result(), live.progress_text if live else None)
        deadline = anyio.current_time() + wait
        try:
            replayed = await replay_run(self._client, run_id, wait, self._agent_name, progress)
        except NotFound:
            replayed = None
        except WxoError as exc:
            return Replayed(self._unreadable(run_id, str(exc)), None)
        if replayed is not None:
            return replayed
        remaining = max(0.0, deadline - anyio.current_time())
        return Replayed(await self._from_run(run_id, remaining), None)

    async def run_status(
        self, run_id: str, wait: float = 0.0, progress: ProgressSender | None = None
    ) -> RunResult:
        return (await self.observe(run_id, wait, progress)).result

    async def _from_run(self, run_id: str, wait: float) -> RunResult:
        """``GET /runs/{id}``, polled while it runs, up to ``wait`` seconds."""
        try:
            run = await self._client.get_run(run_id)
            with anyio.move_on_after(wait):
                while _still_running(run):
                    await anyio.sleep(POLL_INTERVAL)
                    run = await self._client.get_run(run_id)
        except NotFound:
            return self._unreadable(
                run_id,
                f"Orchestrate has no run with id {run_id}. Check the run_id returned by the call.",
            )
        except WxoError as exc:
            return self._unreadable(run_id, str(exc))
        agent = self._agent_name(run.get("agent_id"))
        return await self.flow_outcome(run, result_from_run(run, agent))

    @staticmethod
    def _unreadable(run_id: str, error: str) -> RunResult:
        return RunResult(
            text="", thread_id=None, run_id=run_id, agent=None, status="failed", error=error
        )

    async def flow_outcome(self, run: dict[str, Any], result: RunResult) -> RunResult:
        """For a run we have no record of that only started an async flow: the flow's answer
        from its thread, or ``running`` while there is none yet."""
        message = message_of_run(run)
        if (
            message is None
            or result.status != "completed"
            or not result.thread_id
            or not RunAccumulator.message_is_async(message)
        ):
            return result
        try:
            messages = await self._client.thread_messages(result.thread_id)
        except WxoError:
            messages = []
        notice_id = message.get("id")
        answer = flow_answer(messages, notice_id if isinstance(notice_id, str) else None)
        if answer is None:
            return result.model_copy(update={"status": "running"})
        return result_from_message(answer, result, status="completed")


def _still_running(run: Mapping[str, Any]) -> bool:
    return status_from_orchestrate(run.get("status")) == "running"
