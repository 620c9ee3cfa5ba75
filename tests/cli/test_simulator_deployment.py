"""``wxo-mcp simulator --deployment``: which path families the command serves."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.simulator_process import simulator_process

TOKEN = {"Authorization": "Bearer sim-token"}  # the command's default token


def test_saas_deployment_serves_only_the_instance_family() -> None:
    with simulator_process("--port", "0", "--deployment", "saas") as instance_url:
        base = instance_url.split("/instances/")[0]
        assert instance_url != base
        agents = httpx.get(instance_url + "/v1/orchestrate/agents", headers=TOKEN)
        assert agents.status_code == 200
        bare = httpx.get(base + "/v1/runs", headers=TOKEN)
        assert bare.status_code == 404 and bare.json()["code"] == "WXO-PROXY-14009E"


def test_deployment_from_the_environment_is_checked() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wxo_mcp", "simulator", "--port", "0"],
        env={"WXO_SIMULATOR_DEPLOYMENT": "cloud", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "WXO_SIMULATOR_DEPLOYMENT must be one of both, local, saas, not 'cloud'" in done.stderr
