"""Keeping stdout for the protocol alone in stdio mode.

The SDK diverts fd 1 to stderr only while it serves and restores it on exit, so a dependency's
buffered ``print`` or an ``atexit`` message can still land on the wire after the session, and a
host may drop the connection over one stray line. We take the wire for ourselves instead: a
private duplicate of fd 1 carries JSON-RPC, and fd 1 itself points at stderr for the rest of the
process (child processes inherit that too).
"""

from __future__ import annotations

import io
import os
import sys
from typing import BinaryIO

__all__ = ["ChunkedTextWriter", "claim_stdout"]

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
