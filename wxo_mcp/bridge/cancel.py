"""Cancelling a run in Orchestrate: for MCP cancellation, ``tasks/cancel`` and ``cancel_run``.

Orchestrate has a real cancel (``POST …/runs/cancel/{id}``, orchestrate-api.md §6), so a caller
who gives up stops the run itself, not only our reading of it. A run being started has no id
yet: the cancel waits (briefly) for its first event and then sends it. A cancel that fails is
said in words in the result; it never raises.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

from wxo_mcp.api import OrchestrateClient
from wxo_mcp.bridge.results import RunResult
from wxo_mcp.bridge.runs import CANCELLED, RunHandle
from wxo_mcp.errors import NotFound, WxoError

__all__ = ["CANCEL_WAIT", "cancel_handle", "cancel_run", "cancel_upstream", "is_settled"]

ReadStatus = Callable[[str], Awaitable[RunResult]]

#: How long a cancel waits for a run being started to get its id.
CANCEL_WAIT = 10.0


def is_settled(handle: RunHandle) -> bool:
    """The run ended (or was given up on) and nothing more will come of it."""
    return handle.done.is_set() and handle.status != "running"


async def cancel_upstream(client: OrchestrateClient, run_id: str) -> str | None:
    """Orchestrate's cancel; None when it was accepted, else what went wrong."""
    try:
        await client.cancel_run(run_id)
    except NotFound:
        return f"Orchestrate has no run with id {run_id}, so there was nothing to cancel."
    except WxoError as exc:
        return f"Orchestrate did not cancel run {run_id}: {exc}"
    return None


async def cancel_handle(client: OrchestrateClient, handle: RunHandle) -> str | None:
    """Stop a run this process streams, in Orchestrate too; None when that worked.

    The record says ``cancelled``, with why in ``error`` when Orchestrate refused.
    """
    if is_settled(handle):
        return None
    handle.cancelled_by_caller = True
    if not handle.created.is_set():
        with anyio.move_on_after(CANCEL_WAIT):
            await handle.created.wait()
    handle.scope.cancel()
    if handle.run_id is None:
        with anyio.move_on_after(5):
            await handle.done.wait()
        handle.error = "The call was cancelled before Orchestrate had started the run."
        return None
    problem = await cancel_upstream(client, handle.run_id)
    with anyio.move_on_after(5):
        await handle.done.wait()
    if problem is None and handle.status == "running":  # the stream had already ended
        handle.status, handle.error = "cancelled", CANCELLED
    elif problem is not None and handle.status == "cancelled":
        handle.error = (
            f"The call was cancelled, but {problem[0].lower()}{problem[1:]} The run may still "
            f'finish there: get_run with run_id "{handle.run_id}" shows its outcome.'
        )
    return problem


async def cancel_run(
    client: OrchestrateClient, handle: RunHandle | None, run_id: str, read_status: ReadStatus
) -> tuple[RunResult, str | None]:
    """The ``cancel_run`` tool: the run's result after the cancel, and what went wrong if any.

    A run that had already ended is left as it was (Orchestrate does the same) and said so.
    """
    if handle is not None and not is_settled(handle):
        problem = await cancel_handle(client, handle)
        result = handle.result()
    elif handle is not None:
        problem, result = None, handle.result()
    else:
        problem = await cancel_upstream(client, run_id)
        result = await read_status(run_id)
    if problem is not None:
        return result.model_copy(update={"error": problem}), problem
    if result.status in ("running", "cancelled"):
        note = f"Run {run_id} was cancelled in Orchestrate at your request."
        return result.model_copy(update={"status": "cancelled", "error": note}), None
    note = f"Run {run_id} had already ended ({result.status}); there was nothing to cancel."
    if result.error:
        note = f"{note} {result.error}"
    return result.model_copy(update={"error": note}), None
