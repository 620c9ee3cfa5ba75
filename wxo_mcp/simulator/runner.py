"""Executes a run in the background: the framing events of §12 around an agent's scenario.

A run belongs to the server, not to a stream: it starts when ``POST /runs`` is accepted and goes on
whether or not a client streams it or stays connected, as in the real runtime, where a run keeps
going
after the caller disconnects and ``GET /runs/{id}`` later shows its outcome.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio

from . import payloads
from .options import SimulatorOptions
from .scenarios import SCENARIOS, AgentFailure, Turn
from .store import TERMINAL_STATUSES, RunRecord, ThreadRecord

logger = logging.getLogger(__name__)

JSON = dict[str, Any]


async def execute(
    record: RunRecord, thread: ThreadRecord, turn: int, context: JSON, options: SimulatorOptions
) -> None:
    """Drive ``record`` from pending to completed or failed, emitting every event into it."""
    run = record.run
    agent = record.agent
    ids = {"run_id": record.id, "agent_id": agent.id, "thread_id": record.thread_id}
    try:
        with record.cancel_scope:
            await anyio.sleep(options.pending_delay)
            record.update(status="running", started_at=payloads.now_iso())
            record.emit("run.started", dict(ids))
            record.emit("message.started", {"thread_id": record.thread_id, "run_id": record.id})
            scenario = SCENARIOS[agent.behaviour]
            try:
                answer = await scenario(Turn(record, options, record.user_text, turn))
            except AgentFailure as failure:
                record.update(
                    status="failed", failed_at=payloads.now_iso(), last_error=failure.error
                )
                record.emit("run.failed", ids | {"error": failure.error})
                record.emit("done", ids | {"context": context})
                return
            await anyio.sleep(options.event_delay)
            record.emit(
                "run.step.intermediate",
                {
                    "thread_id": record.thread_id,
                    "run_id": record.id,
                    "agent_display_name": agent.name,
                    "current_agent": agent.name,
                    "message": {
                        "key": "wrappingUpFinalResponse",
                        "text": payloads.intermediate_text("wrappingUpFinalResponse"),
                    },
                },
            )
            message = payloads.assistant_message(
                message_id=payloads.new_id(),
                thread_id=record.thread_id,
                parent_message_id=record.user_message_id,
                text=answer.text,
                step_history=answer.step_history,
                content=answer.content,
                is_async=answer.is_async,
            )
            thread.messages.append(message)
            await anyio.sleep(options.event_delay)
            record.emit(
                "message.created",
                {
                    "thread_id": record.thread_id,
                    "message_id": message["id"],
                    "agent_id": agent.id,
                    "run_id": record.id,
                    "message": message,
                },
            )
            record.emit("message.completed", {"thread_id": record.thread_id, "run_id": record.id})
            record.update(
                status="completed",
                completed_at=payloads.now_iso(),
                result=payloads.run_result(message),
            )
            await anyio.sleep(options.event_delay)
            record.emit(
                "run.completed",
                {
                    "run_id": record.id,
                    "agent_id": agent.id,
                    "context": context,
                    "thread_id": record.thread_id,
                },
            )
            record.emit(
                "done",
                {
                    "run_id": record.id,
                    "agent_id": agent.id,
                    "context": context,
                    "thread_id": record.thread_id,
                },
            )
            if answer.later is not None:
                # An async flow (§10): the run is over; its answer lands in the thread later.
                await anyio.sleep(answer.later_seconds)
                thread.messages.append(
                    payloads.assistant_message(
                        message_id=payloads.new_id(),
                        thread_id=record.thread_id,
                        parent_message_id=record.user_message_id,
                        text=answer.later.text,
                        step_history=answer.later.step_history,
                        content=answer.later.content,
                    )
                )
    except Exception:
        # A bug in a scenario must not vanish: fail the run visibly, as the runtime would.
        logger.exception("simulated run %s crashed", record.id)
        record.update(status="failed", failed_at=payloads.now_iso(), last_error="Internal error")
        record.emit("run.failed", ids | {"error": "Internal error"})
        record.emit("done", ids | {"context": context})
    finally:
        if run["status"] not in TERMINAL_STATUSES:
            # Cut short by a reset or shutdown.
            run.update(status="cancelled", cancelled_at=payloads.now_iso())
        record.close()
