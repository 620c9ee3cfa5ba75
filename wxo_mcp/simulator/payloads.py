"""Recorded Orchestrate payloads, loaded from ``data/`` and filled in per request.

Every JSON object the simulator sends starts life as a deep copy of a recorded payload (a wire
capture or
IBM's own documentation, copied from ``shared/orchestrate-api.md``), so the simulator never invents
a
shape from a client's models: if the client and the simulator agree, they agree with the real
service.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import json
import secrets
import uuid
from importlib import resources
from typing import Any

JSON = dict[str, Any]

#: The Developer Edition tenant, user and username of the recorded captures (seeds/001).
TENANT_ID = "4a33ea33-b28c-4304-a71e-7abd8939f50b"
USER_ID = "f242eadf-0dc9-4eae-b2d7-65b09b4b4b16"
USERNAME = "wxo.archer@ibm.com"


@functools.cache
def _load(name: str) -> Any:
    # Parsed once per process; callers always get a deep copy, so the cache can never be mutated.
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


def load(name: str) -> Any:
    """Return a private deep copy of the recorded payload ``data/<name>``."""
    return copy.deepcopy(_load(name))


def now_iso() -> str:
    """An Orchestrate timestamp: UTC, microseconds, ``Z`` suffix
    (``2025-07-15T13:09:11.307370Z``)."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    """A fresh UUID4 string, the id format of every Orchestrate object."""
    return str(uuid.uuid4())


def tool_call_id() -> str:
    """A tool call id in the ``chatcmpl-tool-<hex>`` form seen in recorded step details."""
    return f"chatcmpl-tool-{secrets.token_hex(16)}"


def trace_id() -> str:
    return secrets.token_hex(16)


def text_item(text: str, *, with_id: bool = True) -> JSON:
    """A ``response_type: text`` content item; assistant items carry ``id: "1"``, user items
    none."""
    if with_id:
        return {"response_type": "text", "id": "1", "text": text}
    return {"response_type": "text", "text": text}


def assistant_message(
    *,
    message_id: str,
    thread_id: str,
    parent_message_id: str,
    text: str,
    step_history: list[JSON],
    content: list[JSON] | None = None,
    is_async: bool = False,
) -> JSON:
    """The §7.2 assistant Message, from the recorded one, carrying ``text`` and ``step_history``.

    ``content`` replaces the single text item with other items (§11); ``is_async`` marks the
    notice of an async flow whose answer comes later in the thread (§10).
    """
    msg: JSON = load("message_assistant.json")
    msg["additional_properties"]["display_properties"]["is_async"] = is_async
    stamp = now_iso()
    msg.update(
        id=message_id,
        thread_id=thread_id,
        parent_message_id=parent_message_id,
        created_on=stamp,
        updated_at=stamp,
        content=content if content is not None else [text_item(text)],
        step_history=step_history,
    )
    return msg


def content_item(kind: str) -> JSON:
    """A recorded content item of ``data/content_items.json`` (§11), by response_type or name."""
    item: JSON = load("content_items.json")[kind]
    return item


def user_message(*, message_id: str, thread_id: str, content: list[JSON]) -> JSON:
    """A user Message as thread history shows it (no assistant, step_history or parent)."""
    msg: JSON = load("message_user.json")
    stamp = now_iso()
    msg.update(
        id=message_id, thread_id=thread_id, created_on=stamp, updated_at=stamp, content=content
    )
    return msg


def thread_object(*, thread_id: str, title: str | None, agent_id: str | None) -> JSON:
    thread: JSON = load("thread.json")
    stamp = now_iso()
    thread.update(id=thread_id, title=title, agent_id=agent_id, created_on=stamp, updated_at=stamp)
    return thread


def run_object(*, run_id: str, thread_id: str, body: JSON) -> JSON:
    """A pending run, from the recorded run object; the request's llm_params etc. are echoed
    back."""
    run: JSON = load("run.json")
    run.update(
        id=run_id,
        thread_id=thread_id,
        status="pending",
        created_at=now_iso(),
        started_at=None,
        completed_at=None,
        failed_at=None,
        cancelled_at=None,
        llm_params=body.get("llm_params"),
        guardrails=body.get("guardrails"),
        additional_parameters=body.get("additional_parameters"),
        last_error=None,
        result=None,
        trace_id=trace_id(),
    )
    return run


def run_result(message: JSON) -> JSON:
    """The ``result`` of a completed run: ``{"type": "message_created", "data": {...}}``."""
    template: JSON = load("run.json")["result"]
    template["data"].update(message=message, message_id=message["id"])
    return template


def intermediate_text(key: str) -> str:
    texts: dict[str, str] = _load("intermediate_messages.json")["texts"]
    return texts[key]
