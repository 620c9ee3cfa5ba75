"""The error tree: status -> class, Orchestrate's words in messages, no secrets."""

from __future__ import annotations

import json

import pytest

from wxo_mcp.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeout,
    AuthError,
    BadRequest,
    ConfigError,
    Forbidden,
    InvalidArgument,
    NotFound,
    RateLimited,
    ServerError,
    StreamError,
    Unauthorized,
    WxoError,
    error_text,
    from_response,
    redact,
)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (405, ApiStatusError),
        (409, ApiStatusError),
        (422, BadRequest),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
    ],
)
def test_status_to_class(status, cls):
    err = from_response(status, b"{}", {})
    assert type(err) is cls
    assert err.status_code == status
    assert isinstance(err, ApiError)
    assert isinstance(err, WxoError)
    assert str(err).endswith(".")


def test_tree():
    for cls in (ConfigError, AuthError, InvalidArgument, ApiError, StreamError):
        assert issubclass(cls, WxoError)
    for status_cls in (BadRequest, Unauthorized, Forbidden, NotFound, RateLimited, ServerError):
        assert issubclass(status_cls, ApiStatusError)
    assert issubclass(ApiTimeout, ApiConnectionError)
    assert issubclass(ApiConnectionError, ApiError)
    assert not issubclass(StreamError, ApiError)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"detail": "Agent not found"}, "Agent not found"),
        (
            {"detail": {"message": "Thread expired", "code": "THREAD_GONE"}},
            "Thread expired (THREAD_GONE)",
        ),
        ({"detail": {"code": "ONLY_CODE"}}, "ONLY_CODE"),
        (
            {
                "detail": [
                    {"loc": ["body", "message"], "msg": "field required", "type": "missing"},
                    {"loc": ["query", "limit"], "msg": "must be >= 1", "type": "x"},
                ]
            },
            "message: field required; query.limit: must be >= 1",
        ),
        (
            {"code": "WXO-PROXY-14009E", "message": "Route not found", "status": 404},
            "WXO-PROXY-14009E: Route not found",
        ),
        ({"message": "plain message"}, "plain message"),
        ({"error": "an error string"}, "an error string"),
        ({"error": {"message": "v2 nested", "code": "x"}}, "v2 nested"),
        ({}, ""),
        (None, ""),
        (b"<html><body>Bad   Gateway</body></html>", "<html><body>Bad Gateway</body></html>"),
        ("upstream connect error", "upstream connect error"),
        (b'{"detail": "as bytes"}', "as bytes"),
        ([{"loc": ["body"], "msg": "bare list"}], "body: bare list"),
    ],
)
def test_orchestrates_words_are_quoted(body, words):
    assert error_text(body) == words
    err = from_response(400, body, {})
    if words:
        assert words in err.message


def test_quota_429():
    body = {
        "detail": {
            "code": "RESOURCE_QUOTA_EXCEEDED",
            "resource": "runs",
            "current": 10,
            "requested": 1,
            "limit": 10,
            "message": "Quota exceeded for runs",
        }
    }
    err = from_response(429, json.dumps(body).encode(), {"Retry-After": "3"}, retry_after=3.0)
    assert isinstance(err, RateLimited)
    assert err.retry_after == 3.0
    assert "Quota exceeded for runs (RESOURCE_QUOTA_EXCEEDED)" in err.message
    assert "10 of 10" in err.hint
    assert err.body == body


def test_gateway_hints():
    assert "WXO_DEPLOYMENT" in from_response(404, {"code": "WXO-PROXY-14009E", "message": "m"}).hint
    assert "deploy" in from_response(500, {"code": "WXO-PROXY-11112E", "message": "m"}).hint


def test_request_id_is_kept():
    err = from_response(
        500, {"detail": "boom"}, {"X-IBM-Request-Id": "req-123"}, what="listing agents"
    )
    assert err.request_id == "req-123"
    assert str(err).startswith(
        "Orchestrate answered HTTP 500 to listing agents: boom (request id req-123)."
    )


def test_unauthorized_says_what_to_do():
    text = str(from_response(401, {"detail": "Invalid token"}))
    assert "Invalid token" in text
    assert "WXO_TOKEN" in text
    assert "orchestrate env activate" in text


@pytest.mark.parametrize(
    "text",
    [f"Bearer {JWT}", "bearer abc.def-ghi", f"token {JWT} was bad", "ZenApiKey dXNlcjprZXk="],
)
def test_redact(text):
    out = redact(text)
    assert JWT not in out
    assert "abc.def-ghi" not in out
    assert "dXNlcjprZXk=" not in out


def test_known_secrets_are_redacted_from_bodies():
    err = from_response(401, {"detail": "token s3cr3t-value rejected"}, secrets=["s3cr3t-value"])
    assert "s3cr3t-value" not in str(err)
    assert "s3cr3t-value" not in repr(err)


def test_messages_never_hold_a_jwt():
    err = from_response(401, {"detail": f"Bad header Authorization: Bearer {JWT}"})
    assert JWT not in str(err)
    assert JWT not in AuthError(f"got {JWT}").message


def test_long_bodies_are_cut():
    err = from_response(502, "x" * 5000)
    assert len(err.message) < 700


def test_stream_error_carries_what_was_received():
    err = StreamError(
        "broke", "retry", events=["e1", "e2"], run_id="r", thread_id="t", stalled=True
    )
    assert err.events == ("e1", "e2")
    assert (err.run_id, err.thread_id, err.stalled) == ("r", "t", True)
    assert str(err) == "broke retry"


@pytest.mark.parametrize(
    "prose",
    [
        "Write a bearer token into it.",
        "Write the Bearer token into it as plain text.",
        "The server expects basic auth or a bearer header.",
        "Send it as a ZenApiKey header.",
    ],
)
def test_redact_keeps_prose_about_tokens(prose):
    assert redact(prose) == prose
    assert AuthError(prose).message == prose


@pytest.mark.parametrize(
    "value",
    ["abc.def-ghi", "sim-token", "T", "s3cr3t", "hunter", "Token123", "dXNlcjprZXk=", JWT],
)
def test_redact_removes_values_after_a_scheme(value):
    for scheme in ("Bearer", "bearer", "ZenApiKey", "Basic"):
        out = redact(f"Authorization: {scheme} {value} was refused")
        assert value not in out.replace("was refused", "")
        assert out == f"Authorization: {scheme} [redacted] was refused"
