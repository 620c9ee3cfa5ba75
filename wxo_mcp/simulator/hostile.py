"""Answers of a hostile upstream: no answer at all, a huge body, an HTML page or a redirect.

Armed as request faults (:mod:`.faults`); each stands for something a proxy, a gateway or a
broken deployment in front of Orchestrate really does. A huge body is made as it is sent, a
megabyte at a time from one shared buffer, so the simulator never holds it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from starlette.responses import HTMLResponse, Response, StreamingResponse

from .faults import StatusFault

MiB = 1024 * 1024
_FILLER = b"x" * MiB


async def response(fault: StatusFault, shutting_down: anyio.Event | None) -> Response:
    """The answer ``fault`` stands for (its mode is not ``status``)."""
    if fault.mode == "hang":
        with anyio.move_on_after(fault.seconds):
            if shutting_down is not None:
                await shutting_down.wait()
            else:
                await anyio.sleep(fault.seconds)
        return Response(status_code=fault.code)
    if fault.mode == "huge_body":
        return StreamingResponse(
            _huge(fault.size), status_code=fault.code, media_type="application/json"
        )
    return _html(fault)


async def _huge(size: int) -> AsyncIterator[bytes]:
    """``{"detail": "xxxx…"}`` of exactly ``size`` bytes (at least the frame itself)."""
    head, tail = b'{"detail": "', b'"}'
    yield head
    left = max(0, size - len(head) - len(tail))
    while left > 0:
        chunk = _FILLER if left >= MiB else _FILLER[:left]
        left -= len(chunk)
        yield chunk
    yield tail


def _html(fault: StatusFault) -> Response:
    if 300 <= fault.code < 400:
        location = fault.location or "https://login.example.com/sso"
        page = f'<html><body><a href="{location}">Moved</a></body></html>\n'
        return HTMLResponse(page, status_code=fault.code, headers={"Location": location})
    lines = [f"<p>Line {n} of a page that is not a run stream.</p>" for n in range(fault.size)]
    page = "<!DOCTYPE html>\n<html><body>\n" + "\n".join(lines) + "\n</body></html>\n"
    return HTMLResponse(page, status_code=fault.code)
