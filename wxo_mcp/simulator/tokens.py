"""Token exchange routes, so auth flavours can be tested end to end (§2.2–§2.5).

Each exchange hands out the simulator's bearer token for the right credentials. They are outside the
Orchestrate paths and need no bearer token themselves, as in the real services.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import SimulatorState

IAM_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


async def _form(request: Request) -> dict[str, str]:
    # application/x-www-form-urlencoded, parsed here rather than with python-multipart (not a
    # dependency).
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def _state(request: Request) -> SimulatorState:
    state: SimulatorState = request.app.state.sim
    return state


async def local_login(request: Request) -> Response:
    """Developer Edition ``POST /api/v1/auth/token`` (form ``username``, ``password``)."""
    form = await _form(request)
    if not form.get("username") or not form.get("password"):
        return JSONResponse({"detail": "Incorrect username or password"}, status_code=401)
    return JSONResponse({"access_token": _state(request).options.token, "token_type": "bearer"})


async def iam_token(request: Request) -> Response:
    """IBM Cloud IAM ``POST /identity/token`` (form ``grant_type``, ``apikey``)."""
    state = _state(request)
    form = await _form(request)
    if form.get("grant_type") != IAM_GRANT:
        return JSONResponse(
            {
                "errorCode": "BXNIM0109E",
                "errorMessage": "Property missing or empty.",
                "context": {},
            },
            status_code=400,
        )
    if form.get("apikey") != state.options.api_key:
        return JSONResponse(
            {
                "errorCode": "BXNIM0415E",
                "errorMessage": "Provided API key could not be found.",
                "context": {},
            },
            status_code=400,
        )
    now = int(time.time())
    return JSONResponse(
        {
            "access_token": state.options.token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": 3600,
            "expiration": now + 3600,
            "scope": "ibm openid",
        }
    )


async def _json_body(request: Request) -> dict[str, object]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


async def mcsp_token(request: Request) -> Response:
    """AWS MCSP v1 and v2 API key exchanges (JSON ``{"apikey"}``; v2 also sends ``X-API-Key``)."""
    state = _state(request)
    body = await _json_body(request)
    key = body.get("apikey") or request.headers.get("x-api-key")
    if key != state.options.api_key:
        return JSONResponse({"message": "Invalid API key"}, status_code=401)
    return JSONResponse({"token": state.options.token, "token_type": "jwt", "expires_in": 7200})


async def cpd_authorize(request: Request) -> Response:
    """CPD ``POST /icp4d-api/v1/authorize`` (``username`` with ``password`` or ``api_key``)."""
    state = _state(request)
    body = await _json_body(request)
    secret = body.get("api_key") or body.get("password")
    if not body.get("username") or secret != state.options.api_key:
        return JSONResponse(
            {"_messageCode_": "401", "message": "Invalid username or password"}, status_code=401
        )
    return JSONResponse(
        {"_messageCode_": "200", "message": "Success", "token": state.options.token}
    )


ROUTES = [
    Route("/api/v1/auth/token", local_login, methods=["POST"]),
    Route("/identity/token", iam_token, methods=["POST"]),
    Route("/siusermgr/api/1.0/apikeys/token", mcsp_token, methods=["POST"]),
    Route("/api/2.0/apikeys/token", mcsp_token, methods=["POST"]),
    Route("/icp4d-api/v1/authorize", cpd_authorize, methods=["POST"]),
]
