"""``stamp_steps``: status lines carry the time they were emitted (for the benchmark)."""

from __future__ import annotations

import re
import time

from wxo_mcp.simulator import Simulator, SimulatorOptions

from .helpers import client, run_body, stream

STAMP = re.compile(r" @(\d+\.\d{6})$")


def _step_texts(sim: Simulator, agent: str, text: str) -> list[str]:
    with client(sim) as http:
        result = stream(http, "/v1/orchestrate/runs/stream", run_body(sim.agent_id(agent), text))
    return [
        e["data"]["message"]["text"] for e in result.events if e["event"] == "run.step.intermediate"
    ]


def test_scenario_status_lines_end_with_their_emission_time() -> None:
    options = SimulatorOptions(token="t", stamp_steps=True, step_interval=0.05)
    with Simulator(options) as sim:
        before = time.time()
        texts = _step_texts(sim, "slow_agent", "seconds=0.12")
        after = time.time()
    stamps = [float(m.group(1)) for t in texts if (m := STAMP.search(t))]
    # Every scenario step is stamped (the runner's own wrap-up line is not), in order, in time.
    assert len(stamps) == len(texts) - 1 >= 2
    assert stamps == sorted(stamps)
    assert before <= stamps[0] and stamps[-1] <= after


def test_no_stamps_by_default(simulator: Simulator) -> None:
    texts = _step_texts(simulator, "slow_agent", "seconds=0.05")
    assert texts
    assert not any(STAMP.search(t) for t in texts)
