"""tools/list from prebuilt dicts: exactly what the SDK itself would send, tool for tool.

Handshake-era requests are answered from the bridge's prebuilt tool dicts; 2026-era requests
(and anything unusual) take the SDK's own path (dump, validate against the era's surface, dump).
Here one server is asked in both eras and the handshake-era wire answer is compared with the
SDK's serialisation of the very tools it lists in the 2026 era, for every tool and every
handshake-era protocol version.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.types import ListToolsResult
from mcp_types.methods import serialize_server_result
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

from tests.conftest import SIMULATOR_TOKEN
from tests.e2e.conftest import ROOT, server_params
from tests.helpers import initialize_request
from wxo_mcp.simulator import Simulator, SimulatorOptions

pytestmark = pytest.mark.e2e

EXTRA_AGENTS = 40
ENV = {"WXO_MAX_AGENT_TOOLS": 500}


@pytest.fixture(scope="module")
def crowded() -> Iterator[Simulator]:
    """A simulator with many generated agents, so that the list holds every kind of tool."""
    with Simulator(SimulatorOptions(token=SIMULATOR_TOKEN, extra_agents=EXTRA_AGENTS)) as sim:
        yield sim


def _raw_tools_list(sim: Simulator, version: str, params: dict[str, Any]) -> dict[str, Any]:
    """The JSON-RPC answer to tools/list after a handshake in ``version``, as it came off stdout."""
    server = server_params(sim.url, sim.token, ENV)
    assert server.env is not None
    messages = [
        initialize_request(version),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": params},
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "wxo_mcp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", **server.env},
        cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            assert line, "the server closed stdout before answering tools/list"
            message = json.loads(line)
            if message.get("id") == 1:
                assert message["result"]["protocolVersion"] == version
            if message.get("id") == 2:
                return dict(message)
    finally:
        proc.kill()
        proc.wait()


async def _sdk_tools(sim: Simulator) -> list[dict[str, Any]]:
    """The tools as the SDK's own path lists them (2026 era), in wire form."""
    async with Client(server_params(sim.url, sim.token, ENV), mode="auto") as client:
        assert client.protocol_version in MODERN_PROTOCOL_VERSIONS
        listed = await client.list_tools()
    dumped = ListToolsResult(tools=listed.tools).model_dump(
        by_alias=True, mode="json", exclude_none=True
    )
    tools: list[dict[str, Any]] = dumped["tools"]
    return tools


@pytest.mark.anyio
async def test_prebuilt_list_is_what_the_sdk_would_send(crowded: Simulator):
    reference = await _sdk_tools(crowded)
    assert len(reference) >= EXTRA_AGENTS + 3
    assert {"list_agents", "ask_agent", "get_run", "echo_agent"} <= {t["name"] for t in reference}
    for version in HANDSHAKE_PROTOCOL_VERSIONS:
        answer = _raw_tools_list(crowded, version, {})
        expected = serialize_server_result("tools/list", version, {"tools": reference})
        assert set(answer["result"]) == set(expected), version
        got = answer["result"]["tools"]
        assert [t["name"] for t in got] == [t["name"] for t in expected["tools"]], version
        for mine, sdk in zip(got, expected["tools"], strict=True):
            assert mine == sdk, (version, mine["name"])


@pytest.mark.anyio
async def test_malformed_list_params_get_the_sdks_error(crowded: Simulator):
    answer = _raw_tools_list(crowded, "2025-11-25", {"cursor": 5})
    assert "result" not in answer
    assert answer["error"]["code"] == -32602  # invalid params, as the SDK answers it


@pytest.mark.anyio
async def test_both_eras_list_the_same_tools(connect: Any):
    async with connect(env=ENV) as client:
        tools = (await client.list_tools()).tools
    # Each agent tool declares the shared output schema, and its annotations carry its title.
    echo = next(t for t in tools if t.name == "echo_agent")
    assert echo.annotations is not None and echo.annotations.title == echo.title
    assert echo.output_schema is not None and echo.output_schema["type"] == "object"
