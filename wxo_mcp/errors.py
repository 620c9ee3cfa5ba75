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
message quotes Orchestrate's own words (read from the body by `error_answers.py`) and never a
token: `redact()` removes bearer tokens, JWTs and any secret the caller names before text enters
an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wxo_mcp.error_answers import error_code, error_text, parse_body, request_id

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
    "from_response",
    "redact",
]

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
    parsed = parse_body(body)
    cls = _class_for(status)
    words = redact(error_text(parsed), secrets)
    rid = request_id(headers)
    message = f"Orchestrate answered HTTP {status} to {what}"
    if words:
        message += f": {words.rstrip('.')}"
    if rid:
        message += f" (request id {rid})"
    message += "."
    hint = _specific_hint(cls, error_code(parsed), parsed)
    if cls is RateLimited:
        return RateLimited(
            message,
            hint,
            status_code=status,
            body=parsed,
            request_id=rid,
            retry_after=retry_after,
        )
    return cls(message, hint, status_code=status, body=parsed, request_id=rid)
