"""Orchestrate content items as text a model can read, plus the structured parts worth keeping.

An assistant message is a list of content items, each with a ``response_type``
(orchestrate-api.md §11). Plain ``text`` is the common case, but agents also cite documents
(``conversational_search``), offer choices (``option``), hand out files (``file_download``, or a
tool response naming a ``downloadable_file``, §5.3), ask for forms and other widgets a bridge
cannot fill in, and prompt for dates or numbers. Each becomes prose in ``text`` and, where it has
structure, an entry in ``citations``, ``options`` or ``files``; a widget makes the run
``requires_input``. A type we do not know is passed on as JSON rather than dropped, so a model
never silently loses part of an answer.

Everything here is a pure function of the message, so the same rendering applies wherever the
message came from: the stream's ``message.created``, a run's ``result`` or a thread message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wxo_mcp.api import ToolStep
from wxo_mcp.bridge.tool_files import downloadable_files
from wxo_mcp.bridge.widgets import (
    PROMPT_KINDS,
    WIDGET_TYPES,
    prompt_question,
    widget_statement,
)
from wxo_mcp.bridge.widgets import field_text as _text

__all__ = [
    "FLOW_NOTICE_MARKERS",
    "WIDGET_TYPES",
    "Rendered",
    "files_from_steps",
    "is_flow_notice",
    "option_value",
    "render_content",
    "render_message",
    "steps_text",
]

#: Texts of the "flow started" notice, skipped while waiting for a flow's answer (as the ADK does).
FLOW_NOTICE_MARKERS = ("flow has started", "flow instance id")

MAX_UNKNOWN_JSON = 4000
MAX_STEP_TEXT = 500
_MEDIA_TYPES = frozenset({"image", "video", "audio", "iframe"})


@dataclass(frozen=True)
class Rendered:
    """A message as text, with its citations, options and files, and what it asks of the user.

    ``asks`` holds one plain statement per widget the bridge cannot answer; when it is not
    empty, the run needs the user in Orchestrate's chat (``status: "requires_input"``).
    """

    text: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)

    @property
    def requires_input(self) -> bool:
        return bool(self.asks)


class _Builder:
    """Collects the sections of one message; text items run together, other sections stand apart."""

    def __init__(self) -> None:
        self.parts: list[tuple[bool, str]] = []  # (is plain text, section)
        self.citations: list[dict[str, Any]] = []
        self.options: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []
        self.asks: list[str] = []
        self.sources: dict[str, int] = {}
        self.prompts = 0

    def add(self, section: str, *, plain: bool = False) -> None:
        if section:
            self.parts.append((plain, section))

    def text(self) -> str:
        out = ""
        previous_plain = False
        for plain, section in self.parts:
            if out:
                out += "\n" if plain and previous_plain else "\n\n"
            out += section
            previous_plain = plain
        return out

    def source_number(self, title: str, url: str) -> int:
        key = url or title
        if key not in self.sources:
            self.sources[key] = len(self.sources) + 1
        return self.sources[key]

    def add_file(self, name: str, url: str, description: str = "") -> bool:
        """Record a file once (by URL); False when it was already there."""
        if not url or any(f["url"] == url for f in self.files):
            return False
        entry: dict[str, Any] = {"name": name or url.rsplit("/", 1)[-1], "url": url}
        if description:
            entry["description"] = description
        self.files.append(entry)
        return True


def render_message(message: Mapping[str, Any], steps: Iterable[ToolStep] = ()) -> Rendered:
    """Render a Message (§7.2); files named by its tool ``steps`` are listed too."""
    builder = _Builder()
    _render_items(builder, message.get("content"))
    _add_step_files(builder, steps)
    return _finish(builder)


def render_content(content: object) -> Rendered:
    """Render a message's ``content``: a string, or a list of content items."""
    builder = _Builder()
    _render_items(builder, content)
    return _finish(builder)


def _finish(builder: _Builder) -> Rendered:
    if builder.prompts and not builder.asks:
        builder.add("Reply with your answer as the next message in this same thread.")
    return Rendered(
        text=builder.text(),
        citations=builder.citations,
        options=builder.options,
        files=builder.files,
        asks=builder.asks,
    )


def _render_items(builder: _Builder, content: object) -> None:
    if isinstance(content, str):
        builder.add(content, plain=True)
        return
    if not isinstance(content, list):
        return
    for item in content:
        if isinstance(item, Mapping):
            _render_item(builder, item)
        elif isinstance(item, str):
            builder.add(item, plain=True)


def _render_item(builder: _Builder, item: Mapping[str, Any]) -> None:
    kind = item.get("response_type")
    kind = kind.strip().lower() if isinstance(kind, str) else ""
    if kind in ("text", ""):
        if isinstance(item.get("text"), str) and item["text"]:
            builder.add(item["text"], plain=True)
        elif kind == "":
            _render_unknown(builder, item)
    elif kind == "conversational_search":
        _render_search(builder, item)
    elif kind == "option":
        _render_options(builder, item)
    elif kind == "file_download":
        _render_downloads(builder, item)
    elif kind in WIDGET_TYPES or "json_schema" in item:
        _render_widget(builder, kind, item)
    elif kind in PROMPT_KINDS:
        builder.add(prompt_question(kind, item))
        builder.prompts += 1
    elif kind == "object":
        _render_object(builder, item)
    elif kind in _MEDIA_TYPES:
        _render_media(builder, kind, item)
    elif kind == "pause":
        return  # a typing pause in a chat UI: nothing to say
    else:
        _render_unknown(builder, item)


# -- conversational_search ---------------------------------------------------------------------


def _render_search(builder: _Builder, item: Mapping[str, Any]) -> None:
    text = _text(item.get("text")) and str(item["text"])
    citations = [c for c in item.get("citations") or [] if isinstance(c, Mapping)]
    results = [r for r in item.get("search_results") or [] if isinstance(r, Mapping)]
    markers: list[tuple[int, int]] = []  # (position, source number)
    listed: dict[int, tuple[str, str]] = {}
    for cited in citations:
        title, url = _text(cited.get("title")), _text(cited.get("url"))
        index = cited.get("search_result_idx")
        if (not title or not url) and isinstance(index, int) and 0 <= index < len(results):
            title = title or _text(results[index].get("title"))
            url = url or _text(results[index].get("url"))
        number = builder.source_number(title, url)
        listed.setdefault(number, (title, url))
        entry: dict[str, Any] = {"number": number, "title": title or None, "url": url or None}
        snippet = _text(cited.get("text")) or _text(cited.get("body"))
        if snippet:
            entry["text"] = snippet[:1000]
        start, end = cited.get("range_start"), cited.get("range_end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
            entry["range_start"], entry["range_end"] = start, end
            if (end, number) not in markers:
                markers.append((end, number))
        builder.citations.append(entry)
    if not citations:
        # No citations, only what the search found: still say where the answer comes from.
        for result in results:
            title, url = _text(result.get("title")), _text(result.get("url"))
            if title or url:
                number = builder.source_number(title, url)
                listed.setdefault(number, (title, url))
                builder.citations.append({"number": number, "title": title or None, "url": url})
    for position, number in sorted(markers, reverse=True):
        text = f"{text[:position]} [{number}]{text[position:]}"
    builder.add(text, plain=True)
    if listed:
        lines = [
            f"[{n}] " + (f"{title}: {url}" if title and url else title or url)
            for n, (title, url) in sorted(listed.items())
        ]
        builder.add("Sources:\n" + "\n".join(lines))


# -- option ----------------------------------------------------------------------------------


def option_value(value: object) -> str:
    """What to send to pick an option: its value, or the watsonx-style ``{"input": {"text"}}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        inner = value.get("input")
        if isinstance(inner, Mapping) and isinstance(inner.get("text"), str):
            return str(inner["text"])
        if isinstance(value.get("text"), str):
            return str(value["text"])
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _render_options(builder: _Builder, item: Mapping[str, Any]) -> None:
    question = _text(item.get("text")) or _text(item.get("title"))
    description = _text(item.get("description"))
    choices: list[dict[str, Any]] = []
    for option in item.get("options") or []:
        if not isinstance(option, Mapping):
            continue
        value = option_value(option.get("value"))
        label = _text(option.get("label")) or value
        if not value:
            value = label
        if value:
            choices.append({"label": label, "value": value})
    head = "\n".join(p for p in (question, description if description != question else "") if p)
    lines = [f"- {c['label']} (value: {c['value']})" for c in choices]
    builder.options.extend(choices)
    section = (head + "\n" if head else "") + "Options:\n" + "\n".join(lines)
    if choices:
        section += (
            "\nTo choose, send the value of one option as the next message in this same thread."
        )
    builder.add(section)


# -- files -----------------------------------------------------------------------------------


def _render_downloads(builder: _Builder, item: Mapping[str, Any]) -> None:
    lines = []
    heading = _text(item.get("text"))
    for entry in item.get("files") or []:
        if not isinstance(entry, Mapping):
            continue
        url = _text(entry.get("url"))
        name = _text(entry.get("fileName")) or _text(entry.get("file_name"))
        name = name or _text(entry.get("name"))
        about = _text(entry.get("text"))
        if builder.add_file(name, url, about):
            lines.append(f"- {name or url}: {url}" + (f" ({about})" if about else ""))
    if lines:
        builder.add((heading + "\n" if heading else "") + "Files:\n" + "\n".join(lines))
    elif heading:
        builder.add(heading)


def files_from_steps(steps: Iterable[ToolStep]) -> list[dict[str, Any]]:
    """Files that tool responses hand out (``{"type": "downloadable_file", ...}``, §5.3)."""
    builder = _Builder()
    for step in steps:
        if step.kind == "tool_response" and step.content:
            for name, url in downloadable_files(step.content):
                builder.add_file(name, url)
    return builder.files


def _add_step_files(builder: _Builder, steps: Iterable[ToolStep]) -> None:
    lines = []
    for entry in files_from_steps(steps):
        if builder.add_file(entry["name"], entry["url"]):
            lines.append(f"- {entry['name']}: {entry['url']}")
    if lines:
        builder.add("Files from the agent's tools:\n" + "\n".join(lines))


# -- widgets, prompts and objects ------------------------------------------------------------


def _render_widget(builder: _Builder, kind: str, item: Mapping[str, Any]) -> None:
    statement = widget_statement(kind, item)
    builder.asks.append(statement)
    builder.add(statement)


def _render_object(builder: _Builder, item: Mapping[str, Any]) -> None:
    question = _text(item.get("text")) or "The agent asks for some details."
    inner = _Builder()
    inner.sources, inner.files = builder.sources, builder.files
    _render_items(inner, item.get("content"))
    builder.citations.extend(inner.citations)
    builder.options.extend(inner.options)
    builder.asks.extend(inner.asks)
    builder.prompts += inner.prompts + 1
    body = inner.text()
    lines = [f"- {line}" if line else line for line in body.splitlines()]
    builder.add(question + ("\n" + "\n".join(lines) if lines else ""))


def _render_media(builder: _Builder, kind: str, item: Mapping[str, Any]) -> None:
    source = _text(item.get("source")) or _text(item.get("url"))
    title = _text(item.get("title")) or _text(item.get("alt_text")) or _text(item.get("text"))
    label = kind.capitalize()
    if source:
        builder.add(f"{label}{': ' + title if title else ''}: {source}")
    else:
        _render_unknown(builder, item)


def _render_unknown(builder: _Builder, item: Mapping[str, Any]) -> None:
    kind = item.get("response_type")
    encoded = json.dumps(item, ensure_ascii=False, default=str)
    if len(encoded) > MAX_UNKNOWN_JSON:
        encoded = encoded[:MAX_UNKNOWN_JSON] + "…"
    label = f'of type "{kind}"' if isinstance(kind, str) and kind else "without a type"
    builder.add(f"(Content {label}, passed on as JSON: {encoded})")


# -- flows and steps -------------------------------------------------------------------------


def is_flow_notice(text: str) -> bool:
    """Whether a message text only says that an async flow started (the ADK skips these)."""
    low = text.lower()
    return any(marker in low for marker in FLOW_NOTICE_MARKERS)


def _short(value: object, limit: int = MAX_STEP_TEXT) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def steps_text(steps: Sequence[Mapping[str, Any]]) -> str:
    """The agent's tool calls and responses as a numbered list (for ``include_steps``)."""
    lines = []
    for n, step in enumerate(steps, 1):
        name = step.get("name") or "a tool"
        if step.get("kind") == "tool_call":
            lines.append(f"{n}. called {name} with {_short(step.get('args') or {})}")
        else:
            lines.append(f"{n}. {name} returned: {_short(step.get('content') or '')}")
    return "Tool steps:\n" + "\n".join(lines) if lines else ""
