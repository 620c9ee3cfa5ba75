"""``wxo-mcp simulator`` as a child process, for tests that need it out of process (the command
itself, and IBM's ADK, which talks to a fixed port)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping

READY = re.compile(r"ready at (http://\S+)")


class SimulatorDidNotStart(RuntimeError):
    """The command exited or stayed silent; the message is what it wrote to stderr."""


@contextlib.contextmanager
def simulator_process(
    *args: str, env: Mapping[str, str] | None = None, start_timeout: float = 30.0
) -> Iterator[str]:
    """Run ``wxo-mcp simulator ARGS`` until the block ends; yields the URL its ready line names
    (the instance URL under ``--deployment saas``)."""
    command = [sys.executable, "-m", "wxo_mcp", "simulator", *args]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: list[str] = []
    ready = threading.Event()
    url: list[str] = []

    def drain() -> None:  # keeps reading so the child never blocks on a full pipe
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            found = READY.search(line)
            if found and not ready.is_set():
                url.append(found.group(1))
                ready.set()
        ready.set()  # EOF: the process is gone

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        if not ready.wait(start_timeout) or not url:
            raise SimulatorDidNotStart("".join(lines) or "no output")
        yield url[0]
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        reader.join(5)
