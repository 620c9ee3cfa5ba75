"""What an error answer from Orchestrate says: its own words, its code, its request id.

Apart from the exception tree because reading error bodies is parsing of many shapes (FastAPI's
`detail` string, object or 422 list, the SaaS gateway's `{code, message}`, `error`, bare text or
a whole HTML page) and header lookups, while `errors.py` only decides which exception and which
advice. Pure functions, no import from the rest of wxo_mcp.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MAX_QUOTE_CHARS",
    "REQUEST_ID_HEADERS",
    "error_code",
    "error_text",
    "parse_body",
    "request_id",
]

#: Headers that identify a request in IBM's logs; an operator asks support with these.
REQUEST_ID_HEADERS = (
    "x-request-id",
    "x-ibm-request-id",
    "x-correlation-id",
    "x-global-transaction-id",
    "x-transaction-id",
)
#: Orchestrate's words are quoted up to this length; bodies can be whole HTML error pages.
MAX_QUOTE_CHARS = 500


def parse_body(body: object) -> object:
    """Bytes or text as the JSON they hold, if they do; anything else as it is."""
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", errors="replace")
    if isinstance(body, str):
        stripped = body.strip()
        if stripped[:1] in ("{", "["):
            try:
                return json.loads(stripped)
            except ValueError:
                return body
    return body


def _loc_msg(item: object) -> str:
    if isinstance(item, Mapping):
        loc = item.get("loc")
        msg = str(item.get("msg") or item.get("message") or "")
        if isinstance(loc, list | tuple) and loc:
            where = ".".join(str(p) for p in loc if p != "body") or "body"
            return f"{where}: {msg}" if msg else where
        return msg
    return str(item)


def _from_mapping(obj: Mapping[str, Any]) -> str:
    """Orchestrate's own words in a JSON error body: the ADK's reading, plus shapes it skips."""
    if "detail" in obj and obj["detail"] not in (None, ""):
        detail = obj["detail"]
        if isinstance(detail, str):
            return detail
        if isinstance(detail, Mapping):
            msg = detail.get("message")
            code = detail.get("code")
            if msg and code:
                return f"{msg} ({code})"
            if msg or code:
                return str(msg or code)
            return json.dumps(detail)[:MAX_QUOTE_CHARS]
        if isinstance(detail, list):
            return "; ".join(_loc_msg(i) for i in detail if _loc_msg(i))
        return str(detail)
    if obj.get("message"):
        code = obj.get("code")
        return f"{code}: {obj['message']}" if code else str(obj["message"])
    error = obj.get("error")
    if isinstance(error, Mapping):
        return str(error.get("message") or error.get("code") or json.dumps(error))
    if error:
        return str(error)
    if obj.get("code"):
        return str(obj["code"])
    return ""


def error_text(body: object) -> str:
    """The human part of an error body (`detail`, `detail.message`, `{code, message}`, ...)."""
    parsed = parse_body(body)
    if isinstance(parsed, Mapping):
        text = _from_mapping(parsed)
    elif isinstance(parsed, list):
        text = "; ".join(_loc_msg(i) for i in parsed)
    elif parsed is None:
        text = ""
    else:
        text = " ".join(str(parsed).split())
    if len(text) > MAX_QUOTE_CHARS:
        text = text[: MAX_QUOTE_CHARS - 1] + "…"
    return text


def error_code(body: object) -> str | None:
    """The machine code of a parsed error body (`detail.code` or the gateway's `code`)."""
    if isinstance(body, Mapping):
        detail = body.get("detail")
        if isinstance(detail, Mapping) and isinstance(detail.get("code"), str):
            return str(detail["code"])
        if isinstance(body.get("code"), str):
            return str(body["code"])
    return None


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def request_id(headers: Mapping[str, str] | None) -> str | None:
    """The id IBM's logs know the request by, if the answer names one."""
    for name in REQUEST_ID_HEADERS:
        value = _header(headers, name)
        if value:
            return value[:128]
    return None
