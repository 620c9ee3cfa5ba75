"""Small helpers for talking to the simulator over real HTTP in tests."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from wxo_mcp.simulator import Simulator

JSON = dict[str, Any]


def auth(sim: Simulator) -> dict[str, str]:
    return {"Authorization": f"Bearer {sim.token}"}


def client(sim: Simulator, *, saas: bool = False) -> httpx.Client:
    """An httpx client for one family: local ``/v1`` paths are relative to it, SaaS ones too."""
    return httpx.Client(base_url=sim.saas_url if saas else sim.url, headers=auth(sim), timeout=10)


def run_body(agent_id: str, text: str, **extra: Any) -> JSON:
    return {"message": {"role": "user", "content": text}, "agent_id": agent_id, **extra}


@dataclass
class Streamed:
    response: httpx.Response
    raw: bytes
    events: list[JSON]

    def names(self) -> list[str]:
        return [e["event"] for e in self.events]

    def first(self, name: str) -> JSON:
        return next(e for e in self.events if e["event"] == name)


def parse_lines(raw: bytes) -> list[JSON]:
    """Split the raw body on newlines and parse each non-empty line as JSON, as IBM's clients do."""
    assert raw.endswith(b"\n"), "every event line ends with a newline"
    return [json.loads(line) for line in raw.split(b"\n") if line]


def stream(http: httpx.Client, path: str, body: JSON) -> Streamed:
    with http.stream("POST", path, json=body) as response:
        raw = response.read()
    return Streamed(response, raw, parse_lines(raw) if response.status_code == 200 else [])


def wait_for_status(http: httpx.Client, path: str, statuses: set[str], within: float = 10) -> JSON:
    """Poll ``GET path`` until the run's status is one of ``statuses``."""
    deadline = time.monotonic() + within
    while True:
        run: JSON = http.get(path).json()
        if run["status"] in statuses:
            return run
        assert time.monotonic() < deadline, f"run stuck in {run['status']}"
        time.sleep(0.01)
