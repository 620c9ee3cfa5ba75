"""A pooled connection the server has just closed must never lose a run or start it twice.

The race is a few microseconds wide on a real server (uvicorn closes a connection idle for 5 s
as the next request arrives), so this server makes it certain: it answers the first request of
each connection and drops the connection, unanswered, when a second request arrives on it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from wxo_mcp.api import OrchestrateClient, RunAccumulator
from wxo_mcp.api.client import RUN_START_KEEPALIVE
from wxo_mcp.auth import make_token_provider
from wxo_mcp.config import Settings
from wxo_mcp.errors import WxoError

pytestmark = pytest.mark.anyio


class OneRequestPerConnection:
    """HTTP/1.1 with keep-alive, except that a connection's second request is never answered."""

    def __init__(self) -> None:
        self.runs_started = 0
        self.connections = 0
        self.dropped = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                if served:  # the server "had already closed" this idle connection
                    self.dropped += 1
                    return
                served += 1
                self.runs_started += 1
                writer.write(_run_response(self.runs_started))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


def _run_response(n: int) -> bytes:
    ids = {"run_id": f"00000000-0000-4000-8000-{n:012d}", "thread_id": "t-1"}
    message = {"role": "assistant", "content": [{"response_type": "text", "text": f"answer {n}"}]}
    events = [
        {"event": "run.started", "data": ids},
        {"event": "message.created", "data": ids | {"message": message}},
        {"event": "run.completed", "data": ids},
        {"event": "done", "data": ids},
    ]
    body = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@pytest.fixture
async def server() -> AsyncIterator[tuple[OneRequestPerConnection, int]]:
    behaviour = OneRequestPerConnection()
    listener = await asyncio.start_server(behaviour.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield behaviour, port


async def _ask(client: OrchestrateClient) -> str:
    acc = RunAccumulator()
    async with client.stream_run("agent-1", "hi") as events:
        async for event in events:
            acc.feed(event)
    return acc.text()


async def test_a_run_start_after_a_pause_never_meets_a_stale_connection(server, tmp_path: Path):
    behaviour, port = server
    settings = Settings.load(
        environ={"WXO_URL": f"http://127.0.0.1:{port}", "WXO_TOKEN": "t0ken"}, home=tmp_path
    )
    async with OrchestrateClient(settings, make_token_provider(settings)) as client:
        answers = []
        for _ in range(3):
            answers.append(await _ask(client))
            await anyio.sleep(RUN_START_KEEPALIVE + 0.2)
    assert answers == ["answer 1", "answer 2", "answer 3"]
    assert behaviour.dropped == 0
    assert behaviour.runs_started == 3  # never twice


async def test_a_burst_of_run_starts_reuses_connections(server, tmp_path: Path):
    """The short expiry only applies to idle connections: back-to-back runs still reuse them
    (here the server drops every reused one, so a reuse shows up as a failure)."""
    behaviour, port = server
    settings = Settings.load(
        environ={"WXO_URL": f"http://127.0.0.1:{port}", "WXO_TOKEN": "t0ken"}, home=tmp_path
    )
    calls = 0
    failure: WxoError | None = None
    async with OrchestrateClient(settings, make_token_provider(settings)) as client:
        while failure is None and calls < 20:  # the pool's shards are used in turn
            calls += 1
            try:
                await _ask(client)
            except WxoError as exc:
                failure = exc
    assert failure is not None and "broke" in str(failure)
    assert 1 < calls <= 9  # a reuse within the burst
    assert behaviour.dropped == 1
    # A start that may have reached the server is not re-sent: one request per call.
    assert behaviour.runs_started + behaviour.dropped == calls
