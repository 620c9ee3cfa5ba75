"""The exceptions wxo-mcp raises, grouped by what the caller can do about them.

```
WxoError                      .message (safe to show), .hint (what to do); str() = both
├── ConfigError               a setting is malformed or missing (WXO_URL, WXO_TOOLS, ...)
├── AuthError                 no usable credentials (missing, expired ADK token, ...)
├── InvalidArgument           an id or parameter we refuse to put into a request (no request sent)
├── ApiError                  talking to Orchestrate failed
│   ├── ApiStatusError        an error status (.status_code, .body, .request_id)
│   │   ├── BadRequest        400, 422
│   │   ├── Unauthorized      401
│   │   ├── Forbidden         403
│   │   ├── NotFound          404
│   │   ├── RateLimited       429 (.retry_after)
│   │   └── ServerError       5xx
│   └── ApiConnectionError    no answer at all (DNS, refused, reset, TLS)
│       └── ApiTimeout        connect or read timeout before a response
└── StreamError               a run stream broke or stalled mid-run (.events received so far)
```

`from_response(status, body, headers)` is the one place a status code becomes a class. Every
message quotes Orchestrate's own words (`detail`, `detail.message`/`detail.code`, FastAPI's 422
list, the SaaS gateway's `{code, message}`) and never a token: `redact()` removes bearer tokens,
JWTs and any secret the caller names before text enters an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiStatusError",
    "ApiTimeout",
    "AuthError",
    "BadRequest",
    "ConfigError",
    "Forbidden",
    "InvalidArgument",
    "NotFound",
    "RateLimited",
    "ServerError",
    "StreamError",
    "Unauthorized",
    "WxoError",
    "error_text",
    "from_response",
    "redact",
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

_BEARER = re.compile(r"(?i)\b(bearer|zenapikey|basic)\s+([A-Za-z0-9._~+/=-]+)")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
#: Words that follow a scheme name in our own prose ("write a bearer token into it"). Anything
#: else after "Bearer", "Basic" or "ZenApiKey" counts as a credential, however word-like: a
#: made-up token may well be a plain word, and leaking it costs more than a garbled sentence.
# fmt: off
_PROSE_AFTER_SCHEME = frozenset({
    "token", "tokens", "auth", "authentication", "authorization", "header", "headers", "scheme",
    "credential", "credentials", "key", "keys", "value", "or", "and", "the", "a", "an", "is",
    "in", "into", "of", "to", "for", "with", "from", "as",
})
# fmt: on


def _redact_scheme(match: re.Match[str]) -> str:
    if match.group(2).rstrip(".").lower() in _PROSE_AFTER_SCHEME:  # a sentence may end there
        return match.group(0)
    return f"{match.group(1)} [redacted]"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove bearer tokens, JWTs and the given secrets from `text`: values, not the words
    around them ("Bearer abc123" loses abc123; "a bearer token" stays as written).

    Defensive: our messages are built from server bodies and URLs, which should never hold a
    token, but an echoing proxy or a misconfigured gateway might.
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    text = _BEARER.sub(_redact_scheme, text)
    return _JWT.sub("[redacted token]", text)


class WxoError(Exception):
    """Base of every error wxo-mcp raises on purpose.

    `message` says what happened, `hint` what to do; both are safe to show to a person or a
    model (no tokens). `str(err)` joins them into complete sentences.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = redact(message)
        self.hint = redact(hint)
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(WxoError):
    """A setting is malformed, or one the call needs (like WXO_URL) is missing."""


class AuthError(WxoError):
    """No usable credentials: none configured, or the ADK token expired."""


class InvalidArgument(WxoError, ValueError):
    """An argument we refuse to send (e.g. a run id that is not UUID-like); no request was made."""


class ApiError(WxoError):
    """Talking to Orchestrate failed."""


class ApiStatusError(ApiError):
    """Orchestrate answered with an error status code.

    Keeps `status_code`, the parsed `body` (JSON value, or text) and the `request_id` header
    when the server sent one, so an operator can quote it to IBM support.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        status_code: int,
        body: object = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.status_code = status_code
        self.body = body
        self.request_id = request_id


class BadRequest(ApiStatusError):
    """400 or 422: Orchestrate rejected the request's content."""


class Unauthorized(ApiStatusError):
    """401: the token is missing, expired or for another instance."""


class Forbidden(ApiStatusError):
    """403: the credentials are valid but lack access."""


class NotFound(ApiStatusError):
    """404: no such agent, run or thread (or, with WXO-PROXY-14009E, no such route)."""


class RateLimited(ApiStatusError):
    """429: too many requests or a resource quota exceeded; `retry_after` in seconds if known."""

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        status_code: int = 429,
        body: object = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint, status_code=status_code, body=body, request_id=request_id)
        self.retry_after = retry_after


class ServerError(ApiStatusError):
    """5xx: Orchestrate or its gateway failed; usually worth retrying later."""


class ApiConnectionError(ApiError):
    """No response: the host could not be reached or the connection broke before an answer."""


class ApiTimeout(ApiConnectionError):
    """No response in time (connect or read timeout)."""


class StreamError(WxoError):
    """A run stream broke or stalled after it started; the run may still be going on.

    `events` holds what was received before the break (RunEvent objects), `run_id` and
    `thread_id` what they revealed, so the caller can report partial output or poll the run.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        events: Sequence[Any] = (),
        run_id: str | None = None,
        thread_id: str | None = None,
        stalled: bool = False,
    ) -> None:
        super().__init__(message, hint)
        self.events = tuple(events)
        self.run_id = run_id
        self.thread_id = thread_id
        self.stalled = stalled


# --------------------------------------------------------------------------------------------
# status -> class


def _parse_body(body: object) -> object:
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
    parsed = _parse_body(body)
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


def _code_of(body: object) -> str | None:
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


def _request_id(headers: Mapping[str, str] | None) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = _header(headers, name)
        if value:
            return value[:128]
    return None


_HINTS: dict[type[ApiStatusError], str] = {
    BadRequest: "Check the message and ids sent; the request will fail the same way if repeated.",
    Unauthorized: (
        "Set a valid WXO_TOKEN or WXO_TOKEN_FILE for this instance, or run "
        "`orchestrate env activate <env>` to refresh the ADK token."
    ),
    Forbidden: "Ask the instance's administrator for access to this agent or instance.",
    NotFound: "Check the id (list agents or runs again); it may have been deleted.",
    RateLimited: "Wait a little and try again.",
    ServerError: "Orchestrate had a problem on its side; try again in a moment.",
    ApiStatusError: "Check WXO_URL and WXO_DEPLOYMENT.",
}


def _class_for(status: int) -> type[ApiStatusError]:
    if status in (400, 422):
        return BadRequest
    if status == 401:
        return Unauthorized
    if status == 403:
        return Forbidden
    if status == 404:
        return NotFound
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return ApiStatusError


def _specific_hint(cls: type[ApiStatusError], code: str | None, body: object) -> str:
    if code == "WXO-PROXY-14009E":
        return (
            "The gateway does not know this path: check that WXO_URL is the instance URL "
            "(…/instances/<id>) and WXO_DEPLOYMENT matches it (local, saas or cpd)."
        )
    if code == "WXO-PROXY-11112E":
        return (
            "The agent is probably not deployed: deploy it (`orchestrate agents deploy`) and retry."
        )
    if code == "RESOURCE_QUOTA_EXCEEDED" and isinstance(body, Mapping):
        detail = body.get("detail")
        if isinstance(detail, Mapping) and detail.get("resource"):
            return (
                f"The quota for {detail.get('resource')} is used up "
                f"({detail.get('current')} of {detail.get('limit')}); free some or ask for more."
            )
    return _HINTS[cls]


def from_response(
    status: int,
    body: object,
    headers: Mapping[str, str] | None = None,
    *,
    retry_after: float | None = None,
    what: str = "the request",
    secrets: Iterable[str] = (),
) -> ApiStatusError:
    """Build the exception for an error response (status >= 400).

    `body` may be raw bytes, text or an already parsed JSON value. `what` names the call
    ("listing agents") for the message; `secrets` are redacted from everything quoted.
    """
    parsed = _parse_body(body)
    cls = _class_for(status)
    words = redact(error_text(parsed), secrets)
    request_id = _request_id(headers)
    message = f"Orchestrate answered HTTP {status} to {what}"
    if words:
        message += f": {words.rstrip('.')}"
    if request_id:
        message += f" (request id {request_id})"
    message += "."
    hint = _specific_hint(cls, _code_of(parsed), parsed)
    if cls is RateLimited:
        return RateLimited(
            message,
            hint,
            status_code=status,
            body=parsed,
            request_id=request_id,
            retry_after=retry_after,
        )
    return cls(message, hint, status_code=status, body=parsed, request_id=request_id)
