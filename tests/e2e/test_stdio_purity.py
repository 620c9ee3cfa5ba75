"""In stdio mode every byte on stdout is JSON-RPC, even when a dependency prints or warns.

A ``sitecustomize`` module makes httpx noisy inside the server process: every request prints to
stdout (buffered, as a careless library would), issues a warning, and an ``atexit`` hook prints
at shutdown. The raw stdout of the server is then read byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

NOISE = """
import atexit, builtins, sys, warnings
print("sitecustomize loaded", file=sys.stderr)
atexit.register(lambda: print("goodbye from a dependency"))
_real_import = builtins.__import__
def _noisy_import(name, *args, **kwargs):
    module = _real_import(name, *args, **kwargs)
    if name == "httpx2" and not getattr(module, "_noisy", False):
        module._noisy = True
        send = module.AsyncClient.send
        async def chatty_send(self, *a, **k):
            print("dependency chatter on stdout")
            warnings.warn("a dependency warns", UserWarning)
            return await send(self, *a, **k)
        module.AsyncClient.send = chatty_send
    return module
builtins.__import__ = _noisy_import
"""


def _request(i: int, method: str, params: dict[str, Any]) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params})


def test_stdout_carries_only_json_rpc(simulator: Any, tmp_path: Path):
    (tmp_path / "sitecustomize.py").write_text(NOISE)
    lines = [
        _request(
            1,
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        ),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        _request(2, "tools/list", {}),
        _request(3, "tools/call", {"name": "echo_agent", "arguments": {"message": "hi"}}),
    ]
    env = {
        "WXO_URL": simulator.url,
        "WXO_TOKEN": simulator.token,
        "PYTHONPATH": f"{tmp_path}:{ROOT}",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "wxo_mcp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    for line in lines:
        proc.stdin.write((line + "\n").encode())
    proc.stdin.flush()
    answers: dict[int, Any] = {}
    raw: list[bytes] = []
    while 3 not in answers:
        received = proc.stdout.readline()
        assert received, "server closed stdout early"
        raw.append(received)
        message = json.loads(received)
        if "id" in message:
            answers[message["id"]] = message
    rest, err = proc.communicate(timeout=30)  # closes stdin: the server ends its session
    raw.extend(rest.splitlines(keepends=True))
    assert b"sitecustomize loaded" in err  # the noise really was installed
    assert b"dependency chatter on stdout" in err
    assert b"goodbye from a dependency" in err
    for raw_line in raw:
        message = json.loads(raw_line)
        assert message["jsonrpc"] == "2.0"
    assert answers[3]["result"]["structuredContent"]["status"] == "completed"
