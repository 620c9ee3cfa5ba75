"""A tasks-declaring MCP client for tests: the SDK's ``ClientExtension`` + ``ResultClaim``.

``TasksClient`` advertises ``io.modelcontextprotocol/tasks`` and claims ``resultType: "task"`` on
``tools/call``; its resolver polls ``tasks/get`` (``pollIntervalMs`` apart) until the task ends,
answering ``input_required`` rounds through ``tasks/update`` with ``answer``. It records what it
saw, so tests can check the wire shapes. ``get_task``/``update_task``/``cancel_task`` send the
three methods over any session (with the ``Mcp-Name`` header over HTTP, from ``name_param``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

import anyio
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.session import ClientSession
from mcp.types import CallToolResult, RequestParams, Result
from mcp_types import Request
from pydantic import ConfigDict, Field

TASKS = "io.modelcontextprotocol/tasks"


class _Task(Result):
    """The fields every task shape carries."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    task_id: str = Field(alias="taskId")
    status: str
    status_message: str | None = Field(default=None, alias="statusMessage")
    created_at: str = Field(alias="createdAt")
    last_updated_at: str = Field(alias="lastUpdatedAt")
    ttl_ms: int | None = Field(alias="ttlMs")
    poll_interval_ms: int | None = Field(default=None, alias="pollIntervalMs")


class CreateTaskResult(_Task):
    result_type: Literal["task"] = Field(alias="resultType")


class TaskState(_Task):
    """A ``tasks/get`` answer (``DetailedTask``)."""

    result_type: str | None = Field(default=None, alias="resultType")
    result: dict[str, Any] | None = None
    input_requests: dict[str, Any] | None = Field(default=None, alias="inputRequests")


class Ack(Result):
    model_config = ConfigDict(extra="allow")

    result_type: str | None = Field(default=None, alias="resultType")


class TaskIdParams(RequestParams):
    task_id: str = Field(alias="taskId")


class UpdateParams(TaskIdParams):
    input_responses: dict[str, Any] = Field(alias="inputResponses")


class GetTask(Request[TaskIdParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    params: TaskIdParams
    name_param: ClassVar[str | None] = "taskId"


class UpdateTask(Request[UpdateParams, Literal["tasks/update"]]):
    method: Literal["tasks/update"] = "tasks/update"
    params: UpdateParams
    name_param: ClassVar[str | None] = "taskId"


class CancelTask(Request[TaskIdParams, Literal["tasks/cancel"]]):
    method: Literal["tasks/cancel"] = "tasks/cancel"
    params: TaskIdParams
    name_param: ClassVar[str | None] = "taskId"


async def get_task(session: ClientSession, task_id: str) -> TaskState:
    return await session.send_request(GetTask(params=TaskIdParams(taskId=task_id)), TaskState)


async def update_task(session: ClientSession, task_id: str, responses: dict[str, Any]) -> Ack:
    request = UpdateTask(params=UpdateParams(taskId=task_id, inputResponses=responses))
    return await session.send_request(request, Ack)


async def cancel_task(session: ClientSession, task_id: str) -> Ack:
    return await session.send_request(CancelTask(params=TaskIdParams(taskId=task_id)), Ack)


Answer = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


async def pick_first(key: str, request: dict[str, Any]) -> dict[str, Any]:
    """Accept the first option an elicitation offers."""
    schema = request["params"]["requestedSchema"]
    field, spec = next(iter(schema["properties"].items()))
    return {"action": "accept", "content": {field: spec["oneOf"][0]["const"]}}


class TasksClient(ClientExtension):
    identifier = TASKS

    def __init__(self, answer: Answer = pick_first) -> None:
        self.answer = answer
        self.created: list[CreateTaskResult] = []
        self.polls: list[TaskState] = []
        self.created_after: list[float] = []  # seconds from the call to the task
        self._started = 0.0

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreateTaskResult, resolve=self._resolve)]

    def mark(self) -> None:
        self._started = time.monotonic()

    async def _resolve(self, created: CreateTaskResult, ctx: ClaimContext) -> CallToolResult:
        self.created_after.append(time.monotonic() - self._started)
        self.created.append(created)
        answered: set[str] = set()
        with anyio.fail_after(60):
            while True:
                state = await get_task(ctx.session, created.task_id)
                self.polls.append(state)
                if state.status == "completed":
                    assert state.result is not None
                    return CallToolResult.model_validate(state.result)
                if state.status in ("cancelled", "failed"):
                    raise RuntimeError(f"task {state.status}: {state.status_message}")
                if state.status == "input_required":
                    pending = {
                        k: v for k, v in (state.input_requests or {}).items() if k not in answered
                    }
                    responses = {k: await self.answer(k, v) for k, v in pending.items()}
                    answered.update(responses)
                    if responses:
                        await update_task(ctx.session, created.task_id, responses)
                        continue
                await anyio.sleep((state.poll_interval_ms or 1000) / 1000)
