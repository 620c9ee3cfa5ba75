"""``SimulatorOptions.deployment``: one path family only, as each real deployment serves it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from wxo_mcp.simulator import Simulator, SimulatorOptions

from .helpers import auth


@pytest.fixture(scope="module")
def local_only() -> Iterator[Simulator]:
    with Simulator(SimulatorOptions(token="t", deployment="local")) as sim:
        yield sim


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/runs"),
        ("GET", "/v1/agents"),
        ("GET", "/v1/orchestrate/agents"),
        ("GET", "/api/v1/orchestrate/agents"),
        ("GET", "/v1/threads"),
        ("POST", "/v1/orchestrate/runs"),
        ("POST", "/api/v1/auth/token"),
        ("GET", "/api/v1/tenants"),
    ],
)
def test_saas_only_answers_every_bare_path_with_the_gateway_404(
    saas_simulator: Simulator, method: str, path: str
) -> None:
    for headers in (auth(saas_simulator), {}):  # route first, token second
        response = httpx.request(method, saas_simulator.url + path, headers=headers)
        assert response.status_code == 404
        assert response.json() == {
            "code": "WXO-PROXY-14009E",
            "message": "The requested route was not found.",
            "status": 404,
        }


def test_saas_only_serves_the_instance_family(saas_simulator: Simulator) -> None:
    with httpx.Client(base_url=saas_simulator.saas_url, headers=auth(saas_simulator)) as http:
        agents = http.get("/v1/orchestrate/agents").raise_for_status().json()
        assert "echo_agent" in {a["name"] for a in agents}
        assert http.get("/v1/orchestrate/knowledge-bases").status_code == 200
    # The token services are other hosts in reality; here they stay on the same port.
    token = httpx.post(
        saas_simulator.url + "/identity/token",
        data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": "test-api-key"},
    )
    assert token.status_code == 200


def test_local_only_has_no_instance_family(local_only: Simulator) -> None:
    headers = auth(local_only)
    gone = httpx.get(local_only.saas_url + "/v1/orchestrate/agents", headers=headers)
    assert gone.status_code == 404 and gone.json() == {"detail": "Not Found"}
    assert httpx.get(local_only.url + "/v1/orchestrate/agents", headers=headers).status_code == 200
    login = httpx.post(
        local_only.url + "/api/v1/auth/token", data={"username": "u", "password": "p"}
    )
    assert login.status_code == 200
