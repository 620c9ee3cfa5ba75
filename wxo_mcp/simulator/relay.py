"""The run stream response: relays a run's events as NDJSON and applies stream faults.

A raw ASGI response rather than Starlette's ``StreamingResponse``, because the simulator needs three
things it does not offer: notice at once when the client goes away (even while nothing is being
sent,
e.g. during a stall), end the body without its final chunk (a dropped connection), and record that
the
client left early. The run itself is never affected: it belongs to :mod:`.runner`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

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
        forget: Callable[[str], None] | None = None,
    ) -> None:
        self.record = record
        self.fault = fault
        self.stream_closed = stream_closed
        self.shutting_down = shutting_down
        self.forget = forget  # how a ``lose`` fault makes the runtime forget the run
        self._finished = False  # the last event (or the end of the run) was written
        self._authorization = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._authorization = dict(scope.get("headers", [])).get(b"authorization", b"")
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                # No content-length: uvicorn frames the body with chunked transfer encoding.
                "headers": [(b"content-type", MEDIA_TYPE.encode())],
            }
        )
        client_gone = False
        complete = False
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
            await send({"type": "http.response.body", "body": self._line(event), "more_body": True})
            sent += 1
            if last:
                self._finished = True
                if self.fault is not None and self.fault.kind == "linger":
                    await self._wait(3600.0)  # done, then silence on an open connection
                return True
            if not await self._apply_fault(send, sent):
                return False

    async def _apply_fault(self, send: Send, sent: int) -> bool:
        """Apply the armed fault once ``sent`` events went out; False means drop the connection."""
        fault = self.fault
        if fault is None or sent != fault.events or fault.kind in ("linger", "invalid_utf8"):
            return True
        self.fault = None
        if fault.kind == "drop":
            return False
        if fault.kind == "lose":
            if self.forget is not None:
                self.forget(self.record.id)
            return False
        if fault.kind == "malformed":
            await send({"type": "http.response.body", "body": MALFORMED_LINE, "more_body": True})
        elif fault.kind == "echo_token":
            line = b"<html><p>Bad request from " + self._authorization + b"</p></html>\n"
            await send({"type": "http.response.body", "body": line, "more_body": True})
        elif fault.kind == "stall":
            await self._wait(fault.seconds)
        elif fault.kind == "endless":
            await self._endless(send, fault)
        return True

    async def _wait(self, seconds: float) -> None:
        """Say nothing for ``seconds`` (or until shutdown; a leaving client cancels this)."""
        with anyio.move_on_after(seconds):
            if self.shutting_down is not None:
                await self.shutting_down.wait()
            else:
                await anyio.sleep(seconds)

    async def _endless(self, send: Send, fault: StreamFault) -> None:
        """A big ``message.delta`` every ``fault.seconds``, forever: made once, sent again and
        again, never stored (the run's own events are not touched)."""
        ids = {"run_id": self.record.id, "thread_id": self.record.thread_id}
        delta = {"role": "assistant", "content": [{"response_type": "text", "text": ""}]}
        event = {"id": "0-0", "event": "message.delta", "data": ids | {"delta": delta}}
        frame = encode(event)
        filler = b"z" * max(1, fault.size - len(frame))
        line = frame.replace(b'"text": ""', b'"text": "' + filler + b'"', 1)
        while self.shutting_down is None or not self.shutting_down.is_set():
            await send({"type": "http.response.body", "body": line, "more_body": True})
            await anyio.sleep(fault.seconds)

    def _line(self, event: dict[str, object]) -> bytes:
        """One event's wire line; an ``invalid_utf8`` fault spoils the final answer's text."""
        line = encode(event)
        fault = self.fault
        if fault is None or fault.kind != "invalid_utf8" or event["event"] != "message.created":
            return line
        self.fault = None
        data = event.get("data")
        message = data.get("message") if isinstance(data, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        text = content[0].get("text") if isinstance(content, list) and content else None
        if not isinstance(text, str) or not text:
            return line
        quoted = json.dumps(text).encode()[:-1]  # the text as the line holds it, open-ended
        return line.replace(quoted, quoted + b" \xff\xfe", 1)
