"""``wxo-mcp simulator``: a port it cannot have is one line and a non-zero exit, like serve."""

from __future__ import annotations

import socket


def test_busy_port_is_one_line_and_exit_2(run_cli):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("simulator", "--port", str(port), "--token", "t")
    assert result.code == 2
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"wxo-mcp simulator: Cannot listen on 127.0.0.1:{port}:")
    assert "--port" in lines[0]
