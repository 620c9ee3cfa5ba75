"""The server reads and writes its stdio non-blocking, and leaves both as it found them.

A descriptor's blocking mode belongs to the open file, which the server shares with whoever
started it (a terminal, a wrapper such as uvx): left non-blocking, the next program on that
terminal would fail its reads with EAGAIN.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, server_params
from tests.helpers import initialize_request

pytestmark = pytest.mark.e2e


def test_stdio_is_blocking_again_after_the_session(simulator: Any, tmp_path: Path):
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    server = server_params(simulator.url, simulator.token)
    assert server.env is not None
    proc = subprocess.Popen(
        [sys.executable, "-m", "wxo_mcp", "serve"],
        stdin=in_read,
        stdout=out_write,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **server.env},
        cwd=ROOT,
    )
    # This process keeps the very same open files (stdin's read end, stdout's write end).
    os.write(in_write, json.dumps(initialize_request()).encode() + b"\n")
    with os.fdopen(out_read, "rb") as answers:
        answer = json.loads(answers.readline())
        assert answer["id"] == 1 and "result" in answer
        # Serving: the shared files are non-blocking now.
        assert not os.get_blocking(in_read)
        assert not os.get_blocking(out_write)
        os.close(in_write)  # end of the session
        assert proc.wait(timeout=30) == 0
    assert os.get_blocking(in_read)
    assert os.get_blocking(out_write)
    os.close(in_read)
    os.close(out_write)
