"""The simulator's ASGI app: path families, bearer auth and injected status faults in front of the
resource handlers, plus health, token and control routes.

Order of checks for an Orchestrate request: an armed status fault first (it stands for a failure
anywhere on the way, gateway included), then, under ``/instances/``, the gateway's own checks (known
instance, bearer token, known route: flat ``{"code", "message", "status"}`` errors), or locally
FastAPI's (route, then bearer token: ``{"detail"}`` errors), then the handler.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from . import errors, hostile, routing, tenants, tokens
from .faults import FaultError, StatusFault
from .handlers import HANDLERS
from .observe import SeenRequest
from .options import SimulatorOptions
from .state import SimulatorState

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _state(request: Request) -> SimulatorState:
    state: SimulatorState = request.app.state.sim
    return state


async def _fault_response(
    fault: StatusFault, family: routing.Family, state: SimulatorState
) -> Response:
    headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
    if fault.mode != "status":
        return await hostile.response(fault, state.shutting_down)
    if fault.body is not None:
        return JSONResponse(fault.body, status_code=fault.code, headers=headers)
    if fault.code == 429:
        return errors.quota_exceeded(headers)
    if family == "saas" and fault.code == 401:
        return errors.gateway("gateway_unauthorized", headers)
    if family == "saas" and fault.code == 404:
        return errors.gateway("gateway_not_found", headers)
    return errors.detail(fault.code, f"Simulated failure: HTTP {fault.code}", headers)


async def orchestrate(request: Request) -> Response | ASGIApp:
    """Every Orchestrate path, in both families."""
    state = _state(request)
    path = request.url.path
    state.requests.append(SeenRequest(request.method, path, request.url.query))
    options = state.options
    resolved = routing.resolve(request.method, path, options.instance_id, options.deployment)
    fault = state.faults.take_status(path, request.method)
    if fault is not None:
        return await _fault_response(fault, resolved.family, state)
    authorized = tokens.authorized(request, state)
    if resolved.family == "saas":
        if not resolved.known_instance:
            return errors.gateway("gateway_not_found")
        if not authorized:
            return errors.gateway("gateway_unauthorized")
        if resolved.name is None:
            return errors.gateway("gateway_not_found")
    else:
        if resolved.name is None:
            return errors.not_found() if resolved.method_allowed else errors.method_not_allowed()
        if not authorized:
            return errors.unauthorized_local(missing=authorized is None)
    return await HANDLERS[resolved.name](request, state, resolved.params)


async def health(request: Request) -> Response:
    """``GET /health/alive``: the Developer Edition container health check (no auth)."""
    return JSONResponse({"status": "ok"})


async def control_faults(request: Request) -> Response:
    """``POST /_simulator/faults``: arm a fault from another process (bench, CLI-launched
    simulator)."""
    try:
        spec = json.loads(await request.body())
        if not isinstance(spec, dict):
            raise FaultError("the body must be a JSON object")
        _state(request).faults.arm(spec)
    except (json.JSONDecodeError, FaultError) as exc:
        return errors.detail(422, str(exc))
    return JSONResponse({"ok": True})


async def control_reset(request: Request) -> Response:
    """``POST /_simulator/reset``: forget faults, runs, threads and recorded requests."""
    _state(request).reset()
    return JSONResponse({"ok": True})


async def control_stats(request: Request) -> Response:
    """``GET /_simulator/stats``: counters for out-of-process observers."""
    state = _state(request)
    statuses: dict[str, int] = {}
    for record in state.store.runs.values():
        statuses[record.status] = statuses.get(record.status, 0) + 1
    return JSONResponse(
        {
            "requests": len(state.requests),
            "runs": statuses,
            "threads": len(state.store.threads),
            "streams_closed_early": state.stream_closed.count,
            "token_exchanges": state.issuer.counts,
        }
    )


def create_app(
    options: SimulatorOptions | None = None, *, state: SimulatorState | None = None
) -> Starlette:
    """Build the simulator app. ``state`` lets a :class:`~.server.Simulator` share its state with
    it.

    Runs execute in a task group opened by the app's lifespan, so the ASGI server must run the
    lifespan (uvicorn does). Without one, runs fall back to plain loop tasks.
    """
    if state is None:
        state = SimulatorState(options or SimulatorOptions())
    sim_state = state

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sim_state.shutting_down = anyio.Event()
        async with anyio.create_task_group() as group:
            sim_state.task_group = group
            try:
                yield
            finally:
                sim_state.begin_shutdown()
                sim_state.task_group = None
                group.cancel_scope.cancel()

    routes = [
        Route("/health/alive", health, methods=["GET"]),
        Route("/_simulator/faults", control_faults, methods=["POST"]),
        Route("/_simulator/reset", control_reset, methods=["POST"]),
        Route("/_simulator/stats", control_stats, methods=["GET"]),
        *tokens.ROUTES,
        # The Developer Edition's own login; behind the SaaS gateway it is one more unknown path.
        *(tenants.ROUTES if state.options.deployment != "saas" else []),
        Route("/{path:path}", orchestrate, methods=_ALL_METHODS),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sim = state
    return app
