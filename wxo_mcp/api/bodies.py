"""Reading Orchestrate's response bodies without letting their size decide our memory.

Every body is read chunk by chunk up to a cap chosen for what it holds: an agent list may be
large, a run or a thread's messages hold at most a few answers, an error body only needs its
first words. Past the cap the rest is never read (the connection is closed instead), so a
200 MB error page costs 64 KB, and each retry of it costs the same again, not 200 MB more.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx

from wxo_mcp.errors import ApiError

__all__ = [
    "AGENT_LIST_BODY",
    "ERROR_BODY",
    "READ_BODY",
    "BodyTooLarge",
    "MiB",
    "decode_json",
    "read_capped",
    "read_prefix",
]

MiB = 1024 * 1024
#: The agent list: thousands of agents with long instructions still fit.
AGENT_LIST_BODY = 64 * MiB
#: A run object, a page of runs, a thread's messages: a 20 MB answer still fits.
READ_BODY = 32 * MiB
#: Error bodies: enough for any JSON error, bounded for HTML pages.
ERROR_BODY = 64 * 1024


class BodyTooLarge(ApiError):
    """Orchestrate's answer was larger than the cap for what was asked."""


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _too_large(where: str, what: str, limit: int) -> BodyTooLarge:
    return BodyTooLarge(
        f"Orchestrate at {where} answered {what} with more than {limit // MiB} MB; "
        "wxo-mcp stopped reading it.",
        "Check that WXO_URL points at the Orchestrate API; if the answer is genuine, narrow the "
        "request (for agents: WXO_AGENTS).",
    )


async def read_capped(response: httpx.Response, limit: int, where: str, what: str) -> bytes:
    """The whole body, or BodyTooLarge as soon as it (or its Content-Length) passes ``limit``."""
    declared = _declared_length(response)
    if declared is not None and declared > limit:
        raise _too_large(where, what, limit)
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) > limit:
            raise _too_large(where, what, limit)
    return bytes(data)


async def read_prefix(response: httpx.Response, limit: int = ERROR_BODY) -> bytes:
    """At most the first ``limit`` bytes of the body (an error body: its first words suffice)."""
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data[:limit])


def decode_json(data: bytes) -> Any:
    """JSON of a body; bytes that are not UTF-8 become U+FFFD instead of losing the whole body."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        return json.loads(data.decode("utf-8", errors="replace"))
