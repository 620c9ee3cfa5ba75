"""Path families, bearer auth and the shapes of routing errors, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from wxo_mcp.simulator import Simulator

from .helpers import auth, client

LOCAL_PREFIXES = ["/v1", "/api/v1"]

# (path relative to the local prefix, path relative to the SaaS instance URL) for each GET resource.
LIST_ROUTES = [
    ("/orchestrate/agents", "/v1/orchestrate/agents"),
    ("/agents/external-chat", "/v1/orchestrate/agents/external-chat"),
    ("/assistants/watsonx", "/v1/orchestrate/assistants/watsonx"),
]


@pytest.mark.parametrize("prefix", LOCAL_PREFIXES)
@pytest.mark.parametrize(("local", "saas"), LIST_ROUTES)
def test_list_routes_in_every_family(
    simulator: Simulator, prefix: str, local: str, saas: str
) -> None:
    with client(simulator) as http:
        local_body = http.get(prefix + local).raise_for_status().json()
    with client(simulator, saas=True) as http:
        saas_body = http.get(saas).raise_for_status().json()
    assert isinstance(local_body, list)
    assert local_body == saas_body or {a["id"] for a in local_body} == {a["id"] for a in saas_body}


def test_external_and_assistant_lists_are_empty_arrays(simulator: Simulator) -> None:
    with client(simulator) as http:
        assert http.get("/v1/agents/external-chat").json() == []
        assert http.get("/api/v1/assistants/watsonx").json() == []


@pytest.mark.parametrize("prefix", LOCAL_PREFIXES)
def test_threads_live_outside_orchestrate_locally(simulator: Simulator, prefix: str) -> None:
    with client(simulator) as http:
        created = http.post(prefix + "/threads", json={"title": "t"})
        assert created.status_code == 201
        thread_id = created.json()["thread_id"]
        assert http.get(f"{prefix}/threads/{thread_id}").status_code == 200
        # Threads have no /orchestrate segment locally: that path does not exist.
        assert http.get(f"{prefix}/orchestrate/threads/{thread_id}").status_code == 404


def test_saas_threads_live_under_orchestrate(simulator: Simulator) -> None:
    with client(simulator, saas=True) as http:
        created = http.post("/v1/orchestrate/threads", json={})
        assert created.status_code == 201
        thread_id = created.json()["thread_id"]
        assert http.get(f"/v1/orchestrate/threads/{thread_id}").json()["id"] == thread_id
        assert http.get(f"/v1/orchestrate/threads/{thread_id}/messages").json() == []


@pytest.mark.parametrize(
    "path", ["/v1/runs", "/v1/agents", "/v1/threads", "/v1/orchestrate/nowhere", "", "/v2/x"]
)
def test_saas_unknown_routes_are_gateway_404s(simulator: Simulator, path: str) -> None:
    with client(simulator, saas=True) as http:
        response = http.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "WXO-PROXY-14009E"
    assert body["status"] == 404
    assert isinstance(body["message"], str)
    assert "detail" not in body


def test_saas_unknown_instance_is_a_gateway_404(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.get("/instances/00000000-0000-0000-0000-000000000000/v1/orchestrate/agents")
    assert response.status_code == 404
    assert response.json()["code"] == "WXO-PROXY-14009E"


def test_local_unknown_route_is_fastapi_404(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.get("/v1/runs")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
        assert http.get("/v2/orchestrate/agents").status_code == 404


def test_wrong_method_is_405(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.delete("/v1/orchestrate/agents")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


ORCHESTRATE_GETS = [
    "/v1/orchestrate/agents",
    "/api/v1/orchestrate/runs",
    "/v1/threads/00000000-0000-0000-0000-000000000000",
    "/v1/agents/external-chat",
]


@pytest.mark.parametrize("path", ORCHESTRATE_GETS)
@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong",
        "bearer test-token",
        "Bearer  test-token",
        "test-token",
        "Basic dGVzdA==",
    ],
)
def test_local_auth_rejects_anything_but_the_exact_bearer(
    simulator: Simulator, path: str, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.get(simulator.url + path, headers=headers)
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail


def test_local_auth_accepts_the_bearer(simulator: Simulator) -> None:
    response = httpx.get(simulator.url + "/v1/orchestrate/agents", headers=auth(simulator))
    assert response.status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer wrong"])
def test_saas_auth_uses_the_gateway_envelope(simulator: Simulator, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.get(simulator.saas_url + "/v1/orchestrate/agents", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401
    assert body["code"].startswith("WXO-PROXY-")
    assert isinstance(body["message"], str)


def test_health_needs_no_auth(simulator: Simulator) -> None:
    response = httpx.get(simulator.url + "/health/alive")
    assert response.status_code == 200


def test_requests_are_recorded(simulator: Simulator) -> None:
    with client(simulator) as http:
        http.get("/v1/orchestrate/agents", params={"include_hidden": "true"})
    assert simulator.requests[-1] == ("GET", "/v1/orchestrate/agents", "include_hidden=true")
