"""Error bodies in the two shapes clients meet: FastAPI's from the runtime, the gateway's on SaaS.

The runtime (FastAPI) answers ``{"detail": <str | dict | list>}``; the SaaS gateway in front of it
answers a flat ``{"code", "message", "status"}`` envelope for what it rejects itself (bad token,
unknown route or instance) (§9).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from . import payloads


def detail(status: int, message: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A FastAPI ``HTTPException`` response."""
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def not_found(message: str = "Not Found") -> JSONResponse:
    return detail(404, message)


def method_not_allowed() -> JSONResponse:
    return detail(405, "Method Not Allowed")


def validation(errors: list[dict[str, Any]]) -> JSONResponse:
    """FastAPI's 422 ``RequestValidationError`` body: a list of pydantic error dicts."""
    return JSONResponse({"detail": errors}, status_code=422)


def gateway(key: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A SaaS gateway envelope (``gateway_not_found`` or ``gateway_unauthorized``)."""
    body = payloads.load("errors.json")[key]
    return JSONResponse(body, status_code=int(body["status"]), headers=headers)


def unauthorized_local(*, missing: bool) -> JSONResponse:
    body = payloads.load("errors.json")["not_authenticated" if missing else "invalid_token"]
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def quota_exceeded(headers: dict[str, str] | None = None) -> JSONResponse:
    """The 429 ``RESOURCE_QUOTA_EXCEEDED`` body the ADK maps to ``ResourceQuotaExceededError``."""
    return JSONResponse(
        payloads.load("errors.json")["quota_exceeded"], status_code=429, headers=headers
    )
