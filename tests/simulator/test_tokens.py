"""Token exchange routes: each auth flavour's endpoint hands out the simulator's bearer token."""

from __future__ import annotations

import time

import httpx

from wxo_mcp.simulator import Simulator

API_KEY = "test-api-key"  # SimulatorOptions.api_key's default


def test_local_login(simulator: Simulator) -> None:
    ok = httpx.post(simulator.url + "/api/v1/auth/token", data={"username": "u", "password": "p"})
    bad = httpx.post(simulator.url + "/api/v1/auth/token", data={"username": "u"})
    assert ok.json()["access_token"] == simulator.token
    assert bad.status_code == 401


def test_iam_exchange(simulator: Simulator) -> None:
    grant = "urn:ibm:params:oauth:grant-type:apikey"
    ok = httpx.post(
        simulator.url + "/identity/token", data={"grant_type": grant, "apikey": API_KEY}
    )
    wrong = httpx.post(simulator.url + "/identity/token", data={"grant_type": grant, "apikey": "x"})
    body = ok.json()
    assert body["access_token"] == simulator.token
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert abs(body["expiration"] - (time.time() + 3600)) < 60
    assert wrong.status_code == 400
    assert wrong.json()["errorCode"].startswith("BXNIM")


def test_mcsp_v1_and_v2(simulator: Simulator) -> None:
    v1 = httpx.post(simulator.url + "/siusermgr/api/1.0/apikeys/token", json={"apikey": API_KEY})
    v2 = httpx.post(
        simulator.url + "/api/2.0/apikeys/token",
        json={"apikey": API_KEY},
        headers={"X-API-Key": API_KEY},
    )
    wrong = httpx.post(simulator.url + "/siusermgr/api/1.0/apikeys/token", json={"apikey": "x"})
    assert v1.json()["token"] == simulator.token
    assert v2.json()["token"] == simulator.token
    assert wrong.status_code == 401


def test_cpd_authorize(simulator: Simulator) -> None:
    ok = httpx.post(
        simulator.url + "/icp4d-api/v1/authorize", json={"username": "admin", "api_key": API_KEY}
    )
    wrong = httpx.post(
        simulator.url + "/icp4d-api/v1/authorize", json={"username": "admin", "password": "x"}
    )
    assert ok.json()["token"] == simulator.token
    assert wrong.status_code == 401
