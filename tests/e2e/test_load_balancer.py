"""Two stateless wxo-mcp replicas behind a real HAProxy or nginx with plain round-robin.

Both protocol eras: threads continue across replicas, an agent's choice is answered through the
other replica (the shared WXO_MCP_STATE_KEY; without it the same test fails, which proves the
answer did cross), a run started on one replica is read on another, and one replica is killed
mid-test. Skipped, with the reason, where the balancer is not installed (.ci/steps installs both).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError

from tests.e2e.balancers import BALANCERS, NGINX_UPSTREAM, Balancer, binary
from tests.e2e.http_servers import HttpServers
from tests.e2e.test_rich import Chooser
from tests.e2e.test_team import STATE_KEY, port_of
from tests.helpers import data, text
from tests.tasks_client import TasksClient

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

SERVED = re.compile(r'"POST /mcp HTTP/1\.1" 200')


@dataclass
class Team:
    url: str
    replicas: HttpServers

    def served(self) -> list[int]:
        """How many MCP requests each replica answered (from its access log)."""
        return [len(SERVED.findall(log.read_text())) for log in self.replicas.logs]


def start_team(
    kind: str, simulator: Any, workdir: Path, *, shared_key: bool = True
) -> Iterator[Team]:
    if binary(kind) is None:
        pytest.skip(f"{kind} is not installed (apt-get install {kind}; CI installs it)")
    replicas = HttpServers(simulator, workdir)
    env = {"WXO_LOG_LEVEL": "INFO", "WXO_TOOL_DEADLINE": "1"}
    if shared_key:
        env["WXO_MCP_STATE_KEY"] = STATE_KEY
    if kind == "nginx":  # nginx forwards its upstream's name as Host
        env["WXO_MCP_ALLOWED_HOSTS"] = NGINX_UPSTREAM
    try:
        ports = [port_of(replicas.start("--stateless", env=env)) for _ in range(2)]
        balancer = Balancer(kind, ports, workdir / kind)
        try:
            yield Team(balancer.url, replicas)
        finally:
            balancer.close()
    finally:
        replicas.close()


@pytest.fixture(scope="module", params=BALANCERS)
def team(
    request: pytest.FixtureRequest, simulator_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    """Shared by the tests that leave both replicas standing (starting a team takes seconds)."""
    yield from start_team(request.param, simulator_server, tmp_path_factory.mktemp("team"))


@pytest.fixture(params=BALANCERS)
def own_team(request: pytest.FixtureRequest, simulator: Any, tmp_path: Path) -> Iterator[Team]:
    """A team of its own, for a test that kills a replica."""
    yield from start_team(request.param, simulator, tmp_path)


@pytest.fixture(params=BALANCERS)
def team_without_key(
    request: pytest.FixtureRequest, simulator: Any, tmp_path: Path
) -> Iterator[Team]:
    yield from start_team(request.param, simulator, tmp_path, shared_key=False)


async def test_threads_continue_across_replicas(team, mode):
    before = team.served()
    async with Client(team.url, mode=mode) as client:
        thread = None
        for turn in range(1, 7):
            arguments = {"message": f"turn {turn}"}
            if thread:
                arguments["thread_id"] = thread
            out = data(await client.call_tool("echo_agent", arguments))
            assert out["text"] == f"Echo (turn {turn}): turn {turn}"
            thread = out["thread_id"]
    served = [now - then for now, then in zip(team.served(), before, strict=True)]
    assert all(count >= 3 for count in served), served  # round-robin reached both


async def test_an_agent_choice_is_answered_through_the_other_replica(team, mode, simulator):
    chooser = Chooser("accept", "csv")
    async with Client(team.url, mode=mode, elicitation_callback=chooser) as client:
        first = await client.call_tool("choice_agent", {"message": "I need the report"})
        out = data(first)
        if mode == "legacy":
            # No session to push an elicitation on: the options come back as text and the
            # answer goes on in the thread, wherever the next request lands.
            assert not chooser.asked
            assert "- CSV spreadsheet (value: csv)" in text(first)
            out = data(
                await client.call_tool(
                    "choice_agent", {"message": "csv", "thread_id": out["thread_id"]}
                )
            )
        else:
            assert len(chooser.asked) == 1  # input-required, answered by a retry
    assert "Here is your report as CSV spreadsheet (format csv)." in out["text"]
    users = [m for m in simulator.threads[out["thread_id"]].messages if m["role"] == "user"]
    assert [u["content"][0]["text"] for u in users] == ["I need the report", "csv"]


async def test_without_a_shared_key_the_answer_is_refused_by_the_other_replica(
    team_without_key,
):
    chooser = Chooser("accept", "csv")
    async with Client(team_without_key.url, mode="auto", elicitation_callback=chooser) as client:
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await client.call_tool("choice_agent", {"message": "I need the report"})


async def test_a_run_is_read_on_another_replica_after_one_is_killed(own_team, mode):
    async with Client(own_team.url, mode=mode) as client:
        started = data(await client.call_tool("slow_agent", {"message": "seconds=3"}))
        assert started["status"] == "running", started
        own_team.replicas.kill(0)
        # Every call from now on is served by the survivor, whatever the balancer picks.
        for _ in range(10):
            done = data(
                await client.call_tool("get_run", {"run_id": started["run_id"], "wait_seconds": 1})
            )
            if done["status"] != "running":
                break
        assert done["status"] == "completed", done
        assert done["thread_id"] == started["thread_id"]
        again = data(
            await client.call_tool(
                "echo_agent", {"message": "still here", "thread_id": started["thread_id"]}
            )
        )
    assert again["text"].endswith("still here")
    assert again["thread_id"] == started["thread_id"]


async def test_a_task_is_polled_across_replicas_and_survives_one(own_team):
    """2026-era tasks: the call becomes a task; its tasks/get polls go round-robin to both
    replicas, and one replica is killed while the task runs."""
    tasks = TasksClient()
    killed = anyio.Event()

    async def kill_after_two_polls() -> None:
        while len(tasks.polls) < 2:
            await anyio.sleep(0.05)
        await anyio.to_thread.run_sync(own_team.replicas.kill, 0)
        killed.set()

    async with (
        Client(own_team.url, extensions=[tasks]) as client,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(kill_after_two_polls)
        tasks.mark()
        result = await client.call_tool("slow_agent", {"message": "seconds=4"})
    assert killed.is_set()
    assert all(served >= 1 for served in own_team.served()), own_team.served()
    assert len(tasks.created) == 1
    assert len(tasks.polls) >= 3  # polls before and after the kill
    out = data(result)
    assert out["status"] == "completed", out
    assert out["run_id"]
