"""The stdout writer sends a long message in pieces, byte for byte what one write would send."""

from __future__ import annotations

import io

from wxo_mcp.stdio import WRITE_CHUNK, ChunkedTextWriter


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
