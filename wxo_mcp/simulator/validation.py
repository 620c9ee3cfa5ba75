"""Request validation that answers exactly as FastAPI and pydantic v2 would (422 error lists).

The runtime is FastAPI: a bad body or query parameter gets ``{"detail": [{"type", "loc", "msg",
"input", ...}]}``. Clients only need to recognise it, but a faithful shape keeps their error
messages honest. Unknown body keys are accepted, as pydantic's default model config does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
ErrorList = list[JSON]


class Invalid(Exception):
    """Validation failed; ``errors`` is the FastAPI error list."""

    def __init__(self, errors: ErrorList) -> None:
        super().__init__(errors)
        self.errors = errors


def missing(loc: list[str | int], given: Any) -> JSON:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": given}


def parse_json_body(raw: bytes, *, required: bool = True) -> Any:
    """The decoded body, or :class:`Invalid` with FastAPI's ``json_invalid`` / ``missing`` error."""
    if not raw.strip():
        if required:
            raise Invalid([missing(["body"], None)])
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else exc.reason
        raise Invalid(
            [
                {
                    "type": "json_invalid",
                    "loc": ["body", position],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": reason},
                }
            ]
        ) from exc


def _object(value: Any, loc: list[str | int], errors: ErrorList) -> Mapping[str, Any] | None:
    if isinstance(value, dict):
        return value
    errors.append(
        {
            "type": "model_attributes_type",
            "loc": loc,
            "msg": "Input should be a valid dictionary or object to extract attributes from",
            "input": value,
        }
    )
    return None


def _string(body: Mapping[str, Any], key: str, loc: list[str | int], errors: ErrorList) -> None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        errors.append(
            {
                "type": "string_type",
                "loc": [*loc, key],
                "msg": "Input should be a valid string",
                "input": value,
            }
        )


@dataclass(frozen=True, slots=True)
class RunRequest:
    """The fields of a ``POST /orchestrate/runs`` body the simulator acts on."""

    agent_id: str
    thread_id: str | None
    content: list[JSON]  # user content items, normalised to a list
    body: JSON  # the whole body, for llm_params, guardrails, context and friends

    @property
    def text(self) -> str:
        return "\n".join(str(item.get("text", "")) for item in self.content if item.get("text"))


def run_request(parsed: Any) -> RunRequest:
    """Validate a run body; raises :class:`Invalid` with every problem found, as pydantic does."""
    errors: ErrorList = []
    body = _object(parsed, ["body"], errors)
    if body is None:
        raise Invalid(errors)
    if "message" not in body:
        errors.append(missing(["body", "message"], body))
    message = body.get("message")
    content_items: list[JSON] = []
    if "message" in body:
        msg = _object(message, ["body", "message"], errors)
        if msg is not None:
            content_items = _content(msg, errors)
    if "agent_id" not in body or body.get("agent_id") is None:
        errors.append(missing(["body", "agent_id"], body))
    _string(body, "agent_id", ["body"], errors)
    _string(body, "thread_id", ["body"], errors)
    _string(body, "environment_id", ["body"], errors)
    for key in ("context", "additional_properties", "llm_params", "guardrails"):
        value = body.get(key)
        if value is not None and not isinstance(value, dict):
            errors.append(
                {
                    "type": "dict_type",
                    "loc": ["body", key],
                    "msg": "Input should be a valid dictionary",
                    "input": value,
                }
            )
    if errors:
        raise Invalid(errors)
    thread_id = body.get("thread_id")
    return RunRequest(str(body["agent_id"]), thread_id or None, content_items, dict(body))


def _content(msg: Mapping[str, Any], errors: ErrorList) -> list[JSON]:
    if "content" not in msg:
        errors.append(missing(["body", "message", "content"], dict(msg)))
        return []
    content = msg["content"]
    if isinstance(content, str):
        return [{"response_type": "text", "text": content}]
    if isinstance(content, list) and all(isinstance(item, dict) for item in content):
        return [dict(item) for item in content]
    errors.append(
        {
            "type": "string_type",
            "loc": ["body", "message", "content", "str"],
            "msg": "Input should be a valid string",
            "input": content,
        }
    )
    return []


def thread_request(parsed: Any) -> tuple[str | None, str | None]:
    """``(title, agent_id)`` of a ``POST /threads`` body (which may be empty)."""
    if parsed is None:
        return None, None
    errors: ErrorList = []
    body = _object(parsed, ["body"], errors)
    if body is None:
        raise Invalid(errors)
    _string(body, "title", ["body"], errors)
    _string(body, "agent_id", ["body"], errors)
    if errors:
        raise Invalid(errors)
    return body.get("title"), body.get("agent_id")


def tenant_request(parsed: Any) -> tuple[str, str | None, list[str]]:
    """``(name, title, tags)`` of a Developer Edition ``POST /api/v1/tenants`` body."""
    errors: ErrorList = []
    body = _object(parsed, ["body"], errors)
    if body is None:
        raise Invalid(errors)
    name = body.get("name")
    if name is None:
        errors.append(missing(["body", "name"], dict(body)))
    _string(body, "name", ["body"], errors)
    _string(body, "title", ["body"], errors)
    tags = body.get("tags")
    if tags is not None and not isinstance(tags, list):
        errors.append(
            {"type": "list_type", "loc": ["body", "tags"], "msg": "Input should be a valid list"}
        )
    if errors:
        raise Invalid(errors)
    return str(name), body.get("title"), [str(tag) for tag in tags or []]


def query_int(query: Mapping[str, str], name: str, default: int, *, ge: int) -> int:
    """An integer query parameter with a lower bound, validated as FastAPI's ``Query(ge=...)``."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(
            [
                {
                    "type": "int_parsing",
                    "loc": ["query", name],
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "input": raw,
                }
            ]
        ) from None
    if value < ge:
        raise Invalid(
            [
                {
                    "type": "greater_than_equal",
                    "loc": ["query", name],
                    "msg": f"Input should be greater than or equal to {ge}",
                    "input": raw,
                    "ctx": {"ge": ge},
                }
            ]
        )
    return value


def query_bool(raw: str | None) -> bool:
    """FastAPI's lenient bool parsing (``true/1/yes/on``), defaulting to false."""
    return raw is not None and raw.strip().lower() in {"true", "1", "yes", "on", "y", "t"}


def page_bounds(query: Mapping[str, str], default_limit: int) -> tuple[int, int]:
    """``limit`` (at least 1) and ``offset`` (at least 0) of a paged list."""
    return query_int(query, "limit", default_limit, ge=1), query_int(query, "offset", 0, ge=0)
