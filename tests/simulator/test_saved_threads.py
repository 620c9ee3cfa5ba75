"""``SimulatorOptions.threads_file``: threads outlive the simulator process that made them, so a
``thread_id`` printed by one ``wxo-mcp ask --simulator`` is known to the next."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from wxo_mcp.simulator import Simulator, SimulatorOptions

from .helpers import client, run_body, wait_for_status

SIMULATOR = Path(__file__).resolve().parents[2] / "wxo_mcp" / "simulator"


def ask(sim: Simulator, text: str, thread_id: str | None = None) -> tuple[int, dict[str, Any]]:
    """One run of echo_agent to completion: (HTTP status, the completed run or the error)."""
    body = run_body(sim.agent_id("echo_agent"), text)
    if thread_id:
        body["thread_id"] = thread_id
    with client(sim) as http:
        created = http.post("/v1/orchestrate/runs", json=body)
        if created.status_code >= 300:
            return created.status_code, created.json()
        run_id = created.json()["run_id"]
        return 200, wait_for_status(http, f"/v1/orchestrate/runs/{run_id}", {"completed"})


def messages(sim: Simulator, thread_id: str) -> list[dict[str, Any]]:
    with client(sim) as http:
        return list(http.get(f"/v1/threads/{thread_id}/messages").json())


def test_a_thread_continues_in_the_next_process(tmp_path):
    saved = tmp_path / "threads.json"
    with Simulator(SimulatorOptions(threads_file=saved)) as first:
        _, run = ask(first, "hello")
    thread_id = run["thread_id"]
    assert saved.exists()
    with Simulator(SimulatorOptions(threads_file=saved)) as second:
        status, run = ask(second, "again", thread_id)
        assert status == 200, run
        assert [m["role"] for m in messages(second, thread_id)] == [
            "user",
            "assistant",
            "user",
            "assistant",
        ]
        assert "Echo (turn 2): again" in json.dumps(messages(second, thread_id))


def test_without_the_file_a_new_process_does_not_know_the_thread(tmp_path):
    with Simulator(SimulatorOptions()) as first:
        _, run = ask(first, "hello")
    with Simulator(SimulatorOptions()) as second:
        status, _ = ask(second, "again", run["thread_id"])
    assert status == 404


def test_overlapping_processes_keep_each_others_threads(tmp_path):
    saved = tmp_path / "threads.json"
    one, two = (
        Simulator(SimulatorOptions(threads_file=saved)),
        Simulator(SimulatorOptions(threads_file=saved)),
    )
    with one, two:
        _, a = ask(one, "from one")
        _, b = ask(two, "from two")
    with Simulator(SimulatorOptions(threads_file=saved)) as third:
        assert ask(third, "a again", a["thread_id"])[0] == 200
        assert ask(third, "b again", b["thread_id"])[0] == 200


def test_an_unreadable_file_starts_empty_and_is_replaced(tmp_path):
    saved = tmp_path / "threads.json"
    saved.write_text("{not json")
    with Simulator(SimulatorOptions(threads_file=saved)) as sim:
        _, run = ask(sim, "hello")
    data = json.loads(saved.read_text())
    assert run["thread_id"] in json.dumps(data)


def test_the_simulator_imports_nothing_from_the_rest_of_wxo_mcp():
    for path in SIMULATOR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            assert not [n for n in names if n.split(".")[0] == "wxo_mcp"], path
