"""What every part of a benchmark run shares: the counts, where results go, the scratch space."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bench import cases
from bench.procs import jwt_shaped_token
from bench.stats import Row, Summary

MS = 1000.0


@dataclass(frozen=True)
class Counts:
    """How much of everything; ``SMOKE`` is the tiny version CI runs."""

    calls: int = 40
    warmup: int = 5
    spawns: int = 5
    #: agents listed at the default WXO_MAX_AGENT_TOOLS, and trivial tools of the bare floor
    list_agents: int = 50
    agents: int = 1000
    long_chars: int = 10_000_000
    concurrent: int = 100
    concurrent_rounds: int = 12
    progress_seconds: float = 1.0
    progress_runs: int = 3
    peer_calls: int = 3
    whole_answer_row: bool = True


SMOKE = Counts(
    calls=2,
    warmup=1,
    spawns=1,
    list_agents=12,
    agents=20,
    long_chars=50_000,
    concurrent=4,
    concurrent_rounds=1,
    progress_seconds=0.25,
    progress_runs=1,
    peer_calls=1,
    whole_answer_row=False,
)


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    pairs: list[tuple[str, str, Summary | None, Summary | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    counts: Counts
    workdir: Path
    home: Path = field(init=False)
    token: str = field(default_factory=jwt_shaped_token)
    out: Results = field(default_factory=Results)
    log: TextIO = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.workdir / "home"
        self.home.mkdir(exist_ok=True)
        self.log = cases.log_file(self.workdir, "servers")

    def progress(self, text: str) -> None:
        print(f"… {text}", file=sys.stderr, flush=True)


def ms(values: Sequence[float]) -> Summary:
    return Summary.of([v * MS for v in values])
