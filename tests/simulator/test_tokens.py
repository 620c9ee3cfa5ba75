"""Token exchange routes: each remote auth flavour issues a short-lived token the API accepts."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest

from wxo_mcp.simulator import Simulator, SimulatorOptions

API_KEY = "test-api-key"  # SimulatorOptions.api_key's default
GRANT = "urn:ibm:params:oauth:grant-type:apikey"
K1 = base64.b64encode(b"k1:identity:secret-one").decode()
K2 = base64.b64encode(b"k2:identity:secret-two").decode()


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def agents_status(sim: Simulator, token: str, *, saas: bool = False) -> int:
    base = (sim.saas_url if saas else sim.url) + "/v1"
    return httpx.get(
        base + "/orchestrate/agents", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def test_iam_exchange(simulator: Simulator) -> None:
    ok = httpx.post(
        simulator.url + "/identity/token", data={"grant_type": GRANT, "apikey": API_KEY}
    )
    wrong = httpx.post(simulator.url + "/identity/token", data={"grant_type": GRANT, "apikey": "x"})
    body = ok.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert abs(body["expiration"] - (time.time() + 3600)) < 60
    assert abs(claims(body["access_token"])["exp"] - (time.time() + 3600)) < 60
    assert agents_status(simulator, body["access_token"]) == 200
    assert agents_status(simulator, body["access_token"], saas=True) == 200
    assert wrong.status_code == 400
    assert wrong.json()["errorCode"].startswith("BXNIM")
    assert simulator.token_exchanges == {"iam": 1}


def test_mcsp_v1_and_v2(simulator: Simulator) -> None:
    v1 = httpx.post(simulator.url + "/siusermgr/api/1.0/apikeys/token", json={"apikey": API_KEY})
    v2 = httpx.post(
        simulator.url + "/api/2.0/apikeys/token",
        json={"apikey": API_KEY},
        headers={"X-API-Key": API_KEY},
    )
    wrong = httpx.post(simulator.url + "/siusermgr/api/1.0/apikeys/token", json={"apikey": "x"})
    for response in (v1, v2):
        token = response.json()["token"]
        assert "expires_in" not in response.json()  # the lifetime is only in the JWT
        assert claims(token)["exp"] > time.time() + 3000
        assert agents_status(simulator, token, saas=True) == 200
    assert wrong.status_code == 401
    assert simulator.token_exchanges == {"mcsp_v1": 1, "mcsp_v2": 1}


def test_mcsp_key_versions_only_fit_their_service() -> None:
    with Simulator(SimulatorOptions(extra_api_keys=(K1, K2))) as sim:
        v1 = sim.url + "/siusermgr/api/1.0/apikeys/token"
        v2 = sim.url + "/api/2.0/apikeys/token"
        assert httpx.post(v1, json={"apikey": K1}).status_code == 200
        assert httpx.post(v2, json={"apikey": K1}).status_code == 401
        assert httpx.post(v2, json={"apikey": K2}).status_code == 200
        assert httpx.post(v1, json={"apikey": K2}).status_code == 401


def test_cpd_authorize(simulator: Simulator) -> None:
    ok = httpx.post(
        simulator.url + "/icp4d-api/v1/authorize", json={"username": "admin", "api_key": API_KEY}
    )
    wrong = httpx.post(
        simulator.url + "/icp4d-api/v1/authorize", json={"username": "admin", "password": "x"}
    )
    token = ok.json()["token"]
    assert claims(token)["sub"] == "admin"
    assert agents_status(simulator, token) == 200
    assert wrong.status_code == 401


def test_tokens_expire_and_can_be_revoked() -> None:
    with Simulator(SimulatorOptions(token_lifetime=0.5)) as sim:
        fetch = sim.url + "/identity/token"
        token = httpx.post(fetch, data={"grant_type": GRANT, "apikey": API_KEY}).json()
        assert token["expires_in"] == 0.5
        assert agents_status(sim, token["access_token"], saas=True) == 200
        time.sleep(0.6)
        expired = httpx.get(
            sim.saas_url + "/v1/orchestrate/agents",
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        assert expired.status_code == 401
        assert expired.json()["code"].startswith("WXO-PROXY-")  # the gateway's envelope
        assert agents_status(sim, token["access_token"]) == 401  # local family: {"detail"}
        assert agents_status(sim, sim.token) == 200  # the static token never expires
        fresh = httpx.post(fetch, data={"grant_type": GRANT, "apikey": API_KEY}).json()
        assert agents_status(sim, fresh["access_token"]) == 200
        sim.revoke_tokens()
        assert agents_status(sim, fresh["access_token"]) == 401
        assert sim.token_exchanges == {"iam": 2}
        assert sim.tokens_refused == 3


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b.c",
        # well-formed but signed by someone else
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTksImlhdCI6MH0.c2lnbmF0dXJl",
    ],
)
def test_forged_tokens_are_refused(simulator: Simulator, token: str) -> None:
    assert agents_status(simulator, token, saas=True) == 401


def test_cpd_instance_path_and_agent_environments() -> None:
    with Simulator(SimulatorOptions(draft_only_agents=("weather_agent",))) as sim:
        cpd = f"{sim.url}/orchestrate/cpd-ns/instances/{sim.options.instance_id}/v1/orchestrate"
        headers = {"Authorization": f"Bearer {sim.token}"}
        listed = httpx.get(cpd + "/agents", headers=headers).json()
        envs = {a["name"]: {e["name"]: e["id"] for e in a["environments"]} for a in listed}
        assert set(envs["echo_agent"]) == {"draft", "live"}
        assert set(envs["weather_agent"]) == {"draft"}
        message = {"role": "user", "content": "hi"}
        ok = httpx.post(
            cpd + "/runs",
            headers=headers,
            json={
                "agent_id": sim.agent_id("echo_agent"),
                "message": message,
                "environment_id": envs["echo_agent"]["live"],
            },
        )
        assert ok.status_code == 200
        wrong = httpx.post(
            cpd + "/runs",
            headers=headers,
            json={
                "agent_id": sim.agent_id("weather_agent"),
                "message": message,
                "environment_id": envs["echo_agent"]["live"],
            },
        )
        assert wrong.status_code == 500
        assert wrong.json()["code"] == "WXO-PROXY-11112E"
