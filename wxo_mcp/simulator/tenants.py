"""The Developer Edition login and its tenants, as ``orchestrate env activate local`` drives them.

The ADK logs in at ``POST /api/v1/auth/token`` (form ``username``, ``password``) for a user
token, lists ``GET /api/v1/tenants`` with it, creates the ``wxo-dev`` tenant with ``POST
/api/v1/tenants`` when it is missing, then logs in again with ``?tenant_id=`` for the tenant token
it stores and sends on every API call (§2.2). Both tokens are HS256 JWTs without ``exp`` whose
claims are those of the recorded token (``sub``, ``username``, ``aud``, and for the tenant token
``tenant_id``, ``woTenantId``, ``woUserId``); they are signed by :mod:`.issuer`, so the
Orchestrate routes accept them next to ``SimulatorOptions.token``. The ADK decodes the token and
refuses one that is not JWT-shaped, which is why the static token alone cannot serve it.

Status codes and bodies of refusals (bad credentials, unknown tenant, duplicate name) are
inferred: FastAPI ``{"detail": ...}`` errors, as elsewhere in the runtime (§9).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import errors, payloads, validation
from .agents import stable_id
from .state import SimulatorState
from .tokens import authorized, form_fields

#: The tenant the ADK looks for and creates (``DEFAULT_TENANT`` in its
#: ``local_service_instance.py``); it gets the tenant id of the recorded captures.
DEFAULT_TENANT_NAME = "wxo-dev"


def _new_tenant(name: str, title: str | None, tags: list[str]) -> payloads.JSON:
    tenant_id = payloads.TENANT_ID if name == DEFAULT_TENANT_NAME else stable_id("tenant", name)
    now = payloads.now_iso()
    return {
        "id": tenant_id,
        "name": name,
        "title": title or name,
        "tags": tags,
        "created_by": payloads.USER_ID,
        "created_on": now,
        "updated_at": now,
    }


def _known(state: SimulatorState, tenant_id: str) -> bool:
    return any(t["id"] == tenant_id for t in state.tenants.values())


def _state(request: Request) -> SimulatorState:
    state: SimulatorState = request.app.state.sim
    return state


async def login(request: Request) -> Response:
    """``POST /api/v1/auth/token[?tenant_id=]``: a user token, or a tenant token with the id."""
    state = _state(request)
    form = await form_fields(request)
    username = form.get("username")
    if not username or not form.get("password"):
        return errors.detail(401, "Incorrect username or password")
    claims: dict[str, object] = {"username": username, "aud": "authenticated"}
    tenant_id = request.query_params.get("tenant_id")
    if tenant_id is not None:
        if not _known(state, tenant_id):
            return errors.detail(404, f"Tenant with id '{tenant_id}' not found")
        claims |= {"tenant_id": tenant_id, "woTenantId": tenant_id, "woUserId": payloads.USER_ID}
    token = state.issuer.issue("local", None, payloads.USER_ID, claims)
    return JSONResponse({"access_token": token, "token_type": "bearer"})


async def list_tenants(request: Request) -> Response:
    """``GET /api/v1/tenants``: a plain array of tenant objects."""
    state = _state(request)
    allowed = authorized(request, state)
    if not allowed:
        return errors.unauthorized_local(missing=allowed is None)
    return JSONResponse(list(state.tenants.values()))


async def create_tenant(request: Request) -> Response:
    """``POST /api/v1/tenants`` ``{"name", "title", "tags"}``: 201 and the new tenant."""
    state = _state(request)
    allowed = authorized(request, state)
    if not allowed:
        return errors.unauthorized_local(missing=allowed is None)
    try:
        name, title, tags = validation.tenant_request(
            validation.parse_json_body(await request.body())
        )
    except validation.Invalid as invalid:
        return errors.validation(invalid.errors)
    if name in state.tenants:
        return errors.detail(409, f"Tenant with name '{name}' already exists")
    tenant = _new_tenant(name, title, tags)
    state.tenants[name] = tenant
    return JSONResponse(tenant, status_code=201)


ROUTES = [
    Route("/api/v1/auth/token", login, methods=["POST"]),
    Route("/api/v1/tenants", list_tenants, methods=["GET"]),
    Route("/api/v1/tenants", create_tenant, methods=["POST"]),
]
