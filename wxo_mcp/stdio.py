"""Keeping stdout for the protocol alone in stdio mode.

The SDK diverts fd 1 to stderr only while it serves and restores it on exit, so a dependency's
buffered ``print`` or an ``atexit`` message can still land on the wire after the session, and a
host may drop the connection over one stray line. We take the wire for ourselves instead: a
private duplicate of fd 1 carries JSON-RPC, and fd 1 itself points at stderr for the rest of the
process (child processes inherit that too).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any, BinaryIO

import anyio

__all__ = [
    "ChunkedTextWriter",
    "LoopReader",
    "LoopWriter",
    "claim_stdin",
    "claim_stdout",
    "wire_reader",
    "wire_writer",
]

#: Characters encoded and written at a time: a 10 MB result never exists twice more as bytes.
WRITE_CHUNK = 256 * 1024


class ChunkedTextWriter(io.TextIOWrapper):
    """A UTF-8 text stream that encodes and writes long strings a piece at a time.

    The SDK writes each JSON-RPC message with one ``write``; TextIOWrapper would encode a 10 MB
    result into one 10 MB bytes object (20 MB if it returns the text twice) before the first byte
    leaves. In pieces, the extra memory is one piece.
    """

    def write(self, s: str) -> int:
        if len(s) <= WRITE_CHUNK:
            return super().write(s)
        for start in range(0, len(s), WRITE_CHUNK):
            super().write(s[start : start + WRITE_CHUNK])
        return len(s)


def claim_stdout() -> BinaryIO:
    """Return a private binary stream onto the real stdout, and send fd 1 to stderr from now on."""
    sys.stdout.flush()
    wire_fd = os.dup(1)
    os.dup2(2, 1)
    if hasattr(os, "set_inheritable"):
        os.set_inheritable(wire_fd, False)
    return io.open(wire_fd, "wb", closefd=True)  # noqa: UP020 - explicit about the descriptor


def claim_stdin() -> int:
    """Return a private descriptor onto the real stdin, and point fd 0 at the null device (as the
    SDK does while it serves): a handler or a child process reading stdin gets EOF, not the
    protocol."""
    wire_fd = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.set_inheritable(wire_fd, False)
    return wire_fd


class LoopWriter:
    """The stdio transport's output, written from the event loop: no worker thread per message.

    The SDK writes each message with ``await stdout.write(...)`` then ``await stdout.flush()``;
    behind ``anyio.wrap_file`` each is a hop to a worker thread and back, two per message (a
    burst of 100 calls sends ~400 messages: ~0.2 s of CPU in thread hand-offs). Here the wire is
    non-blocking and written directly; a full pipe (a client that does not read) parks only this
    writer until the pipe drains. Long messages go out ``WRITE_CHUNK`` characters at a time.
    """

    def __init__(self, binary: BinaryIO) -> None:
        self._binary = binary  # keeps the descriptor open
        self._fd = binary.fileno()
        os.set_blocking(self._fd, False)

    async def write(self, text: str) -> int:
        for start in range(0, len(text), WRITE_CHUNK):
            data = memoryview(text[start : start + WRITE_CHUNK].encode("utf-8"))
            while data:
                try:
                    written = os.write(self._fd, data)
                except BlockingIOError:
                    await anyio.wait_writable(self._fd)
                    continue
                data = data[written:]
        return len(text)

    async def flush(self) -> None:
        """Nothing is buffered."""

    def restore(self) -> None:
        """Blocking mode again: the pipe or terminal is shared with whoever started us."""
        with contextlib.suppress(OSError, ValueError):
            os.set_blocking(self._fd, True)


class LoopReader:
    """The stdio transport's input, read from the event loop: lines of text, no worker thread.

    ``anyio.wrap_file`` would read each line in a worker thread (one hand-off per message); the
    private stdin descriptor is non-blocking instead and waited on by the loop.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self._start = 0
        self._eof = False
        os.set_blocking(fd, False)

    def __aiter__(self) -> LoopReader:
        return self

    async def __anext__(self) -> str:
        while True:
            newline = self._buffer.find(b"\n", self._start)
            if newline >= 0:
                line = bytes(self._buffer[self._start : newline + 1])
                self._start = newline + 1
                if self._start > 65536:  # drop what was consumed, now and then
                    del self._buffer[: self._start]
                    self._start = 0
                return line.decode("utf-8", errors="replace")
            if self._eof:
                if self._start < len(self._buffer):
                    rest = bytes(self._buffer[self._start :])
                    self._buffer.clear()
                    self._start = 0
                    return rest.decode("utf-8", errors="replace")
                raise StopAsyncIteration
            try:
                data = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                await anyio.wait_readable(self._fd)
                continue
            if data:
                self._buffer += data
            else:
                self._eof = True

    def restore(self) -> None:
        """Blocking mode again, and the descriptor closed."""
        with contextlib.suppress(OSError):
            os.set_blocking(self._fd, True)
            os.close(self._fd)


def wire_reader() -> Any:
    """The stdin for the SDK's ``stdio_server``: a LoopReader, or None (the SDK's own) on
    Windows."""
    if sys.platform == "win32":  # pragma: no cover - the Proactor loop cannot watch pipes
        return None
    try:
        return LoopReader(claim_stdin())
    except OSError:  # no usable fd 0: the SDK serves sys.stdin as it is
        return None


def wire_writer(binary: BinaryIO) -> Any:
    """What the SDK's ``stdio_server`` gets as ``stdout``: a LoopWriter where the event loop can
    wait on a pipe (not on Windows), else the chunked text stream in a worker thread."""
    if sys.platform == "win32":  # pragma: no cover - the Proactor loop cannot watch pipes
        return anyio.wrap_file(ChunkedTextWriter(binary, encoding="utf-8"))
    return LoopWriter(binary)
