"""The run-stream decoder on recorded streams and on hand-split chunks."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.streams import decode_all, raw
from wxo_mcp.api import NDJSONDecoder

TEXT = "h\u00e9llo \U0001f600"
DELTA = {"event": "message.delta", "data": {"delta": {"content": [{"text": TEXT}]}}}
SMALL = (
    b'{"id": "1-0", "event": "run.started", "data": {"run_id": "r", "thread_id": "t"}}\r\n'
    b"\n" + json.dumps(DELTA, ensure_ascii=False).encode() + b"\n"
    b'data: {"event": "done", "data": {}}'
)


def test_capture_2026_decodes_every_event():
    objs = decode_all(raw("capture_2026.ndjson"))
    assert [o["event"] for o in objs] == [
        "run.started",
        "message.started",
        "run.step.intermediate",
        "message.delta",
        "run.step.intermediate",
        "message.created",
        "message.completed",
        "run.completed",
        "done",
    ]


def test_verbatim_capture_skips_the_elided_lines_and_counts_them():
    decoder = NDJSONDecoder()
    objs = decoder.feed(raw("capture_2026_verbatim.ndjson")) + decoder.flush()
    assert [o["event"] for o in objs] == [
        "run.started",
        "message.started",
        "run.step.intermediate",
        "message.delta",
        "message.completed",
        "run.completed",
        "done",
    ]
    assert decoder.skipped_lines == 3


def test_seed_2025_stream():
    objs = decode_all(raw("seed_2025.ndjson"))
    assert [o["event"] for o in objs][-2:] == ["run.completed", "done"]
    assert "message.completed" not in [o["event"] for o in objs]


def test_every_byte_boundary_of_a_small_stream():
    expected = decode_all(SMALL)
    assert [o["event"] for o in expected] == ["run.started", "message.delta", "done"]
    for cut in range(len(SMALL) + 1):
        assert decode_all(SMALL, [cut]) == expected, cut
    for a in range(0, len(SMALL), 3):
        for b in range(a, len(SMALL), 7):
            assert decode_all(SMALL, [a, b]) == expected, (a, b)


def test_byte_by_byte_capture():
    data = raw("capture_2026.ndjson")
    assert decode_all(data, list(range(1, len(data)))) == decode_all(data)


def test_utf8_character_split_in_three():
    line = '{"event": "x", "data": {"t": "\u20ac"}}\n'.encode()
    euro = line.index("\u20ac".encode())
    assert decode_all(line, [euro + 1, euro + 2]) == [{"event": "x", "data": {"t": "\u20ac"}}]


def test_crlf_split_across_chunks():
    data = b'{"event": "a"}\r\n{"event": "b"}\r\n'
    cr = data.index(b"\r")
    assert decode_all(data, [cr, cr + 1]) == [{"event": "a"}, {"event": "b"}]


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"   ",
        b": keep-alive",
        b"event: message.delta",
        b"id: 17-0",
        b"retry: 1000",
        b"data:",
        b"data: [DONE]",
        b"[DONE]",
    ],
)
def test_framing_lines_are_skipped_silently(line, caplog):
    with caplog.at_level(logging.WARNING):
        assert decode_all(line + b"\n" + b'{"event": "done"}\n') == [{"event": "done"}]
    assert not caplog.records


@pytest.mark.parametrize("prefix", [b"data:", b"data: ", b"data:  "])
def test_data_prefix_is_stripped(prefix):
    assert decode_all(prefix + b'{"event": "done"}\n') == [{"event": "done"}]


def test_last_line_without_newline_needs_flush():
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"event": "done"}') == []
    assert decoder.flush() == [{"event": "done"}]
    assert decoder.flush() == []


@pytest.mark.parametrize("bad", [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe{}"])
def test_malformed_line_is_skipped_and_counted_without_a_warning_per_line(bad, caplog, capsys):
    decoder = NDJSONDecoder()
    with caplog.at_level(logging.WARNING, logger="wxo_mcp.api.ndjson"):
        out = decoder.feed(b'{"event": "a"}\n' + bad + b"\n" + bad + b'\n{"event": "b"}\n')
    assert out == [{"event": "a"}, {"event": "b"}]
    assert decoder.skipped_lines == 2
    assert decoder.first_skipped
    assert not caplog.records  # the stream's owner logs one summary per run
    assert capsys.readouterr().out == ""  # never stdout: it is the MCP wire


def test_invalid_utf8_in_a_line_is_replaced_not_dropped():
    line = b'{"event": "message.created", "data": {"text": "caf\xe9 ok"}}\n'
    assert decode_all(line) == [{"event": "message.created", "data": {"text": "caf\ufffd ok"}}]


def test_the_sample_of_a_skipped_line_is_redacted():
    decoder = NDJSONDecoder()
    decoder.feed(b"<p>Authorization: Bearer s3cr3t-t0ken-value</p>\n")
    assert "s3cr3t" not in decoder.first_skipped


def test_unknown_events_pass_through():
    assert decode_all(b'{"event": "planning", "data": {"x": 1}}\n') == [
        {"event": "planning", "data": {"x": 1}}
    ]


def test_overlong_line_is_dropped_and_memory_stays_bounded(caplog):
    decoder = NDJSONDecoder(max_line_bytes=100)
    out = decoder.feed(b'{"event": "a"}\n' + b"x" * 60)
    assert out == [{"event": "a"}]
    with caplog.at_level(logging.WARNING, logger="wxo_mcp.api.ndjson"):
        for _ in range(50):
            assert decoder.feed(b"y" * 60) == []
            assert decoder.buffered <= 100
    assert decoder.feed(b'tail"}\n{"event": "b"}\n') == [{"event": "b"}]
    assert decoder.skipped_lines == 1
    assert "longer than 100 bytes" in decoder.first_skipped


def test_overlong_line_within_one_chunk_is_dropped():
    decoder = NDJSONDecoder(max_line_bytes=20)
    payload = json.dumps({"event": "big", "data": {"t": "z" * 50}}).encode()
    assert decoder.feed(payload + b'\n{"event": "ok"}\n') == [{"event": "ok"}]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4000), max_size=12))
def test_any_split_of_the_capture_decodes_the_same(cuts):
    data = raw("capture_2026.ndjson")
    assert decode_all(data, sorted(c % (len(data) + 1) for c in cuts)) == decode_all(data)


@pytest.mark.parametrize("bad", [b'{"event": ', b"\xef\xbb\xbf{oops", b"[1, 2]"])
def test_malformed_line_across_chunks_is_skipped_and_the_next_one_decoded(bad, caplog):
    decoder = NDJSONDecoder()
    with caplog.at_level(logging.WARNING):
        first = decoder.feed(bad[:3])
        rest = decoder.feed(bad[3:] + b'\n{"event": "done", "data": {}}\n')
    assert first == []
    assert rest == [{"event": "done", "data": {}}]
    assert decoder.skipped_lines == 1
    assert decoder.buffered == 0


def test_invalid_utf8_across_chunks_is_kept_with_replacement_characters():
    bad = b'{"event": "\xff\xfe"}'
    decoder = NDJSONDecoder()
    first = decoder.feed(bad[:3])
    rest = decoder.feed(bad[3:] + b'\n{"event": "done", "data": {}}\n')
    assert first == []
    assert rest == [{"event": "\ufffd\ufffd"}, {"event": "done", "data": {}}]
    assert decoder.skipped_lines == 0


def test_long_line_across_many_chunks_decodes_once_and_frees_its_buffer():
    text = "é" * 300_000  # two bytes each: chunk cuts land inside characters
    line = json.dumps({"event": "message.created", "data": {"text": text}}).encode() + b"\r\n"
    decoder = NDJSONDecoder()
    out = []
    for i in range(0, len(line), 4093):
        out += decoder.feed(line[i : i + 4093])
    assert out == [{"event": "message.created", "data": {"text": text}}]
    assert decoder.buffered == 0
