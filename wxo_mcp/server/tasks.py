"""The MCP face of agent runs as tasks: the ``io.modelcontextprotocol/tasks`` extension.

Built on the SDK's own extension hooks (``mcp.server.extension``): ``tasks/get``,
``tasks/update`` and ``tasks/cancel`` as method bindings of the 2026-07-28 wire, and a
``tools/call`` interceptor that offers a task only when the request itself declares the
extension (a legacy ``params.task`` is ignored). The logic is the bridge's (``bridge/tasks.py``);
this module only translates: who the caller is, and which JSON-RPC error a refusal is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver.server import require_client_extension
from mcp.server.models import InitializationOptions
from mcp.shared.exceptions import MCPError
from mcp.shared.inbound import decode_header_value
from mcp.types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    RequestParams,
    ServerTasksCapability,
    ServerTasksRequestsCapability,
    TasksCallCapability,
    TasksCancelCapability,
    TasksToolsCapability,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from wxo_mcp.bridge.tasks import TASKS_EXTENSION, TaskBook, TaskNotFound

__all__ = ["TasksExtension", "advertise_legacy_tasks"]

_MODERN = frozenset(MODERN_PROTOCOL_VERSIONS)
#: The version whose core has tasks (``params.task``, ``tasks/get``, ``tasks/result``).
_LEGACY = LEGACY_TASK_VERSIONS = frozenset({"2025-11-25"})


class TaskParams(RequestParams):
    task_id: str = Field(alias="taskId", max_length=4096)


class UpdateTaskParams(TaskParams):
    input_responses: dict[str, Any] = Field(alias="inputResponses", default_factory=dict)


class TasksExtension(Extension):
    """Tasks for agent calls; ``book`` is None while the server is not running."""

    identifier = TASKS_EXTENSION

    def __init__(self, book: Callable[[], TaskBook | None]) -> None:
        self._book = book

    def methods(self) -> list[MethodBinding]:
        return [
            MethodBinding("tasks/get", TaskParams, self._get),
            MethodBinding("tasks/update", UpdateTaskParams, self._update, _MODERN),
            MethodBinding("tasks/cancel", TaskParams, self._cancel),
            MethodBinding("tasks/result", TaskParams, self._result, _LEGACY),
        ]

    async def legacy_task_call(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Middleware: a 2025-11-25 ``tools/call`` carrying ``params.task`` gets a task.

        It answers from the middleware because the SDK shapes a handler's result to the legacy
        ``CallToolResult`` surface, which has no ``task``; a middleware owns its result.
        """
        params = ctx.params
        book = self._book()
        if (
            book is None
            or ctx.method != "tools/call"
            or ctx.protocol_version not in _LEGACY
            or not isinstance(params, Mapping)
            or not isinstance(params.get("task"), Mapping)
            or not isinstance(params.get("name"), str)
        ):
            return await call_next(ctx)
        arguments = params.get("arguments")
        outcome = await book.start(
            params["name"],
            arguments if isinstance(arguments, Mapping) else None,
            _caller(ctx),
            after=None,
        )
        if outcome is None:
            return await call_next(ctx)  # not a tool that runs an agent: as usual
        if isinstance(outcome, dict):
            return {"task": _legacy_task(outcome)}
        # Refused or never started: the usual result, not a second attempt.
        return outcome.model_dump(by_alias=True, mode="json", exclude_none=True)

    async def intercept_tool_call(
        self,
        params: CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> HandlerResult:
        book = self._book()
        if book is None or not _declares(ctx):
            return await call_next(ctx)
        outcome = await book.start(params.name, params.arguments, _caller(ctx))
        return await call_next(ctx) if outcome is None else outcome

    async def _get(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> HandlerResult:
        book = _checked(self._book(), ctx, params)
        legacy = ctx.protocol_version in _LEGACY
        try:
            state = await book.get(params.task_id, _caller(ctx), asking=not legacy)
        except TaskNotFound:
            raise _not_found() from None
        return _legacy_task(state) if legacy else state

    async def _result(
        self, ctx: ServerRequestContext[Any, Any], params: TaskParams
    ) -> HandlerResult:
        book = _checked(self._book(), ctx, params)
        try:
            result = await book.outcome(params.task_id, _caller(ctx))
        except TaskNotFound:
            raise _not_found() from None
        related = {"io.modelcontextprotocol/related-task": {"taskId": params.task_id}}
        return {**result, "_meta": {**result.get("_meta", {}), **related}}

    async def _update(
        self, ctx: ServerRequestContext[Any, Any], params: UpdateTaskParams
    ) -> HandlerResult:
        book = _checked(self._book(), ctx, params)
        try:
            await book.update(params.task_id, _caller(ctx), params.input_responses)
        except TaskNotFound:
            raise _not_found() from None
        return {}

    async def _cancel(
        self, ctx: ServerRequestContext[Any, Any], params: TaskParams
    ) -> HandlerResult:
        book = _checked(self._book(), ctx, params)
        try:
            await book.cancel(params.task_id, _caller(ctx))
            if ctx.protocol_version in _LEGACY:  # 2025-11-25 answers with the task
                return _legacy_task(await book.get(params.task_id, _caller(ctx), asking=False))
        except TaskNotFound:
            raise _not_found() from None
        return {}


def _legacy_task(state: Mapping[str, Any]) -> dict[str, Any]:
    """A task in the 2025-11-25 shape: ``ttl``/``pollInterval``, nothing inlined."""
    task = {
        key: state[key]
        for key in ("taskId", "status", "statusMessage", "createdAt", "lastUpdatedAt")
        if key in state
    }
    return {**task, "ttl": state.get("ttlMs"), "pollInterval": state.get("pollIntervalMs")}


def advertise_legacy_tasks(options: InitializationOptions) -> InitializationOptions:
    """Tell 2025-11-25 clients (VS Code) that tools/call can run as a task, and be cancelled."""
    options.capabilities.tasks = ServerTasksCapability(
        cancel=TasksCancelCapability(),
        requests=ServerTasksRequestsCapability(
            tools=TasksToolsCapability(call=TasksCallCapability())
        ),
    )
    return options


def _declares(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this very request declared the extension (2026-07-28 wire only)."""
    if ctx.protocol_version not in _MODERN:
        return False
    capabilities = ctx.session.client_capabilities
    return bool(
        capabilities and capabilities.extensions and TASKS_EXTENSION in capabilities.extensions
    )


def _checked(
    book: TaskBook | None, ctx: ServerRequestContext[Any, Any], params: TaskParams
) -> TaskBook:
    """-32021 for a client that did not declare the extension; the routing header must agree."""
    if ctx.protocol_version not in _LEGACY:
        require_client_extension(ctx, TASKS_EXTENSION)
    if book is None:
        raise _not_found()
    request = ctx.request
    headers = getattr(request, "headers", None)
    named = headers.get("mcp-name") if headers is not None else None
    if named is not None and decode_header_value(named) != params.task_id:
        raise MCPError(code=INVALID_PARAMS, message="The Mcp-Name header is not this taskId.")
    return book


def _caller(ctx: ServerRequestContext[Any, Any]) -> str:
    """Whom a task belongs to: over HTTP, a digest of the bearer token the caller presented."""
    headers = getattr(ctx.request, "headers", None)
    authorization = headers.get("authorization") if headers is not None else None
    if not authorization:
        return ""
    return hashlib.sha256(authorization.encode()).hexdigest()


def _not_found() -> MCPError:
    return MCPError(code=INVALID_PARAMS, message="Failed to retrieve task: Task not found")
