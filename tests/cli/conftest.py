"""Running ``wxo-mcp`` commands in process, against the session simulator.

``main()`` is called as the console script would call it; its exit code is caught, and what it
printed is read back. The environment is emptied of ``WXO_*`` variables and ``XDG_CACHE_HOME``,
and ``HOME`` points at an empty directory, so no developer's ADK files, settings or cache leak in
(or are written to).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from wxo_mcp.cli import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


Run = Callable[..., Outcome]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("WXO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)  # ask --simulator keeps threads there
    return monkeypatch


@pytest.fixture
def run_cli(clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """``run_cli(*argv, env={...})``: the exit code and the printed stdout and stderr."""
    catalog = logging.getLogger("wxo_mcp.bridge.catalog")
    level = catalog.level  # commands may quiet it; restored (with its cache) afterwards

    def _run(*argv: str, env: Mapping[str, object] | None = None) -> Outcome:
        for key, value in (env or {}).items():
            clean_env.setenv(key, str(value))
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(list(argv))
        captured = capsys.readouterr()
        code = exited.value.code
        return Outcome(code if isinstance(code, int) else 1, captured.out, captured.err)

    yield _run
    catalog.setLevel(level)


@pytest.fixture
def sim_env(simulator: Any) -> dict[str, str]:
    """The variables that point wxo-mcp at the session simulator."""
    return {"WXO_URL": simulator.url, "WXO_TOKEN": simulator.token}
