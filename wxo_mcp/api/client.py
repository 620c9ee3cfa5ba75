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
#: Error bodies are read up to this size: enough for any JSON error, bounded for HTML pages.
MAX_ERROR_BODY = 64 * 1024
#: Runs (streams) and reads in flight at once, and idle connections kept for the next burst.
MAX_CONNECTIONS = 1000
MAX_KEEPALIVE = 100
#: httpcore's pool walks all its connections whenever a request starts or ends, so with many runs
#: in flight its cost grows with their square (0.28 s of CPU for a burst of 100 runs). Several
#: independent pools, used in turn, keep each walk short.
POOL_SHARDS = 8


# ---------------------------------------------------------------------------------------------
# the httpx boundary


def _failure_kind(exc: httpx.HTTPError) -> Failure:
    """connect: nothing was sent; timeout: no answer in time; network: the connection broke."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
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


async def _read_bounded(response: httpx.Response) -> bytes:
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= MAX_ERROR_BODY:
            break
    return bytes(data[:MAX_ERROR_BODY])


# ---------------------------------------------------------------------------------------------
# the run stream


class RunStream:
    """The events of one streamed run, as an async iterator that owns its HTTP response.

    Raises StreamError (with `events` received so far) if the connection breaks, stalls past
    the read timeout, or ends before a terminal event. Closed by `stream_run`'s block.
    """

    def __init__(
        self, response: httpx.Response, where: str, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    ) -> None:
        self._response = response
        self._where = where
        self._chunks = response.aiter_bytes()
        self._decoder = NDJSONDecoder(max_line_bytes)
        self._pending: deque[RunEvent] = deque()
        self._exhausted = False
        self._terminal = False
        #: Every event handed out so far, in order.
        self.received: list[RunEvent] = []
        self.run_id: str | None = None
        self.thread_id: str | None = None

    def __aiter__(self) -> RunStream:
        return self

    def _queue(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            event = RunEvent.from_wire(obj)
            if event is None:
                continue
            self._terminal = self._terminal or event.is_terminal
            data = event.data
            if self.run_id is None and isinstance(data.get("run_id"), str):
                self.run_id = data["run_id"]
            if self.thread_id is None and isinstance(data.get("thread_id"), str):
                self.thread_id = data["thread_id"]
            self._pending.append(event)

    def _broken(self, reason: str, *, stalled: bool = False) -> StreamError:
        run = f" (run {self.run_id})" if self.run_id else ""
        hint = (
            f"The run may still finish: read it later with get_run {self.run_id}."
            if self.run_id
            else "Try again."
        )
        return StreamError(
            f"The run stream from {self._where}{run} {reason} after {len(self.received)} events.",
            hint,
            events=self.received,
            run_id=self.run_id,
            thread_id=self.thread_id,
            stalled=stalled,
        )

    async def __anext__(self) -> RunEvent:
        while not self._pending:
            if self._exhausted:
                raise StopAsyncIteration
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._exhausted = True
                self._queue(self._decoder.flush())
                if not self._pending and not self._terminal:
                    raise self._broken("ended before the run finished") from None
                continue
            except httpx.TimeoutException as exc:
                self._exhausted = True
                raise self._broken("went silent", stalled=True) from exc
            except httpx.HTTPError as exc:
                self._exhausted = True
                raise self._broken(f"broke ({redact(str(exc)) or type(exc).__name__})") from exc
            self._queue(self._decoder.feed(chunk))
        event = self._pending.popleft()
        self.received.append(event)
        return event

    async def aclose(self) -> None:
        """Close the response now (also when cancelled: the close is shielded, and brief)."""
        self._exhausted = True
        with anyio.move_on_after(5, shield=True):
            try:
                await self._response.aclose()
            except httpx.HTTPError as exc:
                logger.debug("Ignored an error while closing a run stream: %s", exc)


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
        return tuple(self._build_pool(verify) for _ in range(POOL_SHARDS))

    def _build_pool(self, verify: ssl.SSLContext) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._timeout,
            # Each streamed run holds a connection for its whole length, so this bounds the
            # runs in flight: one call more waits for the pool, and fails after its timeout.
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS // POOL_SHARDS,
                max_keepalive_connections=MAX_KEEPALIVE // POOL_SHARDS,
                keepalive_expiry=30.0,
            ),
            verify=verify,
            follow_redirects=False,  # never carry the bearer token to another host
            headers={"User-Agent": USER_AGENT},
            trust_env=True,
        )

    async def _client(self) -> httpx.AsyncClient:
        if self._closed:
            raise RuntimeError("This OrchestrateClient is closed; create a new one.")
        if self._http is None:
            async with self._lock:
                if self._http is None:
                    self._http = await anyio.to_thread.run_sync(self._build_http)
        self._turn = (self._turn + 1) % len(self._http)
        return self._http[self._turn]

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
        self, url: str, what: str, params: Mapping[str, str | int] | None = None
    ) -> Any:
        """GET with the read retry policy; the decoded JSON body."""
        http = await self._client()
        where = self.base_url
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await http.get(
                    url, params=params, auth=self._auth, headers={"Accept": "application/json"}
                )
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
                error = self._explained(
                    _status_error(response, response.content, what, self._secrets())
                )
                if attempt < self._retry.attempts and should_retry_read(
                    status=response.status_code
                ):
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    await self._pause(attempt, response.status_code, retry_after, what, error)
                    continue
                raise error
            try:
                return response.json()
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
            endpoints.agents, "listing agents", params={"include_hidden": "true"}
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
        stream = RunStream(response, self.base_url, self._max_line_bytes)
        try:
            yield stream
        finally:
            await stream.aclose()

    async def _create_run(self, body: dict[str, Any]) -> httpx.Response:
        """POST the run; re-sent only after a connect failure or a 429 (see retry.py)."""
        url = self._require_endpoints().runs
        http = await self._client()
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
            if response.status_code < 400:
                return response
            try:
                content = await _read_bounded(response)
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
