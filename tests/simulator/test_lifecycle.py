"""Runs outlive their streams; the simulator starts fast, stops clean and takes 100 streams at
once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import anyio
import httpx
import pytest

from wxo_mcp.simulator import Simulator, SimulatorOptions

from .helpers import auth, client, run_body, wait_for_status

pytestmark = pytest.mark.anyio


async def test_run_completes_after_the_client_leaves_mid_stream(simulator: Simulator) -> None:
    body = run_body(simulator.agent_id("slow_agent"), "seconds=0.4")
    async with httpx.AsyncClient(base_url=simulator.url, headers=auth(simulator)) as http:
        async with http.stream("POST", "/v1/orchestrate/runs/stream", json=body) as response:
            lines = response.aiter_lines()
            started = json.loads(await anext(lines))
            await anext(lines)
        run_id = started["data"]["run_id"]
        assert await simulator.stream_closed.wait_async(5)
        assert simulator.stream_closed.run_ids == [run_id]
        assert simulator.runs[run_id].status != "completed"  # still going when the client left
        for _ in range(250):
            run = (await http.get(f"/v1/orchestrate/runs/{run_id}")).json()
            if run["status"] == "completed":
                break
            await anyio.sleep(0.02)
        messages = (await http.get(f"/v1/threads/{started['data']['thread_id']}/messages")).json()
    assert run["result"]["data"]["message"]["role"] == "assistant"
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert simulator.runs[run_id].events[-1]["event"] == "done"


def test_a_stream_read_to_the_end_is_not_counted_as_closed(simulator: Simulator) -> None:
    with (
        client(simulator) as http,
        http.stream(
            "POST",
            "/v1/orchestrate/runs/stream",
            json=run_body(simulator.agent_id("echo_agent"), "x"),
        ) as r,
    ):
        r.read()
    time.sleep(0.05)
    assert not simulator.stream_closed.is_set()
    assert simulator.stream_closed.count == 0


def test_reset_ends_unfinished_runs(simulator: Simulator) -> None:
    with client(simulator) as http:
        run_id = http.post(
            "/v1/orchestrate/runs", json=run_body(simulator.agent_id("slow_agent"), "seconds=30")
        ).json()["run_id"]
        wait_for_status(http, f"/v1/orchestrate/runs/{run_id}", {"running"})
        record = simulator.runs[run_id]
        simulator.reset()
        assert simulator.runs == {}
        deadline = time.monotonic() + 2
        while not record.closed:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert record.status == "cancelled"


def test_start_is_fast_and_stop_leaves_nothing_behind() -> None:
    threads_before = set(threading.enumerate())
    started = time.monotonic()
    sim = Simulator(SimulatorOptions(token="t"))
    sim.start()
    elapsed = time.monotonic() - started
    port = sim.port
    try:
        assert httpx.get(sim.url + "/health/alive").status_code == 200
    finally:
        sim.stop()
    assert elapsed < 1.0  # typically well under 0.1 s
    assert set(threading.enumerate()) <= threads_before
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


def test_stop_does_not_wait_for_open_streams() -> None:
    with Simulator(SimulatorOptions(token="t")) as sim:
        sim.faults.stall_stream_after(events=1, seconds=60)
        errors: list[BaseException] = []

        def reader() -> None:
            try:
                with (
                    httpx.Client(
                        base_url=sim.url, headers={"Authorization": "Bearer t"}, timeout=30
                    ) as http,
                    http.stream(
                        "POST",
                        "/v1/orchestrate/runs/stream",
                        json=run_body(sim.agent_id("echo_agent"), "x"),
                    ) as r,
                ):
                    r.read()
            except httpx.HTTPError as exc:
                errors.append(exc)

        thread = threading.Thread(target=reader)
        thread.start()
        deadline = time.monotonic() + 5
        while not sim.runs:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.1)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 3
    thread.join(5)
    assert not thread.is_alive()


async def test_async_context_manager() -> None:
    async with Simulator(SimulatorOptions(token="a")) as sim, httpx.AsyncClient() as http:
        response = await http.get(
            f"{sim.saas_url}/v1/orchestrate/agents", headers={"Authorization": "Bearer a"}
        )
        assert response.status_code == 200


async def test_a_hundred_concurrent_streams(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("echo_agent")
    results: dict[int, list[str]] = {}
    limits = httpx.Limits(max_connections=120, max_keepalive_connections=120)

    async with httpx.AsyncClient(
        base_url=simulator.url, headers=auth(simulator), limits=limits, timeout=30
    ) as http:

        async def one(n: int) -> None:
            body = run_body(agent_id, f"message {n}")
            async with http.stream("POST", "/v1/orchestrate/runs/stream", json=body) as response:
                results[n] = [
                    json.loads(line)["event"]
                    for line in [ln async for ln in response.aiter_lines()]
                    if line
                ]

        with anyio.fail_after(20):
            async with anyio.create_task_group() as group:
                for n in range(100):
                    group.start_soon(one, n)
    assert len(results) == 100
    assert all(events[0] == "run.started" and events[-1] == "done" for events in results.values())
    assert len(simulator.runs) == 100
    assert {r.status for r in simulator.runs.values()} == {"completed"}


def test_serve_blocks_prints_a_ready_line_to_stderr_and_stops_on_sigint() -> None:
    code = "from wxo_mcp.simulator import serve; serve(port=0, token='cli-token', extra_agents=2)"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().decode()
        assert "ready at http://127.0.0.1:" in line, line
        url = line.split("ready at ")[1].split()[0]
        agents = httpx.get(
            url + "/v1/orchestrate/agents", headers={"Authorization": "Bearer cli-token"}
        ).json()
        assert [a["name"] for a in agents][-2:] == ["echo_agent_0001", "echo_agent_0002"]
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=10)
    assert stdout == b""
    assert proc.returncode == 0
