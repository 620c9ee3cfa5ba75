"""Token exchange routes, so auth flavours can be tested end to end (§2.2–§2.5).

Each remote exchange (IAM, MCSP, CPD) hands out a fresh short-lived JWT-shaped token
(``SimulatorOptions.token_lifetime``, see :mod:`.issuer`) for the right credentials, and counts
itself; the Developer Edition login is in :mod:`.tenants`. The routes
are outside the Orchestrate paths and need no bearer token themselves, as in the real services.
The static ``SimulatorOptions.token`` stays valid everywhere for tests that do not exercise auth.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import SimulatorState

IAM_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


async def form_fields(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body, parsed here rather than with
    python-multipart (not a dependency)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def _state(request: Request) -> SimulatorState:
    state: SimulatorState = request.app.state.sim
    return state


def authorized(request: Request, state: SimulatorState) -> bool | None:
    """True for ``Authorization: Bearer <t>`` where ``t`` is the static token or an unexpired
    issued one (:mod:`.issuer`); None when the header is missing."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token:
        return False
    return token == state.options.token or state.issuer.check(token) == "valid"


def _lifetime(state: SimulatorState) -> float:
    override = state.issuer.lifetime
    return state.options.token_lifetime if override is None else override


async def iam_token(request: Request) -> Response:
    """IBM Cloud IAM ``POST /identity/token`` (form ``grant_type``, ``apikey``)."""
    state = _state(request)
    form = await form_fields(request)
    if form.get("grant_type") != IAM_GRANT:
        return JSONResponse(
            {
                "errorCode": "BXNIM0109E",
                "errorMessage": "Property missing or empty.",
                "context": {},
            },
            status_code=400,
        )
    if form.get("apikey") not in state.options.api_keys:
        return JSONResponse(
            {
                "errorCode": "BXNIM0415E",
                "errorMessage": "Provided API key could not be found.",
                "context": {},
            },
            status_code=400,
        )
    lifetime = _lifetime(state)
    token = state.issuer.issue("iam", lifetime)
    return JSONResponse(
        {
            "access_token": token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": _whole(lifetime),
            "expiration": int(time.time() + lifetime),
            "scope": "ibm openid",
        }
    )


async def _json_body(request: Request) -> dict[str, object]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _mcsp_version(key: object) -> int | None:
    """1 or 2 from a ``k1:`` / ``k2:`` base64 key; None for any other key (accepted by both)."""
    if not isinstance(key, str):
        return None
    try:
        prefix = base64.b64decode(key + "=" * (-len(key) % 4), validate=True)[:3]
    except ValueError:
        return None
    return {b"k1:": 1, b"k2:": 2}.get(prefix)


async def _mcsp_token(request: Request, version: int) -> Response:
    """AWS MCSP v1 and v2 API key exchanges (JSON ``{"apikey"}``; v2 also sends ``X-API-Key``).

    A ``k1:`` key is refused by the v2 service and a ``k2:`` key by v1, as the real services do,
    so clients' key-type detection and v1-then-v2 fallback can be tested. The token's lifetime is
    only in its JWT ``exp`` (the real response has no ``expires_in``).
    """
    state = _state(request)
    if version not in state.options.mcsp_versions:
        return JSONResponse({"message": "Not Found"}, status_code=404)
    body = await _json_body(request)
    key = body.get("apikey") or request.headers.get("x-api-key")
    if key not in state.options.api_keys or _mcsp_version(key) not in (None, version):
        return JSONResponse({"message": "Invalid API key"}, status_code=401)
    token = state.issuer.issue(f"mcsp_v{version}", _lifetime(state))
    return JSONResponse({"token": token, "token_type": "jwt"})


async def mcsp_v1_token(request: Request) -> Response:
    """``POST /siusermgr/api/1.0/apikeys/token``."""
    return await _mcsp_token(request, 1)


async def mcsp_v2_token(request: Request) -> Response:
    """``POST /api/2.0/apikeys/token``."""
    return await _mcsp_token(request, 2)


async def cpd_authorize(request: Request) -> Response:
    """CPD ``POST /icp4d-api/v1/authorize`` (``username`` with ``password`` or ``api_key``)."""
    state = _state(request)
    body = await _json_body(request)
    secret = body.get("api_key") or body.get("password")
    if not body.get("username") or secret not in state.options.api_keys:
        return JSONResponse(
            {"_messageCode_": "401", "message": "Invalid username or password"}, status_code=401
        )
    token = state.issuer.issue("cpd", _lifetime(state), str(body["username"]))
    return JSONResponse({"_messageCode_": "200", "message": "Success", "token": token})


def _whole(seconds: float) -> int | float:
    """``expires_in`` as the services send it (whole seconds), fractional only below 10 s."""
    return int(seconds) if seconds >= 10 else seconds


ROUTES = [
    Route("/identity/token", iam_token, methods=["POST"]),
    Route("/siusermgr/api/1.0/apikeys/token", mcsp_v1_token, methods=["POST"]),
    Route("/api/2.0/apikeys/token", mcsp_v2_token, methods=["POST"]),
    Route("/icp4d-api/v1/authorize", cpd_authorize, methods=["POST"]),
]
