"""OrchestrateClient: the one place that speaks HTTP to Orchestrate.

Callers see only the `wxo_mcp.errors` tree: every httpx exception is translated
(`translate.py`), also while a run stream (`run_stream.py`) is being read. Connections come from
sharded pools (`pools.py`). Reads are retried per `retry.py`; run creation only when the server
surely started nothing.

"httpx" here is `httpx2` (Pydantic's continuation of httpx, same API), the stack the MCP SDK
already loads: one HTTP library per process, and less CPU per request (measured in bench/).
The token exchanges (auth/) import it under the same name.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio
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
from wxo_mcp.api.ndjson import DEFAULT_MAX_LINE_BYTES
from wxo_mcp.api.paths import Endpoints, validate_id
from wxo_mcp.api.pools import ConnectionPools
from wxo_mcp.api.retry import (
    DEFAULT_RETRY,
    Failure,
    RetryPolicy,
    parse_retry_after,
    retry_delay,
    should_retry_create_run,
    should_retry_read,
)
from wxo_mcp.api.run_control import RunControl
from wxo_mcp.api.run_stream import RunStream
from wxo_mcp.api.translate import failure_kind, is_stream, not_a_stream, status_error, translate
from wxo_mcp.auth import TokenProvider
from wxo_mcp.config import Settings
from wxo_mcp.errors import (
    ApiError,
    ApiStatusError,
    ConfigError,
    InvalidArgument,
    Unauthorized,
    WxoError,
)

__all__ = ["OrchestrateClient"]

logger = logging.getLogger(__name__)


class ShouldRetry(Protocol):
    """`should_retry_read` or `should_retry_create_run`: may this exchange be sent again?"""

    def __call__(self, status: int | None = None, failure: Failure | None = None) -> bool: ...


class OrchestrateClient(RunControl):
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
        self._pools = ConnectionPools(
            settings,
            httpx.Timeout(connect=connect_timeout, read=read_timeout, write=30.0, pool=10.0),
        )
        self._retry = retry
        self._max_line_bytes = max_line_bytes
        self._max_stream_bytes = (
            max_stream_bytes if max_stream_bytes is not None else settings.max_stream_mb * MiB
        )
        self._sleep = sleep
        deployment = settings.resolved_deployment
        self._endpoints = (
            Endpoints.for_url(settings.url, deployment)
            if settings.url is not None and deployment is not None
            else None
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> OrchestrateClient:
        await self._pools.get()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._pools.aclose()

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
        method: str = "GET",
    ) -> Any:
        """GET (or another idempotent ``method``) with the read retry policy; the decoded JSON
        body, read up to ``limit`` bytes."""
        http = await self._pools.get()
        where = self.base_url
        attempt = 0
        while True:
            attempt += 1
            try:
                request = http.build_request(
                    method, url, params=params, headers={"Accept": "application/json"}
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
                error = translate(exc, where, what)
                if await self._retry_failure(exc, error, attempt, what, should_retry_read):
                    continue
                raise error from exc
            if response.status_code >= 400:
                error = self._refusal(response, content, what)
                if await self._retry_refusal(response, error, attempt, what, should_retry_read):
                    continue
                raise error
            try:
                return decode_json(content)
            except ValueError as exc:
                raise ApiError(
                    f"Orchestrate at {where} answered {what} with something that is not JSON.",
                    "Check that WXO_URL points at the Orchestrate API, not a web page.",
                ) from exc

    def _refusal(self, response: httpx.Response, content: bytes, what: str) -> ApiStatusError:
        """The error for an HTTP error status, with the provider's advice for a 401."""
        return self._explained(status_error(response, content, what, self._secrets()))

    async def _retry_failure(
        self,
        exc: httpx.HTTPError | httpx.InvalidURL,
        error: WxoError,
        attempt: int,
        what: str,
        should_retry: ShouldRetry,
    ) -> bool:
        """Whether to send again after a failed exchange (having paused if so)."""
        if (
            not isinstance(exc, httpx.HTTPError)
            or isinstance(error, ConfigError)
            or attempt >= self._retry.attempts
            or not should_retry(failure=failure_kind(exc))
        ):
            return False
        await self._pause(attempt, None, None, what, error)
        return True

    async def _retry_refusal(
        self,
        response: httpx.Response,
        error: WxoError,
        attempt: int,
        what: str,
        should_retry: ShouldRetry,
    ) -> bool:
        """Whether to send again after an HTTP error status (having paused if so)."""
        status = response.status_code
        if attempt >= self._retry.attempts or not should_retry(status=status):
            return False
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        await self._pause(attempt, status, retry_after, what, error)
        return True

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
        http = await self._pools.get(run_start=True)
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
                error = translate(exc, where, what)
                if await self._retry_failure(exc, error, attempt, what, should_retry_create_run):
                    continue
                raise error from exc
            if response.status_code < 300 and is_stream(response):
                return response
            if response.status_code < 400:
                await response.aclose()
                raise not_a_stream(response, where)
            try:
                content = await read_prefix(response)
            except httpx.HTTPError as exc:
                raise translate(exc, where, what) from exc
            finally:
                await response.aclose()
            error = self._refusal(response, content, what)
            if await self._retry_refusal(response, error, attempt, what, should_retry_create_run):
                continue
            raise error
