"""The output schema every run-shaped tool declares: compact, and still what results satisfy."""

from __future__ import annotations

import json

import jsonschema  # type: ignore[import-untyped]

from wxo_mcp.bridge.results import RunResult, compact_schema, output_schema


def test_compact_schema_drops_generated_titles_and_null_defaults_only():
    schema = {
        "title": "Thing",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string", "default": None},
            "flag": {"type": "boolean", "default": False},
            "items": {"anyOf": [{"type": "array", "items": {"title": "X"}}, {"type": "null"}]},
        },
        "required": ["title"],
    }
    assert compact_schema(schema) == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},  # a property called "title" is kept
            "flag": {"type": "boolean", "default": False},
            "items": {"anyOf": [{"type": "array", "items": {}}, {"type": "null"}]},
        },
        "required": ["title"],
    }


def test_declared_schema_is_compact_and_accepts_every_result_shape():
    schema = output_schema()
    text = json.dumps(schema)
    assert '"title"' not in text and '"default": null' not in text
    assert len(text) < len(json.dumps(RunResult.model_json_schema()))
    assert set(schema["properties"]) == set(RunResult.model_fields)
    full = RunResult(
        text="hi",
        thread_id="t",
        run_id="r",
        agent="a",
        status="completed",
        steps=[{"tool": "x"}],
        citations=[{"number": 1}],
        options=[{"label": "l", "value": "v"}],
        files=[{"name": "f", "url": "u"}],
    )
    bare = RunResult(text="", thread_id=None, run_id=None, agent=None, status="failed", error="e")
    for result in (full, bare):
        jsonschema.validate(result.structured(), schema)  # what structuredContent carries
    try:
        jsonschema.validate({"text": "x"}, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a result without its required fields was accepted")
