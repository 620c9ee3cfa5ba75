"""`wxo-mcp demo` shows the whole loop and exits 0."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


def test_demo_shows_the_whole_loop():
    done = subprocess.run(
        [sys.executable, "-m", "wxo_mcp", "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "tools/list → 15 tools" in out
    assert "Echo (turn 1): Hello, Orchestrate!" in out
    assert "Echo (turn 2): And again." in out
    assert "Calling tool get_weather" in out
    assert "orchestrate://runs" in out
    assert "total: 3 runs" in out
    assert "Done in" in out
