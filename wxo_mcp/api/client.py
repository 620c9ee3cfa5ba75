"""OrchestrateClient: the one place that speaks HTTP to Orchestrate.

One pooled `httpx.AsyncClient` per OrchestrateClient. Every httpx exception is translated
here (`_translate`), also while a run stream is being read, so nothing from httpx crosses this
module: callers see only the `wxo_mcp.errors` tree. Reads are retried per `retry.py`; run
creation only when the server surely started nothing.

"httpx" here is `httpx2` (Pydantic's continuation of httpx, same API), the stack the MCP SDK
already loads: one HTTP library per process, and less CPU per request (measured in bench/).
The token exchanges (auth/) import it under the same name.
"""

from __future__ import annotations

import logging
import ssl
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
import httpx2 as httpx

from wxo_mcp.api.agents import Agent, explicit_names
from wxo_mcp.api.bearer import BearerAuth
from wxo_mcp.api.bodies import (
    AGENT_LIST_BODY,
    READ_BODY,
    MiB,
    decode_json,
    read_capped,
    read_prefix,
)
from wxo_mcp.api.events import RunEvent
from wxo_mcp.api.ndjson import DEFAULT_MAX_LINE_BYTES, NDJSONDecoder
from wxo_mcp.api.paths import Endpoints, validate_id
from wxo_mcp.api.retry import (
    DEFAULT_RETRY,
    Failure,
    RetryPolicy,
    parse_retry_after,
    retry_delay,
    should_retry_create_run,
    should_retry_read,
)
from wxo_mcp.auth import TokenProvider
from wxo_mcp.auth.tls import tls_verify
from wxo_mcp.config import Settings
from wxo_mcp.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeout,
    ConfigError,
    InvalidArgument,
    StreamError,
    Unauthorized,
    WxoError,
    from_response,
    redact,
)

__all__ = ["OrchestrateClient", "RunStream"]

logger = logging.getLogger(__name__)

USER_AGENT = "wxo-mcp/0.1"
#: Runs (streams) and reads in flight at once, and idle connections kept for the next burst.
MAX_CONNECTIONS = 1000
MAX_KEEPALIVE = 100
#: httpcore's pool walks all its connections whenever a request starts or ends, so with many runs
#: in flight its cost grows with their square (0.28 s of CPU for a burst of 100 runs). Several
#: independent pools, used in turn, keep each walk short.
POOL_SHARDS = 8
#: Seconds an idle connection is kept for reads: below common server timeouts (uvicorn 5 s). A
#: read that still meets a connection the server just closed is retried like any read.
KEEPALIVE_EXPIRY = 4.0
#: Seconds an idle connection is kept for starting runs. A run start is never re-sent once it
#: may have reached the server, so it must not meet a connection the server is closing: no
#: server drops a connection idle for less than this.
RUN_START_KEEPALIVE = 0.5
#: After a terminal event, how long (and how much) the rest of the body is read so that the
#: connection can go back to the pool; a server that keeps it open loses it instead.
DRAIN_SECONDS = 0.1
DRAIN_BYTES = 64 * 1024
#: Events a RunStream keeps for a StreamError's diagnostics (it keeps no others).
RECENT_EVENTS = 16


# ---------------------------------------------------------------------------------------------
# the httpx boundary


def _failure_kind(exc: httpx.HTTPError) -> Failure:
    """connect: the request never got through whole (no connection, or it could not be written,
    so no server can have acted on it); timeout: no answer in time; network: the connection
    broke after the request was sent."""
    if isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteError
    ):
        return "connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "network"


def _translate(exc: httpx.HTTPError | httpx.InvalidURL, where: str, what: str) -> WxoError:
    """Our exception for an httpx one (the caller raises it `from exc`)."""
    reason = redact(str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return ConfigError(
            f"The Orchestrate URL {where} cannot be used: {reason}.",
            "Set WXO_URL to the instance URL, e.g. http://localhost:4321.",
        )
    kind = _failure_kind(exc) if isinstance(exc, httpx.HTTPError) else "network"
    if isinstance(exc, httpx.TimeoutException):
        phase = "connecting to" if kind == "connect" else "waiting for"
        return ApiTimeout(
            f"Timed out {phase} Orchestrate at {where} while {what}.",
            "Check that the instance is reachable and try again.",
        )
    if kind == "connect":
        if "CERTIFICATE_VERIFY_FAILED" in reason or "SSL" in reason:
            hint = "Set WXO_CA_BUNDLE to the instance's CA file (or WXO_VERIFY=false to test)."
        else:
            hint = (
                "Check WXO_URL and that the instance is running "
                "(Developer Edition: `orchestrate server start`)."
            )
        return ApiConnectionError(f"Cannot connect to Orchestrate at {where}: {reason}.", hint)
    return ApiConnectionError(
        f"The connection to Orchestrate at {where} broke while {what}: {reason}.",
        "Try again; if it keeps happening, check proxies between here and the instance.",
    )


def _status_error(
    response: httpx.Response, body: bytes, what: str, secrets: list[str]
) -> ApiStatusError:
    return from_response(
        response.status_code,
        body,
        dict(response.headers),
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        what=what,
        secrets=secrets,
    )


def _is_stream(response: httpx.Response) -> bool:
    """A run stream is NDJSON (under an SSE or JSON type); never a web page."""
    kind = response.headers.get("content-type", "").lower()
    return "html" not in kind and "xml" not in kind


def _not_a_stream(response: httpx.Response, where: str) -> ApiError:
    """A redirect or a web page answered the run start: say what came back, not "0 events"."""
    kind = response.headers.get("content-type") or "no content type"
    status = response.status_code
    if 300 <= status < 400:
        target = httpx.URL(response.headers.get("location", "")).host or "another place"
        came = f"a redirect (HTTP {status}) to {target}"
        hint = "Set WXO_URL to the instance's API URL itself; wxo-mcp does not follow redirects."
    else:
        came = f"HTTP {status} with {kind[:60]} instead of a run stream"
        hint = "Check that WXO_URL points at the Orchestrate API, not a web page or a login proxy."
    return ApiError(
        f"Orchestrate at {where} answered the run start with {came}. A run may have started: "
        "look at the resource orchestrate://runs before trying again.",
        hint,
    )


# ---------------------------------------------------------------------------------------------
# the run stream


class RunStream:
    """The events of one streamed run, as an async iterator that owns its HTTP response.

    Ends at the first terminal event, even if the connection stays open after it. Raises
    StreamError (with the last few events) if the connection breaks, stalls past the read
    timeout, ends before a terminal event, or sends more than ``max_bytes`` without finishing.
    Events are handed out, never kept: memory does not grow with the length of the run.
    Closed by `stream_run`'s block.
    """

    def __init__(
        self,
        response: httpx.Response,
        where: str,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        *,
        max_bytes: int | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        self._response = response
        self._where = where
        self._chunks = response.aiter_bytes()
        self._decoder = NDJSONDecoder(max_line_bytes)
        self._pending: deque[RunEvent] = deque()
        self._exhausted = False
        self._terminal = False
        self._max_bytes = max_bytes
        self._secrets = secrets or []
        self._summarised = False
        #: The last events handed out (for diagnostics), and how many there were in all.
        self.recent: deque[RunEvent] = deque(maxlen=RECENT_EVENTS)
        self.count = 0
        self.bytes_read = 0
        self.run_id: str | None = None
        self.thread_id: str | None = None

    def __aiter__(self) -> RunStream:
        return self

    def _queue(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            if self._terminal:
                return  # nothing after the end of the run counts
            event = RunEvent.from_wire(obj)
            if event is None:
                continue
            self._terminal = event.is_terminal
            data = event.data
            if self.run_id is None and isinstance(data.get("run_id"), str):
                self.run_id = data["run_id"]
            if self.thread_id is None and isinstance(data.get("thread_id"), str):
                self.thread_id = data["thread_id"]
            self._pending.append(event)

    def _broken(self, reason: str, *, stalled: bool = False) -> StreamError:
        run = f" (run {self.run_id})" if self.run_id else ""
        hint = (
            f'The run may still finish: call get_run with run_id "{self.run_id}" later.'
            if self.run_id
            else "Try again."
        )
        return StreamError(
            f"The run stream from {self._where}{run} {reason} after {self.count} events.",
            hint,
            events=self.recent,
            run_id=self.run_id,
            thread_id=self.thread_id,
            stalled=stalled,
        )

    async def __anext__(self) -> RunEvent:
        while not self._pending:
            if self._exhausted or self._terminal:
                raise StopAsyncIteration
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._exhausted = True
                self._queue(self._decoder.flush())
                if not self._pending and not self._terminal:
                    raise self._broken(self._ended_early()) from None
                continue
            except httpx.TimeoutException as exc:
                self._exhausted = True
                raise self._broken("went silent", stalled=True) from exc
            except httpx.HTTPError as exc:
                self._exhausted = True
                raise self._broken(f"broke ({redact(str(exc)) or type(exc).__name__})") from exc
            self.bytes_read += len(chunk)
            if self._max_bytes is not None and self.bytes_read > self._max_bytes:
                self._exhausted = True
                raise self._broken(
                    f"sent more than {self._max_bytes // (1024 * 1024)} MB without finishing, "
                    "so wxo-mcp stopped reading it,"
                )
            self._queue(self._decoder.feed(chunk))
        event = self._pending.popleft()
        self.count += 1
        self.recent.append(event)
        return event

    def _ended_early(self) -> str:
        if self.count == 0 and self._decoder.skipped_lines:
            kind = self._response.headers.get("content-type", "no content type")
            return (
                f"ended before the run finished: HTTP {self._response.status_code} ({kind}) "
                f"with {self._decoder.skipped_lines} lines that are not run events"
            )
        return "ended before the run finished"

    def _summarise_skipped(self) -> None:
        """One warning per run for lines that were not events, never one per line."""
        decoder = self._decoder
        if self._summarised or not decoder.skipped_lines:
            return
        self._summarised = True
        run = f" of run {self.run_id}" if self.run_id else ""
        logger.warning(
            "Skipped %d run-stream lines%s from %s that were not JSON events (first: %r).",
            decoder.skipped_lines,
            run,
            self._where,
            redact(decoder.first_skipped, self._secrets),
        )

    async def aclose(self) -> None:
        """Close the response now (also when cancelled: the close is shielded, and brief)."""
        drain = self._terminal and not self._exhausted
        self._exhausted = True
        self._summarise_skipped()
        with anyio.move_on_after(5, shield=True):
            try:
                if drain:
                    await self._drain()
                await self._response.aclose()
            except httpx.HTTPError as exc:
                logger.debug("Ignored an error while closing a run stream: %s", exc)

    async def _drain(self) -> None:
        """The body's end usually follows the terminal event at once: read it, briefly, so the
        connection can serve the next run."""
        left = DRAIN_BYTES
        with anyio.move_on_after(DRAIN_SECONDS):
            async for chunk in self._chunks:
                left -= len(chunk)
                if left < 0:
                    return


# ---------------------------------------------------------------------------------------------
# the client


class OrchestrateClient:
    """Async client for the Orchestrate runtime API, for one instance.

    Use as `async with OrchestrateClient(settings, provider) as client:`. A missing WXO_URL or
    missing credentials do not fail here: each call raises ConfigError / AuthError instead, so a
    server can start and explain the problem in every tool result.
    """

    def __init__(
        self,
        settings: Settings,
        provider: TokenProvider,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 300.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_stream_bytes: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._settings = settings
        self._auth = BearerAuth(provider)
        self._refusal_hint = getattr(provider, "refusal_hint", None)
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=30.0, pool=10.0
        )
        self._retry = retry
        self._max_line_bytes = max_line_bytes
        self._max_stream_bytes = (
            max_stream_bytes if max_stream_bytes is not None else settings.max_stream_mb * MiB
        )
        self._sleep = sleep
        self._http: tuple[httpx.AsyncClient, ...] | None = None
        self._turn = 0
        self._closed = False
        self._lock = anyio.Lock()
        deployment = settings.resolved_deployment
        self._endpoints = (
            Endpoints.for_url(settings.url, deployment)
            if settings.url is not None and deployment is not None
            else None
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> OrchestrateClient:
        await self._client()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        self._closed = True
        if self._http is not None:
            pools, self._http = self._http, None
            for http in pools:
                await http.aclose()

    def _build_http(self) -> tuple[httpx.AsyncClient, ...]:
        # Runs in a worker thread: building the TLS context reads CA files from disk.
        verify = tls_verify(self._settings)  # the same rules as the token exchanges
        # Reads first, then run starts (see RUN_START_KEEPALIVE), POOL_SHARDS of each.
        return tuple(
            self._build_pool(verify, expiry)
            for expiry in (KEEPALIVE_EXPIRY, RUN_START_KEEPALIVE)
            for _ in range(POOL_SHARDS)
        )

    def _build_pool(self, verify: ssl.SSLContext, expiry: float) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._timeout,
            # Each streamed run holds a connection for its whole length, so this bounds the
            # runs in flight: one call more waits for the pool, and fails after its timeout.
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS // POOL_SHARDS,
                max_keepalive_connections=MAX_KEEPALIVE // POOL_SHARDS,
                keepalive_expiry=expiry,
            ),
            verify=verify,
            follow_redirects=False,  # never carry the bearer token to another host
            headers={"User-Agent": USER_AGENT},
            trust_env=True,
        )

    async def _client(self, *, run_start: bool = False) -> httpx.AsyncClient:
        if self._closed:
            raise RuntimeError("This OrchestrateClient is closed; create a new one.")
        if self._http is None:
            async with self._lock:
                if self._http is None:
                    self._http = await anyio.to_thread.run_sync(self._build_http)
        self._turn = (self._turn + 1) % POOL_SHARDS
        return self._http[self._turn + (POOL_SHARDS if run_start else 0)]

    # -- properties --------------------------------------------------------------------------

    @property
    def is_local(self) -> bool:
        """Whether the instance uses the Developer Edition path family."""
        return self._endpoints is not None and self._endpoints.is_local

    @property
    def base_url(self) -> str:
        """The instance URL, normalised ("" when WXO_URL is not configured)."""
        return self._endpoints.instance_url if self._endpoints else ""

    def _require_endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise ConfigError(
                "No Orchestrate URL is configured.",
                "Set WXO_URL (e.g. http://localhost:4321) or run `orchestrate env activate <env>`.",
            )
        return self._endpoints

    def _secrets(self) -> list[str]:
        return [self._auth.last_token] if self._auth.last_token else []

    def _explained(self, error: ApiStatusError) -> ApiStatusError:
        """A 401 that survived a refresh gets the provider's own advice (e.g. check the key)."""
        if isinstance(error, Unauthorized) and isinstance(self._refusal_hint, str):
            error.hint = self._refusal_hint
        return error

    # -- reads -------------------------------------------------------------------------------

    async def _get_json(
        self,
        url: str,
        what: str,
        params: Mapping[str, str | int] | None = None,
        limit: int = READ_BODY,
    ) -> Any:
        """GET with the read retry policy; the decoded JSON body, read up to ``limit`` bytes."""
        http = await self._client()
        where = self.base_url
        attempt = 0
        while True:
            attempt += 1
            try:
                request = http.build_request(
                    "GET", url, params=params, headers={"Accept": "application/json"}
                )
                response = await http.send(request, auth=self._auth, stream=True)
                try:
                    if response.status_code >= 400:
                        content = await read_prefix(response)
                    else:
                        content = await read_capped(response, limit, where, what)
                finally:
                    await response.aclose()
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = _translate(exc, where, what)
                if (
                    isinstance(exc, httpx.HTTPError)
                    and not isinstance(error, ConfigError)
                    and attempt < self._retry.attempts
                    and should_retry_read(failure=_failure_kind(exc))
                ):
                    await self._pause(attempt, None, None, what, error)
                    continue
                raise error from exc
            if response.status_code >= 400:
                error = self._explained(_status_error(response, content, what, self._secrets()))
                if attempt < self._retry.attempts and should_retry_read(
                    status=response.status_code
                ):
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    await self._pause(attempt, response.status_code, retry_after, what, error)
                    continue
                raise error
            try:
                return decode_json(content)
            except ValueError as exc:
                raise ApiError(
                    f"Orchestrate at {where} answered {what} with something that is not JSON.",
                    "Check that WXO_URL points at the Orchestrate API, not a web page.",
                ) from exc

    async def _pause(
        self,
        attempt: int,
        status: int | None,
        retry_after: float | None,
        what: str,
        error: WxoError,
    ) -> None:
        delay = retry_delay(attempt, status=status, retry_after=retry_after, policy=self._retry)
        logger.info(
            "Retrying %s in %.1f s (attempt %d): %s", what, delay, attempt + 1, error.message
        )
        await self._sleep(delay)

    async def list_agents(self, *, include_hidden: bool = False) -> list[Agent]:
        """Visible agents, plus hidden ones named exactly in WXO_AGENTS (`settings.agents`).

        WXO_AGENTS pattern filtering itself is `select_agents`, applied by the caller.
        `include_hidden=True` returns every hidden agent too (for `wxo-mcp agents` to say why
        it is left out).
        """
        endpoints = self._require_endpoints()
        body = await self._get_json(
            endpoints.agents,
            "listing agents",
            params={"include_hidden": "true"},
            limit=AGENT_LIST_BODY,
        )
        items = body.get("data") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise ApiError(
                "Orchestrate's agent list has an unexpected shape.",
                "Check WXO_URL and WXO_DEPLOYMENT.",
            )
        named = explicit_names(self._settings.agents)
        agents: list[Agent] = []
        for item in items:
            agent = Agent.from_wire(item) if isinstance(item, dict) else None
            if agent is not None and (include_hidden or not agent.hidden or agent.name in named):
                agents.append(agent)
        return agents

    async def get_run(self, run_id: str) -> dict[str, Any]:
        """The run object of `GET /runs/{run_id}`, as Orchestrate returns it."""
        url = self._require_endpoints().run(run_id)
        body = await self._get_json(url, f"reading run {run_id}")
        if not isinstance(body, dict):
            raise ApiError(f"Orchestrate's answer for run {run_id} is not an object.")
        return body

    async def list_runs(self, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """`GET /runs?limit=&offset=`: `{total, limit, offset, data}`."""
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise InvalidArgument(f"limit must be between 1 and 1000; got {limit!r}.")
        if not isinstance(offset, int) or offset < 0:
            raise InvalidArgument(f"offset must be 0 or more; got {offset!r}.")
        endpoints = self._require_endpoints()
        body = await self._get_json(
            endpoints.runs, "listing runs", params={"limit": limit, "offset": offset}
        )
        if isinstance(body, list):  # tolerate an unwrapped list
            return {"total": len(body), "limit": limit, "offset": offset, "data": body}
        if not isinstance(body, dict):
            raise ApiError("Orchestrate's run list has an unexpected shape.")
        return body

    async def thread_messages(self, thread_id: str) -> list[dict[str, Any]]:
        """A thread's messages, oldest first (a plain list, or `{"data": [...]}`)."""
        url = self._require_endpoints().thread_messages(thread_id)
        body = await self._get_json(url, f"reading thread {thread_id}")
        items = body.get("data") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise ApiError(
                f"Orchestrate's messages of thread {thread_id} have an unexpected shape."
            )
        return [m for m in items if isinstance(m, dict)]

    # -- runs --------------------------------------------------------------------------------

    @asynccontextmanager
    async def stream_run(
        self,
        agent_id: str,
        message: str,
        thread_id: str | None = None,
        environment_id: str | None = None,
    ) -> AsyncIterator[RunStream]:
        """Create a run with `?stream=true` and yield its events.

        Leaving the block closes the HTTP response at once, also on cancellation. Errors before
        the stream starts are ApiError subclasses; errors while reading it are StreamError.
        """
        if not isinstance(agent_id, str) or not agent_id.strip():
            raise InvalidArgument("agent_id is empty.", "Pass the agent's id (a UUID).")
        if not isinstance(message, str) or not message.strip():
            raise InvalidArgument("The message is empty.", "Send some text to the agent.")
        body: dict[str, Any] = {
            "message": {"role": "user", "content": message},
            "agent_id": agent_id,
            "capture_logs": False,
        }
        if thread_id is not None:
            body["thread_id"] = validate_id(thread_id, "thread_id")
        if environment_id:
            body["environment_id"] = environment_id
        response = await self._create_run(body)
        stream = RunStream(
            response,
            self.base_url,
            self._max_line_bytes,
            max_bytes=self._max_stream_bytes,
            secrets=self._secrets(),
        )
        try:
            yield stream
        finally:
            await stream.aclose()

    async def _create_run(self, body: dict[str, Any]) -> httpx.Response:
        """POST the run; re-sent only after a connect failure or a 429 (see retry.py)."""
        url = self._require_endpoints().runs
        http = await self._client(run_start=True)
        where = self.base_url
        what = "starting a run"
        attempt = 0
        while True:
            attempt += 1
            try:
                request = http.build_request(
                    "POST",
                    url,
                    params={"stream": "true"},
                    json=body,
                    headers={"Accept": "text/event-stream, application/x-ndjson, application/json"},
                )
                response = await http.send(request, auth=self._auth, stream=True)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = _translate(exc, where, what)
                if (
                    isinstance(exc, httpx.HTTPError)
                    and attempt < self._retry.attempts
                    and should_retry_create_run(failure=_failure_kind(exc))
                    and not isinstance(error, ConfigError)
                ):
                    await self._pause(attempt, None, None, what, error)
                    continue
                raise error from exc
            if response.status_code < 300 and _is_stream(response):
                return response
            if response.status_code < 400:
                await response.aclose()
                raise _not_a_stream(response, where)
            try:
                content = await read_prefix(response)
            except httpx.HTTPError as exc:
                raise _translate(exc, where, what) from exc
            finally:
                await response.aclose()
            error = self._explained(_status_error(response, content, what, self._secrets()))
            if attempt < self._retry.attempts and should_retry_create_run(
                status=response.status_code
            ):
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                await self._pause(attempt, response.status_code, retry_after, what, error)
                continue
            raise error
