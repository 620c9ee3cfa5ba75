"""The Developer Edition login and tenants, step by step as ``orchestrate env activate local``
takes them (§2.2), over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from wxo_mcp.simulator import Simulator

from .test_tokens import claims

# The ADK's DEFAULT_USER and DEFAULT_TENANT (local_service_instance.py).
USER = {"username": "wxo.archer@ibm.com", "password": "watsonx"}
TENANT = {"name": "wxo-dev", "title": "WatsonX Orchestrate Development", "tags": ["test"]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def activate(sim: Simulator) -> str:
    """The ADK's login: user token, tenants (created if missing), tenant token."""
    user = httpx.post(sim.url + "/api/v1/auth/token", data=USER).raise_for_status().json()
    tenants_url = sim.url + "/api/v1/tenants"
    tenants = httpx.get(tenants_url, headers=bearer(user["access_token"])).raise_for_status()
    if not any(t["name"] == "wxo-dev" for t in tenants.json()):
        created = httpx.post(tenants_url, headers=bearer(user["access_token"]), json=TENANT)
        assert created.status_code == 201  # the ADK accepts nothing else
    listed = httpx.get(tenants_url, headers=bearer(user["access_token"])).json()
    tenant_id = next(t["id"] for t in listed if t["name"] == "wxo-dev")
    tenant = httpx.post(
        sim.url + "/api/v1/auth/token", params={"tenant_id": tenant_id}, data=USER
    ).raise_for_status()
    token: str = tenant.json()["access_token"]
    return token


def test_the_adk_login_sequence_yields_a_tenant_token_the_api_accepts(simulator: Simulator):
    token = activate(simulator)
    decoded = claims(token)
    assert "exp" not in decoded  # the ADK stores no expiry for local tokens
    assert decoded["aud"] == "authenticated"
    assert decoded["username"] == "wxo.archer@ibm.com"
    assert decoded["tenant_id"] == decoded["woTenantId"]
    assert decoded["woUserId"] == decoded["sub"]
    for path in ("/v1/orchestrate/agents", "/v1/orchestrate/knowledge-bases", "/api/v1/threads"):
        assert httpx.get(simulator.url + path, headers=bearer(token)).status_code == 200, path
    # A second activation finds the tenant instead of creating it again.
    assert claims(activate(simulator))["tenant_id"] == decoded["tenant_id"]
    assert simulator.token_exchanges == {"local": 4}


def test_tenants_are_created_once_and_forgotten_on_reset(simulator: Simulator):
    user = httpx.post(simulator.url + "/api/v1/auth/token", data=USER).json()["access_token"]
    url = simulator.url + "/api/v1/tenants"
    assert httpx.get(url, headers=bearer(user)).json() == []
    created = httpx.post(url, headers=bearer(user), json=TENANT)
    assert created.status_code == 201
    assert created.json()["name"] == "wxo-dev" and created.json()["tags"] == ["test"]
    again = httpx.post(url, headers=bearer(user), json=TENANT)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]
    missing = httpx.post(url, headers=bearer(user), json={"title": "no name"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "name"]
    simulator.reset()
    assert httpx.get(url, headers=bearer(user)).json() == []


def test_login_refusals(simulator: Simulator):
    url = simulator.url + "/api/v1/auth/token"
    assert httpx.post(url, data={"username": "u"}).status_code == 401
    unknown = httpx.post(url, params={"tenant_id": "nope"}, data=USER)
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    for headers in ({}, bearer("made-up")):
        refused = httpx.get(simulator.url + "/api/v1/tenants", headers=headers)
        assert refused.status_code == 401 and "detail" in refused.json()


def test_revoked_login_tokens_are_refused(simulator: Simulator):
    token = activate(simulator)
    simulator.revoke_tokens()
    refused = httpx.get(simulator.url + "/v1/orchestrate/agents", headers=bearer(token))
    assert refused.status_code == 401


@pytest.mark.parametrize("prefix", ["/v1/orchestrate", "/api/v1/orchestrate"])
def test_knowledge_bases_list_and_resolve_ids(simulator: Simulator, prefix: str):
    headers = bearer(simulator.token)
    agents = httpx.get(
        simulator.url + "/v1/orchestrate/agents", headers=headers, params={"names": "search_agent"}
    ).json()
    kb_ids = agents[0]["knowledge_base"]
    listed = httpx.get(
        simulator.url + prefix + "/knowledge-bases", headers=headers, params={"include": "global"}
    ).json()
    assert [kb["id"] for kb in listed] == kb_ids
    assert listed[0]["name"] == "hr_policies" and listed[0]["kind"] == "knowledge_base"
    by_ids = httpx.get(
        simulator.url + prefix + "/knowledge-bases", headers=headers, params={"ids": kb_ids}
    ).json()
    assert by_ids == listed
    other = httpx.get(
        simulator.url + prefix + "/knowledge-bases", headers=headers, params={"ids": "x"}
    ).json()
    assert other == []
    one = httpx.get(f"{simulator.url}{prefix}/knowledge-bases/{kb_ids[0]}", headers=headers)
    assert one.json() == listed[0]
    absent = httpx.get(f"{simulator.url}{prefix}/knowledge-bases/nope", headers=headers)
    assert absent.status_code == 404 and "not found" in absent.json()["detail"]
