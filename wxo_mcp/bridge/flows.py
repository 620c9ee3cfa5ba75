"""Waiting for an async flow's answer, which arrives in the thread after its run completed.

A flow (or an async agent) answers first with a notice marked ``is_async`` ("A new flow has
started…"); the run completes, and the flow's output is appended to the thread later
(orchestrate-api.md §10). Like the ADK's ``_poll_and_display_async_messages``, we read the thread
about once a second until a later assistant message appears that is neither async nor such a
notice. The caller bounds the wait (the call's deadline, the background run's limit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio

from wxo_mcp.api import OrchestrateClient, RunAccumulator
from wxo_mcp.bridge.render import is_flow_notice
from wxo_mcp.errors import WxoError

__all__ = ["FLOW_POLL_INTERVAL", "flow_answer", "wait_for_flow_answer"]

log = logging.getLogger(__name__)

FLOW_POLL_INTERVAL = 1.0


def flow_answer(
    messages: Sequence[Mapping[str, Any]], notice_id: str | None
) -> dict[str, Any] | None:
    """The flow's answer among a thread's messages (oldest first), if it has arrived.

    Only messages after the notice count (after the last async message when the notice's id is
    unknown or missing), so an earlier turn's answer is never taken for the flow's.
    """
    start = None
    for index, message in enumerate(messages):
        if notice_id is not None and message.get("id") == notice_id:
            start = index + 1
            break
    if start is None:
        asyncs = [i for i, m in enumerate(messages) if RunAccumulator.message_is_async(m)]
        if not asyncs:
            return None
        start = asyncs[-1] + 1
    for message in messages[start:]:
        if message.get("role") != "assistant" or RunAccumulator.message_is_async(message):
            continue
        text = RunAccumulator.text_of_message(message)
        if text and is_flow_notice(text):
            continue
        if text or message.get("content"):
            return dict(message)
    return None


async def wait_for_flow_answer(
    client: OrchestrateClient,
    thread_id: str,
    notice_id: str | None,
    *,
    interval: float = FLOW_POLL_INTERVAL,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Read the thread every ``interval`` seconds until the flow's answer is there.

    Never returns without one: bound it with a cancel scope. A failed read is retried at the
    next tick (the thread is read-only here, so retrying is harmless).
    """
    started = time.monotonic()
    while True:
        try:
            answer = flow_answer(await client.thread_messages(thread_id), notice_id)
        except WxoError as exc:
            log.debug("reading thread %s for a flow's answer failed: %s", thread_id, exc)
            answer = None
        if answer is not None:
            return answer
        if on_wait is not None:
            waited = time.monotonic() - started
            on_wait(f"Waiting for the flow's answer ({waited:.0f} s)…")
        await anyio.sleep(interval)
