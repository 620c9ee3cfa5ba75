"""cancel_run and run_events over real HTTP against the simulator, in both path families."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
import pytest

from wxo_mcp.api import OrchestrateClient
from wxo_mcp.auth import make_token_provider
from wxo_mcp.errors import InvalidArgument, NotFound, ServerError
from wxo_mcp.simulator import Simulator

from .test_client import FAST, make_settings

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture(params=["local", "saas"])
def connect(
    request: pytest.FixtureRequest, simulator: Simulator, tmp_path: Path
) -> Callable[..., OrchestrateClient]:
    def factory() -> OrchestrateClient:
        settings = make_settings(simulator, str(request.param), tmp_path)
        return OrchestrateClient(settings, make_token_provider(settings), retry=FAST)

    return factory


async def _started(client: OrchestrateClient, sim: Simulator, text: str) -> tuple[str, str]:
    async with client.stream_run(sim.agent_id("slow_agent"), text) as events:
        async for event in events:
            if event.event == "run.started":
                return event.data["run_id"], event.data["thread_id"]
    raise AssertionError("no run.started")


async def test_cancel_run_stops_the_run(
    simulator: Simulator, connect: Callable[..., OrchestrateClient]
) -> None:
    async with connect() as client:
        run_id, thread_id = await _started(client, simulator, "seconds=30")
        assert await client.cancel_run(run_id) == {"thread_id": thread_id, "run_id": run_id}
        run = await client.get_run(run_id)
        assert run["status"] == "cancelled"
        events = await client.run_events(run_id, 0)
    assert [e.event for e in events][-2:] == ["run.cancelled", "done"]
    assert any(
        r.method == "POST" and r.path.endswith(f"/runs/cancel/{run_id}") for r in simulator.requests
    )


async def test_run_events_replay_a_finished_run(
    simulator: Simulator, connect: Callable[..., OrchestrateClient]
) -> None:
    async with connect() as client:
        run_id, _ = await _started(client, simulator, "seconds=0.2")
        with anyio.fail_after(10):
            while (await client.get_run(run_id))["status"] != "completed":
                await anyio.sleep(0.05)
        events = await client.run_events(run_id, 5000)
    names = [e.event for e in events]
    assert names[0] == "run.started" and names[-1] == "done"
    created = next(e for e in events if e.event == "message.created")
    assert "Done thinking" in created.data["message"]["content"][0]["text"]


async def test_unknown_run_is_not_found(
    simulator: Simulator, connect: Callable[..., OrchestrateClient]
) -> None:
    async with connect() as client:
        with pytest.raises(NotFound):
            await client.cancel_run(MISSING)
        with pytest.raises(NotFound):
            await client.run_events(MISSING)
        with pytest.raises(InvalidArgument):
            await client.cancel_run("../agents")


async def test_cancel_server_error_is_our_error(
    simulator: Simulator, connect: Callable[..., OrchestrateClient]
) -> None:
    simulator.faults.status(503, times=5, path_contains="/runs/cancel/")
    async with connect() as client:
        with pytest.raises(ServerError):
            await client.cancel_run(MISSING)
