"""End to end: API-key auth over stdio against the simulator's token services.

Each test spawns ``python -m wxo_mcp serve`` with no WXO_TOKEN, so every bearer token the server
sends comes from an exchange (IBM Cloud IAM, AWS MCSP v1/v2, CPD). The simulator issues tokens
that live a few seconds, so refreshing is exercised for real. The server's stdout (copied by
``tee``, the MCP wire itself) and stderr are captured, and every test ends by checking that no
secret (API keys, the CPD password) and no token appears in them.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from tests.helpers import data
from wxo_mcp.simulator import Simulator, SimulatorOptions

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]

# Sentinel secrets: distinctive, so any appearance in captured output is a leak.
API_KEY = "SENTINEL-apikey-7c1e9a44b2d0"
PASSWORD = "SENTINEL-password-5f3b8d21"
K1 = base64.b64encode(b"k1:SENTINEL-v1-identity:secret-a19f").decode()
K2 = base64.b64encode(b"k2:SENTINEL-v2-identity:secret-c07e").decode()
SECRETS = (API_KEY, PASSWORD, K1, K2, "SENTINEL")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
LIFETIME = 1.5  # seconds; refresh is due 0.3 s before expiry


@pytest.fixture
def mode() -> str:
    """Auth does not depend on the protocol era: these tests speak the era Claude Desktop speaks
    (one test below also runs in the other)."""
    return "legacy"


@pytest.fixture(scope="module")
def auth_sim() -> Iterator[Simulator]:
    options = SimulatorOptions(
        api_key=API_KEY,
        extra_api_keys=(PASSWORD, K1, K2),
        token_lifetime=LIFETIME,
        draft_only_agents=("weather_agent",),
        deployment="saas",  # only the instance family, as behind the SaaS gateway
    )
    with Simulator(options) as sim:
        yield sim


@pytest.fixture
def sim(auth_sim: Simulator) -> Simulator:
    auth_sim.reset()
    return auth_sim


@dataclass
class Captured:
    """What a spawned server wrote: stdout (the MCP wire) and stderr, plus the results seen."""

    stdout: Path
    stderr: Path
    results: list[str] = field(default_factory=list)

    def record(self, result: CallToolResult) -> CallToolResult:
        self.results.append(result.model_dump_json())
        return result

    def text(self) -> str:
        wire = self.stdout.read_text(errors="replace") if self.stdout.exists() else ""
        return "\n".join([wire, self.stderr.read_text(errors="replace"), *self.results])

    def assert_clean(self) -> None:
        captured = self.text()
        for secret in SECRETS:
            assert secret not in captured, f"a secret leaked: {secret[:12]}…"
        assert not JWT.search(captured), "a token leaked"


def base_env(sim: Simulator, home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),  # no ADK files of whoever runs the tests
        "PYTHONPATH": str(ROOT),
        "WXO_URL": sim.saas_url,
        "WXO_IAM_URL": sim.url,
        "WXO_LOG_LEVEL": "DEBUG",  # the most talkative setting must leak nothing either
    }


KINDS: dict[str, dict[str, str]] = {
    "iam": {"WXO_AUTH_TYPE": "ibm_iam", "WXO_API_KEY": API_KEY},
    "mcsp_v1": {"WXO_API_KEY": K1},  # detected from the key: no WXO_AUTH_TYPE
    "mcsp_v2": {"WXO_API_KEY": K2},
    "cpd": {"WXO_DEPLOYMENT": "cpd", "WXO_USERNAME": "admin", "WXO_PASSWORD": PASSWORD},
}


@pytest.fixture
def spawn(sim: Simulator, tmp_path: Path, mode: str) -> Any:
    """``async with spawn(env) as (client, captured)``: a fresh server whose output is kept."""
    home = tmp_path / "home"
    home.mkdir()
    spawned = itertools.count()

    @asynccontextmanager
    async def _spawn(env: Mapping[str, str]) -> AsyncIterator[tuple[Client, Captured]]:
        n = next(spawned)
        captured = Captured(tmp_path / f"stdout-{n}", tmp_path / f"stderr-{n}")
        params = StdioServerParameters(
            command="sh",
            # The server's stdout goes through tee: the client gets the wire, we keep a copy.
            args=["-c", '"$0" -m wxo_mcp serve | tee "$1"', sys.executable, str(captured.stdout)],
            env={**base_env(sim, home), **env},
            cwd=str(ROOT),
        )
        with captured.stderr.open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
                yield client, captured
        captured.assert_clean()

    return _spawn


async def ask(client: Client, captured: Captured, message: str, **extra: Any) -> dict[str, Any]:
    args = {"message": message, **extra}
    return data(captured.record(await client.call_tool("echo_agent", args)))


# -- each kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "mode"), [*((kind, "legacy") for kind in KINDS), ("iam", "auto")])
async def test_each_auth_kind(spawn, sim, kind):
    env = dict(KINDS[kind])
    if kind == "cpd":
        # A CPD instance URL; the token service is derived from it (cut at /orchestrate).
        env["WXO_URL"] = f"{sim.url}/orchestrate/cpd-ns/instances/{sim.options.instance_id}"
        env["WXO_IAM_URL"] = ""
    async with spawn(env) as (client, captured):
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "echo_agent" in tools
        first = await ask(client, captured, "hello")
        assert first["status"] == "completed", first
        assert first["text"] == "Echo (turn 1): hello"
    assert set(sim.token_exchanges) == {kind}
    assert sim.token_exchanges[kind] >= 1


# -- a long conversation -----------------------------------------------------------------------


async def test_conversation_outlives_several_tokens(spawn, sim):
    async with spawn(KINDS["iam"]) as (client, captured):
        started = time.monotonic()
        thread_id = None
        turn = 0
        while time.monotonic() - started < 3.2 * LIFETIME:
            turn += 1
            extra: dict[str, str] = {"thread_id": thread_id} if thread_id else {}
            result = await ask(client, captured, f"turn {turn}", **extra)
            assert result["status"] == "completed", result
            assert result["text"] == f"Echo (turn {turn}): turn {turn}"
            thread_id = result["thread_id"]
            await anyio.sleep(0.2)
        # A run that lasts longer than a token: its stream outlives the token that started it.
        slow = data(
            captured.record(
                await client.call_tool("slow_agent", {"message": f"seconds={LIFETIME + 0.5}"})
            )
        )
        assert slow["status"] == "completed", slow
        after = await ask(client, captured, "still here", thread_id=thread_id)
        assert after["status"] == "completed", after
    assert sim.token_exchanges["iam"] >= 3  # several tokens, and not one call failed,
    assert sim.tokens_refused == 0  # because each was replaced before it expired


# -- one refresh for a crowd -------------------------------------------------------------------


async def test_one_refresh_under_100_concurrent_calls(spawn, sim):
    sim.token_lifetime = 1.5  # the first token is short-lived...
    async with spawn(KINDS["iam"]) as (client, captured):
        assert (await ask(client, captured, "warm up"))["status"] == "completed"
        assert sim.token_exchanges == {"iam": 1}
        sim.token_lifetime = 120.0  # ...the next one outlives the test
        await anyio.sleep(1.6)  # the first token has now expired
        results: list[dict[str, Any]] = []

        async def call(n: int) -> None:
            results.append(await ask(client, captured, f"crowd {n}"))

        async with anyio.create_task_group() as tg:
            for n in range(100):
                tg.start_soon(call, n)
    assert len(results) == 100
    assert all(r["status"] == "completed" for r in results), [
        r for r in results if r["status"] != "completed"
    ][:2]
    assert sim.token_exchanges == {"iam": 2}  # exactly one exchange for the hundred
    assert sim.tokens_refused == 0  # the expired token was never sent
    assert len(sim.runs) == 101  # and every run created once


# -- 401 -----------------------------------------------------------------------------------------


async def test_401_refreshes_once_and_retries_once(spawn, sim):
    sim.token_lifetime = 120.0
    async with spawn(KINDS["mcsp_v2"]) as (client, captured):
        assert (await ask(client, captured, "one"))["status"] == "completed"
        sim.revoke_tokens()  # the server's cached token is refused from now on
        again = await ask(client, captured, "two")
        assert again["status"] == "completed", again
        assert sim.token_exchanges == {"mcsp_v2": 2}
        assert sim.tokens_refused == 1
        assert len(sim.runs) == 2  # the refused attempt created nothing; the retry one run

        # A second 401 in a row (even the fresh token is refused) is a clear error, not a loop.
        sim.faults.status(code=401, times=2, path_contains="/runs")
        result = captured.record(await client.call_tool("echo_agent", {"message": "three"}))
        assert result.is_error
        refused = data(result)
        assert refused["run_id"] is None
        assert "401" in refused["error"] or "refused" in refused["error"].lower()
        assert "WXO_API_KEY" in refused["error"]
        assert sim.token_exchanges == {"mcsp_v2": 3}  # one refresh, not more
        assert len(sim.runs) == 2  # never created twice (nor at all here)

        # and the server carries on
        assert (await ask(client, captured, "four"))["status"] == "completed"


# -- what a user sees when auth cannot work ----------------------------------------------------


async def test_wrong_key_is_explained_without_the_key(spawn, sim):
    env = {"WXO_AUTH_TYPE": "ibm_iam", "WXO_API_KEY": API_KEY[::-1]}
    async with spawn(env) as (client, captured):
        tools = {t.name for t in (await client.list_tools()).tools}
        assert {"list_agents", "ask_agent", "get_run"} <= tools  # serving goes on
        result = captured.record(
            await client.call_tool("ask_agent", {"agent": "echo_agent", "message": "hi"})
        )
        assert result.is_error
        error = data(result)["error"]
        assert "IBM Cloud IAM" in error and "WXO_API_KEY" in error
    assert API_KEY[::-1] not in captured.text()
    assert sim.token_exchanges == {}


async def test_verify_false_warns_on_stderr(spawn, sim):
    async with spawn({**KINDS["iam"], "WXO_VERIFY": "false", "WXO_LOG_LEVEL": "WARNING"}) as (
        client,
        captured,
    ):
        assert (await ask(client, captured, "hi"))["status"] == "completed"
    assert "TLS certificate verification is OFF" in captured.stderr.read_text()


# -- WXO_AGENT_ENVIRONMENT -----------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["live", "draft"])
async def test_agent_environment(spawn, sim, environment):
    env = {**KINDS["iam"], "WXO_AGENT_ENVIRONMENT": environment}
    async with spawn(env) as (client, captured):
        tools = {t.name for t in (await client.list_tools()).tools}
        # weather_agent is deployed only in draft: left out of the live tools
        assert ("weather_agent" in tools) is (environment == "draft")
        # the run names the agent's own environment id (the simulator refuses any other)
        assert (await ask(client, captured, "hi"))["status"] == "completed"
        if environment == "draft":
            weather = data(
                captured.record(await client.call_tool("weather_agent", {"message": "Paris?"}))
            )
            assert weather["status"] == "completed", weather
        listing = captured.record(await client.call_tool("list_agents", {}))
        listed = json.loads(getattr(listing.content[0], "text", "[]"))
        names = {a["name"] for a in (listed if isinstance(listed, list) else listed["agents"])}
        assert ("weather_agent" in names) is (environment == "draft")


def test_sentinels_are_distinct() -> None:
    # The scan is only meaningful if the sentinels cannot occur by chance in normal output.
    assert all(len(s) >= 8 for s in SECRETS)
    assert os.environ.get("WXO_API_KEY") not in SECRETS
