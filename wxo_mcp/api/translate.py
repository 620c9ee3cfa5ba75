"""The httpx boundary: httpx exceptions and unwelcome answers, said in the `wxo_mcp.errors` tree.

Apart from the client so that both the client and the run stream translate the same way, and so
that what a failure *means* (connect / timeout / network, which decides retries) is read in one
place. Nothing from httpx is raised past `api/`.
"""

from __future__ import annotations

import httpx2 as httpx

from wxo_mcp.api.retry import Failure, parse_retry_after
from wxo_mcp.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeout,
    ConfigError,
    WxoError,
    from_response,
    redact,
)

__all__ = ["failure_kind", "is_stream", "not_a_stream", "status_error", "translate"]


def failure_kind(exc: httpx.HTTPError) -> Failure:
    """connect: the request never got through whole (no connection, or it could not be written,
    so no server can have acted on it); timeout: no answer in time; network: the connection
    broke after the request was sent."""
    if isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteError
    ):
        return "connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "network"


def translate(exc: httpx.HTTPError | httpx.InvalidURL, where: str, what: str) -> WxoError:
    """Our exception for an httpx one (the caller raises it `from exc`)."""
    reason = redact(str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return ConfigError(
            f"The Orchestrate URL {where} cannot be used: {reason}.",
            "Set WXO_URL to the instance URL, e.g. http://localhost:4321.",
        )
    kind = failure_kind(exc) if isinstance(exc, httpx.HTTPError) else "network"
    if isinstance(exc, httpx.TimeoutException):
        phase = "connecting to" if kind == "connect" else "waiting for"
        return ApiTimeout(
            f"Timed out {phase} Orchestrate at {where} while {what}.",
            "Check that the instance is reachable and try again.",
        )
    if kind == "connect":
        if "CERTIFICATE_VERIFY_FAILED" in reason or "SSL" in reason:
            hint = "Set WXO_CA_BUNDLE to the instance's CA file (or WXO_VERIFY=false to test)."
        else:
            hint = (
                "Check WXO_URL and that the instance is running "
                "(Developer Edition: `orchestrate server start`)."
            )
        return ApiConnectionError(f"Cannot connect to Orchestrate at {where}: {reason}.", hint)
    return ApiConnectionError(
        f"The connection to Orchestrate at {where} broke while {what}: {reason}.",
        "Try again; if it keeps happening, check proxies between here and the instance.",
    )


def status_error(
    response: httpx.Response, body: bytes, what: str, secrets: list[str]
) -> ApiStatusError:
    return from_response(
        response.status_code,
        body,
        dict(response.headers),
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        what=what,
        secrets=secrets,
    )


def is_stream(response: httpx.Response) -> bool:
    """A run stream is NDJSON (under an SSE or JSON type); never a web page."""
    kind = response.headers.get("content-type", "").lower()
    return "html" not in kind and "xml" not in kind


def not_a_stream(response: httpx.Response, where: str) -> ApiError:
    """A redirect or a web page answered the run start: say what came back, not "0 events"."""
    kind = response.headers.get("content-type") or "no content type"
    status = response.status_code
    if 300 <= status < 400:
        target = httpx.URL(response.headers.get("location", "")).host or "another place"
        came = f"a redirect (HTTP {status}) to {target}"
        hint = "Set WXO_URL to the instance's API URL itself; wxo-mcp does not follow redirects."
    else:
        came = f"HTTP {status} with {kind[:60]} instead of a run stream"
        hint = "Check that WXO_URL points at the Orchestrate API, not a web page or a login proxy."
    return ApiError(
        f"Orchestrate at {where} answered the run start with {came}. A run may have started: "
        "look at the resource orchestrate://runs before trying again.",
        hint,
    )
