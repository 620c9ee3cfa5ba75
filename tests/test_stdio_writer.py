"""The stdout writers send long messages in pieces, byte for byte what one write would send, and
wait for a full pipe rather than block the event loop or lose bytes."""

from __future__ import annotations

import io
import json
import os

import anyio
import anyio.lowlevel
import pytest

from wxo_mcp.stdio import WRITE_CHUNK, ChunkedTextWriter, LoopReader, LoopWriter


class Recorder(io.BytesIO):
    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.largest = max(self.largest, len(data))
        return super().write(data)


def test_long_text_is_written_in_pieces_and_arrives_whole():
    text = ('{"text": "' + "aé€😀" * (WRITE_CHUNK // 2) + '"}\n') * 3  # cuts fall inside characters
    sink = Recorder()
    writer = ChunkedTextWriter(sink, encoding="utf-8", write_through=True)
    assert writer.write(text) == len(text)
    writer.write("short\n")
    writer.flush()
    assert sink.getvalue() == (text + "short\n").encode()
    assert sink.largest <= 4 * WRITE_CHUNK  # a piece, never the whole message
    assert len(text.encode()) > 10 * WRITE_CHUNK


@pytest.mark.anyio
async def test_loop_writer_waits_for_a_full_pipe_and_loses_nothing():
    read_fd, write_fd = os.pipe()
    writer = LoopWriter(os.fdopen(write_fd, "wb"))
    messages = [json.dumps({"id": i, "text": "é" * 200_000}) + "\n" for i in range(4)]
    received = bytearray()

    async def slow_reader() -> None:
        os.set_blocking(read_fd, False)
        while len(received) < sum(len(m.encode()) for m in messages):
            await anyio.wait_readable(read_fd)
            received.extend(os.read(read_fd, 65536))
            await anyio.sleep(0.001)  # slower than the writer: the pipe fills up

    async with anyio.create_task_group() as tg:
        tg.start_soon(slow_reader)
        for message in messages:
            assert await writer.write(message) == len(message)
            await writer.flush()
    os.close(read_fd)
    assert bytes(received) == "".join(messages).encode()


@pytest.mark.anyio
async def test_loop_reader_yields_whole_lines_as_they_arrive():
    read_fd, write_fd = os.pipe()
    reader = LoopReader(read_fd)
    lines = [json.dumps({"id": i, "text": "é€" * (i * 40_000)}) + "\n" for i in range(5)]
    data = "".join(lines).encode() + b'{"last": "no newline"}'
    got: list[str] = []

    async def drip() -> None:
        for start in range(0, len(data), 7_777):  # cuts inside lines and characters
            os.write(write_fd, data[start : start + 7_777])
            await anyio.lowlevel.checkpoint()
        os.close(write_fd)

    async with anyio.create_task_group() as tg:
        tg.start_soon(drip)
        got = [line async for line in reader]
    reader.restore()
    assert got == [*lines, '{"last": "no newline"}']
