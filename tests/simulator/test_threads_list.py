"""``GET /threads`` (§7.1): newest first, filtered by agent, paged; a plain array locally, the
documented envelope on SaaS."""

from __future__ import annotations

from wxo_mcp.simulator import Simulator

from .helpers import client, run_body


def _start_threads(sim: Simulator) -> tuple[list[str], list[str]]:
    """Two echo threads and one weather thread (via runs), oldest first."""
    echo: list[str] = []
    weather: list[str] = []
    with client(sim) as http:
        for agent, ids in (("echo_agent", echo), ("weather_agent", weather), ("echo_agent", echo)):
            created = http.post("/v1/orchestrate/runs", json=run_body(sim.agent_id(agent), "hi"))
            ids.append(created.raise_for_status().json()["thread_id"])
    return echo, weather


def test_local_list_is_a_plain_array_newest_first(simulator: Simulator) -> None:
    echo, weather = _start_threads(simulator)
    with client(simulator) as http:
        every = http.get("/v1/threads").raise_for_status().json()
        assert [t["id"] for t in every] == [echo[1], weather[0], echo[0]]
        assert every[0]["agent_id"] == simulator.agent_id("echo_agent")
        mine = http.get("/api/v1/threads", params={"agent_id": simulator.agent_id("echo_agent")})
        assert [t["id"] for t in mine.json()] == [echo[1], echo[0]]
        page = http.get("/v1/threads", params={"limit": 1, "offset": 1}).json()
        assert [t["id"] for t in page] == [weather[0]]
        bad = http.get("/v1/threads", params={"limit": 0})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "limit"]


def test_saas_list_is_the_documented_envelope(saas_simulator: Simulator) -> None:
    with client(saas_simulator, saas=True) as http:
        created = http.post("/v1/orchestrate/threads", json={"title": "t"}).json()
        body = http.get("/v1/orchestrate/threads", params={"limit": 5}).raise_for_status().json()
    assert body["total"] == 1 and body["limit"] == 5 and body["offset"] == 0
    assert [t["id"] for t in body["data"]] == [created["thread_id"]]
