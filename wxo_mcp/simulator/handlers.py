"""Handlers of the Orchestrate resources; one function per route of :mod:`.routing`.

Handlers only see a request that routing and auth already accepted; they answer as the runtime does
(FastAPI ``{"detail": ...}`` errors, plain arrays for lists, 201 + ``Location`` for a new thread).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from . import agents, errors, knowledge, payloads, routing, runner, validation
from .relay import RunStreamResponse
from .state import SimulatorState
from .store import RunRecord, page

Handler = Callable[[Request, SimulatorState, dict[str, str]], Awaitable[Response | ASGIApp]]

DEFAULT_RUNS_LIMIT = (
    20  # undocumented default; the docs only give the bounds (limit >= 1, offset >= 0)
)


async def list_agents(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    query = request.query_params
    chosen = agents.select(
        state.agents,
        include_hidden=validation.query_bool(query.get("include_hidden")),
        names=query.getlist("names"),
        ids=query.getlist("ids"),
    )
    # A plain array, no pagination envelope (§3). include=global and workspace_id are accepted and
    # ignored: the simulator has a single workspace.
    return JSONResponse([agent.to_json() for agent in chosen])


async def get_agent(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    agent = state.agents_by_id.get(params["agent_id"])
    if agent is None:
        return errors.not_found(f"Agent with id '{params['agent_id']}' not found")
    return JSONResponse(agent.to_json())


async def list_tools(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    """``GET …/tools?ids=…``: what the ADK calls to turn an agent's tool ids into names (§3)."""
    wanted = request.query_params.getlist("ids")
    tools = agents.tool_catalogue(state.agents)
    return JSONResponse([tool for tool in tools if not wanted or tool["id"] in wanted])


async def empty_list(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    """External and assistant agents: the simulator has none."""
    return JSONResponse([])


async def create_run(
    request: Request, state: SimulatorState, params: dict[str, str]
) -> Response | ASGIApp:
    stream = validation.query_bool(request.query_params.get("stream"))
    return await _start_run(request, state, stream=stream)


async def stream_run(
    request: Request, state: SimulatorState, params: dict[str, str]
) -> Response | ASGIApp:
    return await _start_run(request, state, stream=True)


async def _start_run(
    request: Request, state: SimulatorState, *, stream: bool
) -> Response | ASGIApp:
    try:
        run_request = validation.run_request(validation.parse_json_body(await request.body()))
    except validation.Invalid as invalid:
        return errors.validation(invalid.errors)
    agent = state.agents_by_id.get(run_request.agent_id)
    if agent is None:
        return errors.not_found(f"Agent with id '{run_request.agent_id}' not found")
    environment_id = run_request.body.get("environment_id")
    if environment_id and environment_id not in {
        agent.environment_id(e) for e in agent.environments
    }:
        return errors.gateway("agent_not_deployed")  # §9: WXO-PROXY-11112E
    store = state.store
    if run_request.thread_id is None:
        thread = store.create_thread(title=run_request.text[:60] or None, agent_id=agent.id)
    else:
        found = store.threads.get(run_request.thread_id)
        if found is None:
            return errors.not_found(f"Thread with id '{run_request.thread_id}' not found")
        thread = found
    user_message = payloads.user_message(
        message_id=payloads.new_id(), thread_id=thread.id, content=run_request.content
    )
    thread.messages.append(user_message)
    record = RunRecord(
        run=payloads.run_object(
            run_id=payloads.new_id(), thread_id=thread.id, body=run_request.body
        ),
        agent=agent,
        user_message_id=user_message["id"],
        task_id=payloads.new_id(),
        user_text=run_request.text,
    )
    store.add_run(record)
    context = run_request.body.get("context") or {}
    state.spawn(runner.execute, record, thread, thread.user_turns(), context, state.options)
    if stream:
        return RunStreamResponse(
            record,
            state.faults.take_stream(),
            state.stream_closed,
            state.shutting_down,
            forget=store.forget_run,
        )
    created = payloads.load("run_created.json")
    created.update(
        thread_id=thread.id,
        run_id=record.id,
        task_id=record.task_id,
        message_id=record.user_message_id,
    )
    return JSONResponse(created)


async def get_run(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    record = state.store.runs.get(params["run_id"])
    if record is None:
        return errors.not_found(f"Run with id '{params['run_id']}' not found")
    return JSONResponse(record.run)


async def list_runs(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    try:
        limit, offset = validation.page_bounds(request.query_params, DEFAULT_RUNS_LIMIT)
    except validation.Invalid as invalid:
        return errors.validation(invalid.errors)
    return JSONResponse(state.store.page_of_runs(limit=limit, offset=offset))


async def create_thread(
    request: Request, state: SimulatorState, params: dict[str, str]
) -> Response:
    try:
        title, agent_id = validation.thread_request(
            validation.parse_json_body(await request.body(), required=False)
        )
    except validation.Invalid as invalid:
        return errors.validation(invalid.errors)
    thread = state.store.create_thread(title=title, agent_id=agent_id)
    return JSONResponse(
        {"thread_id": thread.id}, status_code=201, headers={"Location": f"/threads/{thread.id}"}
    )


async def list_threads(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    """``GET /threads?agent_id=&limit=&offset=``, newest first (§7.1).

    Locally a plain array: the ADK slices it and reads ``thread["id"]`` (``ai_builder_controller``
    on the Developer Edition). Remotely the documented ``{"data", "total", "limit", "offset"}``.
    """
    query = request.query_params
    try:
        limit, offset = validation.page_bounds(query, DEFAULT_RUNS_LIMIT)
    except validation.Invalid as invalid:
        return errors.validation(invalid.errors)
    threads = page(
        state.store.threads_newest_first(query.get("agent_id") or None), limit=limit, offset=offset
    )
    if not routing.is_instance_path(request.url.path):
        return JSONResponse(threads["data"])
    return JSONResponse(threads)


async def get_thread(request: Request, state: SimulatorState, params: dict[str, str]) -> Response:
    thread = state.store.threads.get(params["thread_id"])
    if thread is None:
        return errors.not_found(f"Thread with id '{params['thread_id']}' not found")
    return JSONResponse(thread.thread)


async def thread_messages(
    request: Request, state: SimulatorState, params: dict[str, str]
) -> Response:
    thread = state.store.threads.get(params["thread_id"])
    if thread is None:
        return errors.not_found(f"Thread with id '{params['thread_id']}' not found")
    return JSONResponse(thread.messages)  # a plain array, oldest first (§7.1)


HANDLERS: dict[str, Handler] = {
    "list_agents": list_agents,
    "external_agents": empty_list,
    "assistant_agents": empty_list,
    "get_agent": get_agent,
    "list_tools": list_tools,
    "create_run": create_run,
    "list_runs": list_runs,
    "stream_run": stream_run,
    "get_run": get_run,
    "list_knowledge_bases": knowledge.list_knowledge_bases,
    "get_knowledge_base": knowledge.get_knowledge_base,
    "create_thread": create_thread,
    "list_threads": list_threads,
    "get_thread": get_thread,
    "thread_messages": thread_messages,
}
