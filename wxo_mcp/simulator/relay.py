"""The run stream response: relays a run's events as NDJSON and applies stream faults.

A raw ASGI response rather than Starlette's ``StreamingResponse``, because the simulator needs three
things it does not offer: notice at once when the client goes away (even while nothing is being
sent,
e.g. during a stall), end the body without its final chunk (a dropped connection), and record that
the
client left early. The run itself is never affected: it belongs to :mod:`.runner`.
"""

from __future__ import annotations

import anyio
from starlette.types import Message, Receive, Scope, Send

from .faults import StreamFault
from .observe import StreamClosed
from .store import RunRecord
from .stream import MALFORMED_LINE, MEDIA_TYPE, encode


class RunStreamResponse:
    """Relays ``record``'s events, from the first, until ``done`` or until the run closes."""

    def __init__(
        self,
        record: RunRecord,
        fault: StreamFault | None,
        stream_closed: StreamClosed,
        shutting_down: anyio.Event | None,
    ) -> None:
        self.record = record
        self.fault = fault
        self.stream_closed = stream_closed
        self.shutting_down = shutting_down
        self._finished = False  # the last event (or the end of the run) was written

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                # No content-length: uvicorn frames the body with chunked transfer encoding.
                "headers": [(b"content-type", MEDIA_TYPE.encode())],
            }
        )
        client_gone = False
        async with anyio.create_task_group() as group:

            async def watch_disconnect() -> None:
                nonlocal client_gone
                while True:
                    message: Message = await receive()
                    if message["type"] == "http.disconnect":
                        client_gone = True
                        group.cancel_scope.cancel()
                        return

            group.start_soon(watch_disconnect)
            complete = await self._relay(send)
            group.cancel_scope.cancel()
        if client_gone and not self._finished:
            self.stream_closed.record(self.record.id)
            return
        if complete:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        # else: a drop fault. Returning without the final chunk makes uvicorn close the connection
        # mid-body, which the client sees as an incomplete chunked read.

    async def _relay(self, send: Send) -> bool:
        """Write events; True if the body should be ended normally, False to drop the connection."""
        sent = 0
        if not await self._apply_fault(send, sent):
            return False
        while True:
            await self.record.wait_beyond(sent)
            if sent >= len(self.record.events):  # closed with nothing more to say
                self._finished = True
                return True
            event = self.record.events[sent]
            last = event["event"] == "done"
            await send({"type": "http.response.body", "body": encode(event), "more_body": True})
            sent += 1
            if last:
                self._finished = True
                return True
            if not await self._apply_fault(send, sent):
                return False

    async def _apply_fault(self, send: Send, sent: int) -> bool:
        """Apply the armed fault once ``sent`` events went out; False means drop the connection."""
        fault = self.fault
        if fault is None or sent != fault.events:
            return True
        self.fault = None
        if fault.kind == "drop":
            return False
        if fault.kind == "malformed":
            await send({"type": "http.response.body", "body": MALFORMED_LINE, "more_body": True})
        elif fault.kind == "stall":
            with anyio.move_on_after(fault.seconds):
                if self.shutting_down is not None:
                    await self.shutting_down.wait()
                else:
                    await anyio.sleep(fault.seconds)
        return True
