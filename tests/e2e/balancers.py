"""Real load balancers (HAProxy, nginx: the Debian packages) in front of wxo-mcp replicas.

Each runs in the foreground from a config written into a temporary directory, on a free port,
with plain round-robin and nothing pinned: the configs the README shows, minus the TLS.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

BALANCERS = ("haproxy", "nginx")
#: The upstream name nginx sends as Host (no proxy_set_header Host in its config).
NGINX_UPSTREAM = "wxo_mcp"


def binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name,) if p.exists()), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def haproxy_config(port: int, replicas: Sequence[int]) -> str:
    servers = "\n".join(
        f"    server r{i} 127.0.0.1:{p} check" for i, p in enumerate(replicas, start=1)
    )
    return f"""global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 300s
    timeout server 300s
    retries 3
    option redispatch 1
frontend mcp
    bind 127.0.0.1:{port}
    default_backend wxo_mcp
backend wxo_mcp
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
{servers}
"""


def nginx_config(port: int, replicas: Sequence[int], workdir: Path) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in replicas
    )
    temp = " ".join(
        f"{kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
daemon off;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    {temp}
    upstream {NGINX_UPSTREAM} {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{NGINX_UPSTREAM};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


class Balancer:
    """One load balancer process; ``url`` is its ``/mcp`` endpoint."""

    def __init__(self, kind: str, replicas: Sequence[int], workdir: Path) -> None:
        exe = binary(kind)
        if exe is None:
            raise RuntimeError(f"{kind} is not installed")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / f"{kind}.conf"
        if kind == "haproxy":
            config.write_text(haproxy_config(self.port, replicas))
            argv = [exe, "-db", "-f", str(config)]
        else:
            config.write_text(nginx_config(self.port, replicas, workdir))
            argv = [exe, "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(config)]
        self._log = workdir / f"{kind}.log"
        with self._log.open("wb") as sink:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
            )
        self._wait_ready(workdir)

    def _wait_ready(self, workdir: Path) -> None:
        health = self.url.removesuffix("/mcp") + "/healthz"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(health, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.close()
        logs = "\n".join(p.read_text() for p in workdir.glob("*.log"))
        raise AssertionError(f"the load balancer did not start:\n{logs}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
                self.process.kill()
                self.process.wait(timeout=10)
