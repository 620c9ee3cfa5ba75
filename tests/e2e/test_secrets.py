"""A sentinel bearer token through the faults and hostile input of the other suites.

The server runs at ``WXO_LOG_LEVEL=DEBUG`` with its stderr captured; every tool result and
resource the client reads is kept too. The token (and a wrong one sent on purpose) must appear in
none of it. ``test_auth.py`` does the same for API keys, passwords and exchanged tokens.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.e2e.conftest import ROOT
from wxo_mcp.simulator import Simulator, SimulatorOptions

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "SENTINEL-bearer-3f9a1c77e2b4"
WRONG = "SENTINEL-wrong-bearer-81d0c6a5"


async def _exercise(url: str, token: str, sim: Simulator, errlog: Any, seen: list[str]) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "wxo_mcp", "serve"],
        env={"WXO_URL": url, "WXO_TOKEN": token, "WXO_LOG_LEVEL": "DEBUG", "PYTHONPATH": ROOT},
        cwd=ROOT,
    )
    async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
        seen.append(
            json.dumps([t.model_dump(mode="json") for t in (await client.list_tools()).tools])
        )

        async def call(tool: str, arguments: dict[str, Any]) -> None:
            result = await client.call_tool(tool, arguments)
            seen.append(json.dumps(result.model_dump(mode="json")))

        await call("ask_agent", {"agent": "echo_agent", "message": "hello"})
        await call("ask_agent", {"agent": "failing_agent", "message": "hello"})
        sim.faults.drop_stream_after(events=3)
        await call("ask_agent", {"agent": "echo_agent", "message": "dropped"})
        sim.faults.status(503, times=1, path_contains="/runs")
        await call("ask_agent", {"agent": "echo_agent", "message": "5xx"})
        await call("ask_agent", {"agent": "echo_agent", "message": "x", "thread_id": "a/b"})
        await call(
            "ask_agent",
            {
                "agent": "echo_agent",
                "message": "x",
                "thread_id": "00000000-0000-4000-8000-0000000000aa",
            },
        )
        await call("get_run", {"run_id": "00000000-0000-4000-8000-0000000000bb"})
        await call("list_agents", {"unexpected": token})
        for uri in ("orchestrate://runs", "orchestrate://runs/../../x"):
            try:
                contents = (await client.read_resource(uri)).contents
                seen.append(json.dumps([c.model_dump(mode="json") for c in contents]))
            except MCPError as exc:
                seen.append(str(exc))


async def test_the_bearer_token_appears_in_no_output(tmp_path: Path):
    seen: list[str] = []
    errors = tmp_path / "stderr.txt"
    with Simulator(SimulatorOptions(token=TOKEN)) as sim, errors.open("w") as errlog:
        await _exercise(sim.url, TOKEN, sim, errlog, seen)
        await _exercise(sim.url, WRONG, sim, errlog, seen)  # every call refused: 401s
    captured = errors.read_text() + "\n".join(seen)
    assert errors.read_text().count("DEBUG") > 50  # the debug log really was captured
    assert "401" in captured or "refused" in captured.lower()
    for secret in (TOKEN, WRONG, TOKEN[-12:], WRONG[-12:]):
        assert secret not in captured, f"{secret!r} leaked"
