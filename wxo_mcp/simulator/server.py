"""Running the simulator: :class:`Simulator` (uvicorn in a background thread, for tests and the
demo)
and :func:`serve` (blocking, for ``wxo-mcp simulator``)."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Self

import anyio
import uvicorn

from .agents import AgentSpec, StarterPrompt
from .app import create_app
from .faults import Faults
from .observe import SeenRequest, StreamClosed
from .options import Deployment, SimulatorOptions
from .saved import load_threads, save_threads, snapshot
from .state import SimulatorState
from .store import RunRecord, ThreadRecord

logger = logging.getLogger(__name__)

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _config(app: object, options: SimulatorOptions, *, log_config: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=options.host,
        port=options.port,
        lifespan="on",
        access_log=False,
        # The library must not reconfigure the host application's logging; serve() opts in.
        log_config=uvicorn.config.LOGGING_CONFIG if log_config else None,
        log_level="warning",
        # A backstop only: Simulator.stop() ends every stream before asking uvicorn to exit.
        timeout_graceful_shutdown=2,
        timeout_keep_alive=options.keep_alive_seconds,  # type: ignore[arg-type]
        backlog=2048,
    )


def _bind(options: SimulatorOptions) -> socket.socket:
    """A bound TCP socket for uvicorn (port 0: the kernel picks a free one).

    ``proto=IPPROTO_TCP`` matters: asyncio only sets TCP_NODELAY on accepted sockets whose protocol
    says TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((options.host, options.port))
    except OSError:
        sock.close()
        raise
    return sock


class Simulator:
    """A simulated Orchestrate on ``127.0.0.1:<free port>``, served from a background thread.

    Use it as a context manager (sync or async) or call :meth:`start` / :meth:`stop`::

        with Simulator(SimulatorOptions(token="t")) as sim:
            httpx.get(f"{sim.url}/v1/orchestrate/agents", headers={"Authorization": "Bearer t"})

    Attributes set while running: ``url`` (local family), ``saas_url`` (``/instances/<id>`` family),
    ``port``. ``faults``, ``requests``, ``stream_closed``, ``runs`` and ``threads`` are for tests.
    """

    def __init__(self, options: SimulatorOptions | None = None) -> None:
        self.options = options or SimulatorOptions()
        self._state = SimulatorState(self.options)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_ready = threading.Event()
        self._loaded_threads: dict[str, int] = {}
        self.port = 0

    # -- what tests use ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the local Developer Edition family: ``http://127.0.0.1:PORT``."""
        return f"http://{self.options.host}:{self.port}"

    @property
    def saas_url(self) -> str:
        """Instance URL of the SaaS family: ``http://127.0.0.1:PORT/instances/<instance_id>``."""
        return f"{self.url}/instances/{self.options.instance_id}"

    @property
    def token(self) -> str:
        return self.options.token

    @property
    def faults(self) -> Faults:
        return self._state.faults

    @property
    def requests(self) -> list[SeenRequest]:
        """``(method, path, query)`` of every Orchestrate request seen since the last reset."""
        return self._state.requests

    @property
    def stream_closed(self) -> StreamClosed:
        return self._state.stream_closed

    @property
    def runs(self) -> Mapping[str, RunRecord]:
        return self._state.store.runs

    @property
    def threads(self) -> Mapping[str, ThreadRecord]:
        return self._state.store.threads

    @property
    def token_exchanges(self) -> dict[str, int]:
        """Token exchanges per kind since the last reset: ``iam``, ``mcsp_v1``, ``mcsp_v2``,
        ``cpd``, and ``local`` for Developer Edition logins (requests refused for an expired or
        revoked token: :attr:`tokens_refused`)."""
        counts = self._state.issuer.counts
        counts.pop("refused", None)
        return counts

    @property
    def tokens_refused(self) -> int:
        """Requests answered 401 because their issued token had expired or was revoked."""
        return self._state.issuer.counts.get("refused", 0)

    @property
    def token_lifetime(self) -> float:
        """Lifetime of the tokens the token routes issue; settable at run time (until reset)."""
        override = self._state.issuer.lifetime
        return self.options.token_lifetime if override is None else override

    @token_lifetime.setter
    def token_lifetime(self, seconds: float) -> None:
        self._state.issuer.lifetime = seconds

    def revoke_tokens(self) -> None:
        """Refuse every token issued so far: Orchestrate routes answer 401 until a new exchange."""
        self._state.issuer.revoke_all()

    def agent_id(self, name: str) -> str:
        """The id of the served agent called ``name`` (KeyError if there is none)."""
        for agent in self._state.agents:
            if agent.name == name:
                return agent.id
        raise KeyError(name)

    def add_agent(
        self,
        name: str,
        description: str = "An agent added at run time.",
        starter_prompts: Sequence[StarterPrompt] = (),
    ) -> str:
        """Serve one more echo agent called ``name``; returns its id. ``reset()`` removes it."""
        spec = AgentSpec(
            name=name,
            display_name=name.replace("_", " ").title(),
            description=description,
            behaviour="echo",
            starter_prompts=tuple(starter_prompts),
        )
        agents = (*tuple(a for a in self._state.agents if a.name != name), spec)
        self._call_in_loop(lambda: self._state.set_agents(agents))
        return spec.id

    def remove_agent(self, name: str) -> None:
        """Stop serving the agent called ``name``."""
        agents = tuple(a for a in self._state.agents if a.name != name)
        self._call_in_loop(lambda: self._state.set_agents(agents))

    def reset(self) -> None:
        """Forget faults, runs, threads, recorded requests and closed streams; unfinished runs
        end."""
        self._call_in_loop(self._state.reset)

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind a port and serve in a daemon thread; returns once the server accepts requests."""
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        if self.options.threads_file is not None:
            self._state.store.threads.update(load_threads(self.options.threads_file))
            self._loaded_threads = snapshot(self._state.store.threads)
        sock = _bind(self.options)
        self._socket = sock
        self.port = sock.getsockname()[1]
        app = create_app(state=self._state)
        self._server = uvicorn.Server(_config(app, self.options, log_config=False))
        self._thread = threading.Thread(
            target=self._run, name=f"wxo-simulator-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Orchestrate simulator failed to start")
            time.sleep(0.002)

    def stop(self) -> None:
        """End every run and stream, stop uvicorn, join its thread and close the socket; with
        ``threads_file``, save the threads."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None and thread.is_alive():
            self._call_in_loop(self._state.begin_shutdown, wait=False)
            server.should_exit = True
            thread.join(_STOP_TIMEOUT)
            if thread.is_alive():
                server.force_exit = True
                thread.join(_STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        if self.options.threads_file is not None and server is not None:
            save_threads(self.options.threads_file, self._state.store.threads, self._loaded_threads)
        self._server = self._thread = self._socket = None
        self._loop = None
        self._loop_ready.clear()

    def _run(self) -> None:
        server, sock = self._server, self._socket
        if server is None or sock is None:
            return

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._loop_ready.set()
            await server.serve(sockets=[sock])

        asyncio.run(main())

    def _call_in_loop(self, fn: Callable[[], None], *, wait: bool = True) -> None:
        """Run ``fn`` on the server's loop (the store lives there); inline if the server is down."""
        loop = self._loop
        if loop is None or loop.is_closed() or not self._loop_ready.is_set():
            fn()
            return
        done = threading.Event()

        def call() -> None:
            try:
                fn()
            finally:
                done.set()

        try:
            loop.call_soon_threadsafe(call)
        except RuntimeError:  # the loop closed meanwhile
            fn()
            return
        if wait:
            done.wait(_STOP_TIMEOUT)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await anyio.to_thread.run_sync(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await anyio.to_thread.run_sync(self.stop)


def serve(
    host: str = "127.0.0.1",
    port: int = 4321,
    token: str = "test-token",  # noqa: S107 - a simulator's made-up token, not a secret
    extra_agents: int = 0,
    *,
    deployment: Deployment = "both",
    options: SimulatorOptions | None = None,
) -> None:
    """Serve the simulator in the foreground until interrupted (``wxo-mcp simulator``).

    Logs go to stderr only; one ready line names the URLs to point ``WXO_URL`` at.
    """
    opts = options or SimulatorOptions(
        host=host, port=port, token=token, extra_agents=extra_agents, deployment=deployment
    )
    sock = _bind(opts)
    bound_port = sock.getsockname()[1]
    state = SimulatorState(opts)
    config = _config(create_app(state=state), opts, log_config=False)
    server = uvicorn.Server(config)
    base = f"http://{opts.host}:{bound_port}"

    async def main() -> None:
        async def announce() -> None:
            # uvicorn has no "started" event to await; its flag is the only signal.
            while not server.started and not server.should_exit:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            if server.started:
                saas = f"{base}/instances/{opts.instance_id}"
                count = len(state.agents)
                where = {
                    "both": f"{base} (SaaS: {saas}",
                    "local": f"{base} (Developer Edition paths only",
                    "saas": f"{saas} (SaaS paths only",
                }[opts.deployment]
                sys.stderr.write(f"Orchestrate simulator ready at {where}; {count} agents)\n")
                sys.stderr.flush()

        announcer = asyncio.create_task(announce())
        try:
            await server.serve(sockets=[sock])
        finally:
            announcer.cancel()
            state.begin_shutdown()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
