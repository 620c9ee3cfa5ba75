"""OrchestrateClient over real HTTP against the simulator, in both path families."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import pytest

from wxo_mcp.api import OrchestrateClient, RetryPolicy, RunAccumulator
from wxo_mcp.auth import TokenFileProvider, make_token_provider
from wxo_mcp.config import Settings
from wxo_mcp.errors import (
    ApiConnectionError,
    AuthError,
    BadRequest,
    ConfigError,
    InvalidArgument,
    NotFound,
    RateLimited,
    ServerError,
    StreamError,
    Unauthorized,
)
from wxo_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=2.0)
Family = str


@pytest.fixture(params=["local", "saas"])
def family(request: pytest.FixtureRequest) -> Family:
    return str(request.param)


@pytest.fixture
def simulator(family: Family, simulator_server: Simulator, saas_simulator: Simulator) -> Simulator:
    """The family's simulator: the SaaS family talks to one that serves nothing else."""
    if family == "saas":
        return saas_simulator
    simulator_server.reset()
    return simulator_server


def make_settings(sim: Simulator, family: Family, tmp_path: Path, **env: str) -> Settings:
    base = (
        {"WXO_URL": sim.url}
        if family == "local"
        else {"WXO_URL": sim.saas_url, "WXO_DEPLOYMENT": "saas"}
    )
    base.setdefault("WXO_TOKEN", sim.token)
    return Settings.load(environ={**base, **env}, home=tmp_path)


@pytest.fixture
def connect(
    simulator: Simulator, family: Family, tmp_path: Path
) -> Callable[..., OrchestrateClient]:
    def factory(**env: str) -> OrchestrateClient:
        settings = make_settings(simulator, family, tmp_path, **env)
        return OrchestrateClient(settings, make_token_provider(settings), retry=FAST)

    return factory


@pytest.fixture
async def client(connect: Callable[..., OrchestrateClient]) -> AsyncIterator[OrchestrateClient]:
    async with connect() as c:
        yield c


def prefix(sim: Simulator, family: Family) -> str:
    return "" if family == "local" else sim.saas_url.removeprefix(sim.url)


async def run(
    client: OrchestrateClient,
    sim: Simulator,
    agent: str,
    message: str,
    thread_id: str | None = None,
    acc: RunAccumulator | None = None,
) -> RunAccumulator:
    """Stream one run to its end, folding every event into `acc`."""
    acc = acc if acc is not None else RunAccumulator()
    async with client.stream_run(sim.agent_id(agent), message, thread_id=thread_id) as events:
        async for ev in events:
            acc.feed(ev)
    return acc


# -- calls ----------------------------------------------------------------------------------


async def test_paths_of_each_family(
    client: OrchestrateClient, simulator: Simulator, family: Family
):
    assert client.is_local is (family == "local")
    await client.list_agents()
    acc = await run(client, simulator, "echo_agent", "hi")
    assert acc.thread_id is not None
    assert acc.run_id is not None
    await client.get_run(acc.run_id)
    await client.thread_messages(acc.thread_id)
    p = prefix(simulator, family)
    threads = "/v1/threads" if family == "local" else "/v1/orchestrate/threads"
    seen = [(r.method, r.path) for r in simulator.requests]
    assert seen == [
        ("GET", f"{p}/v1/orchestrate/agents"),
        ("POST", f"{p}/v1/orchestrate/runs"),
        ("GET", f"{p}/v1/orchestrate/runs/{acc.run_id}"),
        ("GET", f"{p}{threads}/{acc.thread_id}/messages"),
    ]
    assert "include_hidden=true" in simulator.requests[0].query
    assert "stream=true" in simulator.requests[1].query


async def test_list_agents_hides_hidden_agents(client: OrchestrateClient):
    agents = await client.list_agents()
    names = [a.name for a in agents]
    assert {
        "echo_agent",
        "weather_agent",
        "quiet_agent",
        "failing_agent",
        "slow_agent",
        "long_agent",
    } <= set(names)
    assert "hidden_agent" not in names
    echo = next(a for a in agents if a.name == "echo_agent")
    assert echo.display_name == "Echo Agent"
    assert echo.raw["id"] == echo.id


async def test_hidden_agent_named_explicitly(connect):
    async with connect(WXO_AGENTS="echo_agent,hidden_agent") as c:
        names = [a.name for a in await c.list_agents()]
    assert "hidden_agent" in names
    assert "weather_agent" in names  # list_agents does not filter; select_agents does


async def test_echo_run_and_thread_continuation(client: OrchestrateClient, simulator: Simulator):
    first = await run(client, simulator, "echo_agent", "hello")
    assert first.status == "completed"
    assert first.text() == "Echo (turn 1): hello"
    assert first.text_source == "message"
    second = await run(client, simulator, "echo_agent", "again", thread_id=first.thread_id)
    assert second.thread_id == first.thread_id
    assert second.text() == "Echo (turn 2): again"
    messages = await client.thread_messages(first.thread_id or "")
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert RunAccumulator.text_of_message(messages[-1]) == "Echo (turn 2): again"


async def test_get_run_and_list_runs(client: OrchestrateClient, simulator: Simulator):
    acc = await run(client, simulator, "echo_agent", "x")
    assert acc.run_id is not None
    got = await client.get_run(acc.run_id)
    assert got["id"] == acc.run_id
    assert got["status"] == "completed"
    page = await client.list_runs(limit=5, offset=0)
    assert {"total", "limit", "offset", "data"} <= set(page)
    assert acc.run_id in [r["id"] for r in page["data"]]


async def test_tool_steps(client: OrchestrateClient, simulator: Simulator):
    acc = await run(client, simulator, "weather_agent", "Weather in Paris?")
    kinds = [(s.kind, s.name) for s in acc.steps]
    assert ("tool_call", "get_weather") in kinds
    assert ("tool_response", "get_weather") in kinds
    assert acc.text()


async def test_quiet_agent_answer_comes_from_message_created(
    client: OrchestrateClient, simulator: Simulator
):
    acc = await run(client, simulator, "quiet_agent", "hello")
    assert acc.delta_text == ""
    assert acc.text()
    assert acc.text_source == "message"


async def test_failing_agent(client: OrchestrateClient, simulator: Simulator):
    acc = await run(client, simulator, "failing_agent", "hello")
    assert acc.status == "failed"
    assert acc.error


async def test_long_answer(client: OrchestrateClient, simulator: Simulator):
    acc = await run(client, simulator, "long_agent", "chars=50000")
    assert len(acc.text()) >= 50000


# -- argument checks -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../agents", "a/b", "x?y", "", "z" * 129, "-z", "z\n"])
async def test_bad_ids_send_nothing(client: OrchestrateClient, simulator: Simulator, bad: str):
    with pytest.raises(InvalidArgument):
        await client.get_run(bad)
    with pytest.raises(InvalidArgument):
        await client.thread_messages(bad)
    with pytest.raises(InvalidArgument):
        async with client.stream_run(simulator.agent_id("echo_agent"), "hi", thread_id=bad):
            pass
    assert simulator.requests == []


async def test_bad_list_runs_arguments(client: OrchestrateClient):
    with pytest.raises(InvalidArgument):
        await client.list_runs(limit=0)
    with pytest.raises(InvalidArgument):
        await client.list_runs(offset=-1)


async def test_unknown_run_is_not_found(client: OrchestrateClient):
    with pytest.raises(NotFound) as info:
        await client.get_run("00000000-0000-4000-8000-000000000000")
    assert "HTTP 404" in str(info.value)


async def test_unknown_agent_is_rejected(client: OrchestrateClient):
    with pytest.raises((NotFound, BadRequest)):
        async with client.stream_run("00000000-0000-4000-8000-00000000dead", "hi"):
            pass


# -- auth -----------------------------------------------------------------------------------


async def test_wrong_token_is_unauthorized_with_a_clear_message(connect, simulator: Simulator):
    async with connect(WXO_TOKEN="wrong-token-0123456789") as c:
        with pytest.raises(Unauthorized) as info:
            await c.list_agents()
        with pytest.raises(Unauthorized):
            async with c.stream_run(simulator.agent_id("echo_agent"), "hi"):
                pass
    text = str(info.value)
    assert "HTTP 401" in text
    assert "WXO_TOKEN" in text
    assert "wrong-token-0123456789" not in text + repr(info.value)
    # A static token is not re-sent: refreshing it cannot help.
    assert len([r for r in simulator.requests if r.method == "GET"]) == 1


async def test_token_file_rewritten_between_calls_is_reread(
    simulator: Simulator, family: Family, tmp_path: Path
):
    token_file = tmp_path / "token"
    token_file.write_text("stale-token")
    settings = make_settings(simulator, family, tmp_path, WXO_TOKEN="")
    settings = Settings.load(
        environ={
            "WXO_URL": settings.url or "",
            "WXO_DEPLOYMENT": family,
            "WXO_TOKEN_FILE": str(token_file),
        },
        home=tmp_path,
    )
    provider = make_token_provider(settings)
    assert isinstance(provider, TokenFileProvider)
    async with OrchestrateClient(settings, provider, retry=FAST) as c:
        with pytest.raises(Unauthorized):
            await c.list_agents()
        token_file.write_text(f"Bearer {simulator.token}\n")
        simulator.reset()
        assert await c.list_agents()
        assert len(simulator.requests) == 2  # the refused try, then the re-read token
        token_file.write_text("rotated-and-wrong")
        acc = await run(c, simulator, "echo_agent", "still works")  # cached token still good
        assert acc.status == "completed"


async def test_missing_credentials_surface_per_call(simulator_server: Simulator, tmp_path: Path):
    simulator_server.reset()
    settings = Settings.load(environ={"WXO_URL": simulator_server.url}, home=tmp_path)
    async with OrchestrateClient(settings, make_token_provider(settings)) as c:
        with pytest.raises(AuthError, match="orchestrate env activate"):
            await c.list_agents()
    assert simulator_server.requests == []


async def test_missing_url_surfaces_per_call(tmp_path: Path):
    settings = Settings.load(environ={"WXO_TOKEN": "t"}, home=tmp_path)
    async with OrchestrateClient(settings, make_token_provider(settings)) as c:
        assert c.base_url == ""
        with pytest.raises(ConfigError, match="WXO_URL"):
            await c.list_agents()


# -- faults ---------------------------------------------------------------------------------


async def test_reads_are_retried_on_503(client: OrchestrateClient, simulator: Simulator):
    simulator.faults.status(503, times=2, path_contains="/agents")
    assert await client.list_agents()
    assert len(simulator.requests) == 3


async def test_reads_give_up_after_three_attempts(client: OrchestrateClient, simulator: Simulator):
    simulator.faults.status(502, times=5, path_contains="/agents")
    with pytest.raises(ServerError) as info:
        await client.list_agents()
    assert info.value.status_code == 502
    assert len(simulator.requests) == 3


async def test_429_retry_after_is_honoured(client: OrchestrateClient, simulator: Simulator):
    simulator.faults.status(429, times=1, retry_after=0.3, path_contains="/agents")
    start = anyio.current_time()
    assert await client.list_agents()
    assert anyio.current_time() - start >= 0.25
    assert len(simulator.requests) == 2


@pytest.mark.parametrize("code", [400, 403, 404, 422])
async def test_client_errors_are_not_retried(
    client: OrchestrateClient, simulator: Simulator, code: int
):
    simulator.faults.status(code, times=3, path_contains="/agents")
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is checked below
        await client.list_agents()
    assert getattr(info.value, "status_code", None) == code
    assert len(simulator.requests) == 1


async def test_run_creation_is_not_resent_after_5xx(
    client: OrchestrateClient, simulator: Simulator
):
    simulator.faults.status(503, times=1, path_contains="/runs")
    with pytest.raises(ServerError):
        async with client.stream_run(simulator.agent_id("echo_agent"), "hi"):
            pass
    assert [r.method for r in simulator.requests] == ["POST"]


async def test_run_creation_is_resent_after_429(client: OrchestrateClient, simulator: Simulator):
    simulator.faults.status(429, times=1, path_contains="/runs")
    acc = await run(client, simulator, "echo_agent", "hi")
    assert acc.status == "completed"
    assert [r.method for r in simulator.requests] == ["POST", "POST"]


async def test_run_creation_429_persisting_is_rate_limited(
    client: OrchestrateClient, simulator: Simulator
):
    simulator.faults.status(429, times=5, path_contains="/runs")
    with pytest.raises(RateLimited):
        async with client.stream_run(simulator.agent_id("echo_agent"), "hi"):
            pass
    assert len(simulator.requests) == 3


async def test_dropped_stream_is_a_stream_error_with_what_was_received(
    client: OrchestrateClient, simulator: Simulator
):
    simulator.faults.drop_stream_after(events=3)
    acc = RunAccumulator()
    with pytest.raises(StreamError) as info:
        await run(client, simulator, "echo_agent", "hi", acc=acc)
    err = info.value
    assert len(err.events) == 3
    assert acc.events_seen == 3
    assert err.run_id is not None
    assert err.run_id == acc.run_id
    assert "get_run" in str(err)
    assert not err.stalled


async def test_stalled_stream_is_a_stream_error(
    simulator: Simulator, family: Family, tmp_path: Path
):
    settings = make_settings(simulator, family, tmp_path)
    simulator.faults.stall_stream_after(events=2, seconds=5)
    async with OrchestrateClient(settings, make_token_provider(settings), read_timeout=0.5) as c:
        with pytest.raises(StreamError) as info:
            await run(c, simulator, "echo_agent", "hi")
    assert info.value.stalled
    assert len(info.value.events) == 2


async def test_malformed_line_is_skipped(client: OrchestrateClient, simulator: Simulator, caplog):
    simulator.faults.malformed_line_after(events=2)
    with caplog.at_level(logging.WARNING, logger="wxo_mcp.api"):
        acc = await run(client, simulator, "echo_agent", "hi")
    assert acc.status == "completed"
    assert acc.text() == "Echo (turn 1): hi"
    summaries = [r for r in caplog.records if "Skipped 1 run-stream line" in r.getMessage()]
    assert len(summaries) == 1


async def test_leaving_the_block_closes_the_stream(client: OrchestrateClient, simulator: Simulator):
    async with client.stream_run(simulator.agent_id("slow_agent"), "seconds=5") as events:
        async for _ in events:
            break
    assert await simulator.stream_closed.wait_async(5.0)


async def test_cancellation_closes_the_stream(client: OrchestrateClient, simulator: Simulator):
    with anyio.move_on_after(0.5):
        await run(client, simulator, "slow_agent", "seconds=10")
    assert await simulator.stream_closed.wait_async(5.0)


async def test_unreachable_instance(tmp_path: Path):
    with socket.socket() as sock:  # a free port; nothing listens there once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings.load(
        environ={"WXO_URL": f"http://127.0.0.1:{port}", "WXO_TOKEN": "t"}, home=tmp_path
    )
    async with OrchestrateClient(settings, make_token_provider(settings), retry=FAST) as c:
        with pytest.raises(ApiConnectionError) as info:
            await c.list_agents()
        assert "Cannot connect" in str(info.value)
        with pytest.raises(ApiConnectionError):
            async with c.stream_run("agent", "hi"):
                pass


async def test_closed_client_refuses_calls(client: OrchestrateClient):
    await client.aclose()
    with pytest.raises(RuntimeError):
        await client.list_agents()
