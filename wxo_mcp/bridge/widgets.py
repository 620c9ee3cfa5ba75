"""What a content item asks of the user: widgets the bridge cannot fill in, and typed prompts.

Apart from the renderer because these items are not answers but requests (orchestrate-api.md §11):
a widget (a form, a file upload, apps to connect) makes the run ``requires_input`` and must be
answered in Orchestrate's own chat, while a prompt (a date, a number) is answered by the next
message in the thread. Each becomes one plain statement; the renderer decides where it goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "PROMPT_KINDS",
    "WIDGET_TYPES",
    "field_text",
    "prompt_question",
    "schema_fields",
    "widget_statement",
]

#: Content items that need the user to act in Orchestrate's own chat (the ADK and IBM's MCP
#: server refuse them too: chat_controller._check_for_widgets_and_extract_text).
WIDGET_TYPES = frozenset(
    {"forms", "form", "multiturn_form", "user_input", "file_upload", "disconnected_apps"}
)
#: Typed prompts, and the kind of answer each wants.
PROMPT_KINDS = {
    "date": "a date",
    "datetime": "a date and time",
    "time": "a time",
    "number": "a number",
}


def field_text(value: object) -> str:
    """A content item's text field, stripped ("" when it is not a string)."""
    return value.strip() if isinstance(value, str) else ""


def schema_fields(schema: object) -> list[str]:
    """A form's fields by title, the required ones marked."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return []
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    fields = []
    for name, spec in schema["properties"].items():
        title = field_text(spec.get("title")) if isinstance(spec, Mapping) else ""
        label = title or str(name)
        fields.append(f"{label} (required)" if name in (required or []) else label)
    return fields


def widget_statement(kind: str, item: Mapping[str, Any]) -> str:
    """One plain statement of what a widget asks; the user must answer it in Orchestrate."""
    text = field_text(item.get("text")) or field_text(item.get("title"))
    if kind == "file_upload":
        settings = item.get("uploadSettings")
        limits: list[str] = []
        if isinstance(settings, Mapping):
            types = settings.get("allowedFileMimeTypes")
            if isinstance(types, list) and types:
                limits.append("allowed types: " + ", ".join(str(t) for t in types))
            size = settings.get("maxSingleFileSizeMB")
            if isinstance(size, int | float):
                limits.append(f"at most {size:g} MB each")
            most = settings.get("maxFilesPerUpload")
            if isinstance(most, int):
                limits.append(f"up to {most} file{'s' if most != 1 else ''}")
        statement = "The agent asks you to upload a file" + (f": {text}" if text else ".")
        if limits:
            statement += f" ({'; '.join(limits)})"
    elif kind == "disconnected_apps":
        apps = [
            field_text(a.get("name")) or field_text(a.get("app_id"))
            for a in item.get("apps") or []
            if isinstance(a, Mapping)
        ]
        statement = "The agent needs apps that are not connected yet" + (
            f": {', '.join(a for a in apps if a)}." if any(apps) else "."
        )
        if text:
            statement += f" {text}"
    elif kind == "user_input":
        statement = "The agent asks for input" + (f": {text}" if text else ".")
    else:
        schema = item.get("json_schema")
        title = field_text(schema.get("title")) if isinstance(schema, Mapping) else ""
        statement = "The agent asks you to fill in a form" + (f' "{title}"' if title else "")
        statement += f": {text}" if text else "."
        fields = schema_fields(schema)
        if fields:
            statement += f" Fields: {', '.join(fields)}."
    return statement


def prompt_question(kind: str, item: Mapping[str, Any]) -> str:
    """A date/number/... prompt as a question, with the kind of answer it wants."""
    question = (
        field_text(item.get("text"))
        or field_text(item.get("title"))
        or "The agent asks a question."
    )
    hints = [PROMPT_KINDS[kind]]
    low, high = item.get("min"), item.get("max")
    if low is not None and high is not None:
        hints.append(f"between {low} and {high}")
    elif low is not None:
        hints.append(f"at least {low}")
    elif high is not None:
        hints.append(f"at most {high}")
    if item.get("default") is not None:
        hints.append(f"default {item['default']}")
    return f"{question} (answer with {', '.join(hints)})"
