"""Runs and threads: creation, polling, listing, validation errors, conversation history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from wxo_mcp.simulator import Simulator

from .helpers import client, run_body, stream, wait_for_status

RUN_FIELDS = {
    "id", "tenant_id", "assistant_id", "thread_id", "status", "created_at", "started_at",
    "completed_at", "failed_at", "cancelled_at", "llm_params", "usage", "last_error", "result",
    "guardrails", "agent_id", "additional_parameters", "trace_id",
}  # fmt: skip
MESSAGE_FIELDS = {
    "id", "tenant_id", "created_by", "created_by_username", "created_on", "updated_at", "thread_id",
    "assistant", "parent_message_id", "role", "content", "mentions", "document_ids",
    "additional_properties", "context", "step_history", "message_state",
}  # fmt: skip


def test_non_stream_create_returns_ids_then_the_run_completes(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("echo_agent")
    with client(simulator) as http:
        created = http.post("/v1/orchestrate/runs", json=run_body(agent_id, "hello"))
        assert created.status_code == 200
        ids = created.json()
        assert set(ids) == {"thread_id", "run_id", "task_id", "message_id"}
        assert all(uuid.UUID(v) for v in ids.values())
        run = wait_for_status(http, f"/v1/orchestrate/runs/{ids['run_id']}", {"completed"})
        messages = http.get(f"/v1/threads/{ids['thread_id']}/messages").json()
    assert set(run) >= RUN_FIELDS
    assert run["id"] == ids["run_id"]
    assert run["thread_id"] == ids["thread_id"]
    assert run["started_at"]
    assert run["completed_at"]
    assert run["created_at"]
    assert run["failed_at"] is None
    assert run["last_error"] is None
    result = run["result"]
    assert result["type"] == "message_created"
    data = result["data"]
    assert set(data) == {
        "message",
        "message_id",
        "target_run_id",
        "correlation_id",
        "flowinstance_id",
    }
    assert data["message"]["content"][0]["text"] == "Echo (turn 1): hello"
    assert data["message_id"] == data["message"]["id"]
    # message_id of the create response is the user's message; the answer points back to it.
    assert data["message"]["parent_message_id"] == ids["message_id"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["id"] == ids["message_id"]
    assert messages[1] == data["message"]


def test_status_moves_pending_running_completed(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("slow_agent")
    seen: list[str] = []
    with client(simulator) as http:
        run_id = http.post("/v1/orchestrate/runs", json=run_body(agent_id, "seconds=0.3")).json()[
            "run_id"
        ]
        path = f"/v1/orchestrate/runs/{run_id}"
        seen.append(http.get(path).json()["status"])
        wait_for_status(http, path, {"running"})
        seen.append("running")
        final = wait_for_status(http, path, {"completed", "failed"})
    assert seen[0] in {"pending", "running"}
    assert final["status"] == "completed"
    assert "seconds" in final["result"]["data"]["message"]["content"][0]["text"]


def test_failing_agent_run_ends_failed_with_last_error(simulator: Simulator) -> None:
    with client(simulator, saas=True) as http:
        ids = http.post(
            "/v1/orchestrate/runs", json=run_body(simulator.agent_id("failing_agent"), "x")
        ).json()
        run = wait_for_status(
            http, f"/v1/orchestrate/runs/{ids['run_id']}", {"completed", "failed"}
        )
        messages = http.get(f"/v1/orchestrate/threads/{ids['thread_id']}/messages").json()
    assert run["status"] == "failed"
    assert run["failed_at"] is not None
    assert run["completed_at"] is None
    assert isinstance(run["last_error"], str)
    assert "fail" in run["last_error"]
    assert run["result"] is None
    assert [m["role"] for m in messages] == ["user"]


def test_user_messages_in_history_have_the_recorded_shape(simulator: Simulator) -> None:
    with client(simulator) as http:
        ids = http.post(
            "/api/v1/orchestrate/runs", json=run_body(simulator.agent_id("echo_agent"), "hi there")
        ).json()
        wait_for_status(http, f"/api/v1/orchestrate/runs/{ids['run_id']}", {"completed"})
        user, assistant = http.get(f"/api/v1/threads/{ids['thread_id']}/messages").json()
    assert set(user) >= MESSAGE_FIELDS
    assert set(assistant) >= MESSAGE_FIELDS
    assert user["content"] == [{"response_type": "text", "text": "hi there"}]
    assert user["additional_properties"] is None
    assert user["step_history"] is None
    assert user["parent_message_id"] is None
    assert assistant["content"] == [
        {"response_type": "text", "id": "1", "text": "Echo (turn 1): hi there"}
    ]
    assert assistant["additional_properties"]["display_properties"]["is_async"] is False
    assert assistant["step_history"] == []


def test_thread_continuation_counts_turns(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("echo_agent")
    with client(simulator) as http:
        first = stream(http, "/v1/orchestrate/runs/stream", run_body(agent_id, "one"))
        thread_id = first.first("run.started")["data"]["thread_id"]
        second = stream(
            http, "/v1/orchestrate/runs?stream=true", run_body(agent_id, "two", thread_id=thread_id)
        )
        third = stream(
            http, "/v1/orchestrate/runs/stream", run_body(agent_id, "three", thread_id=thread_id)
        )
        messages = http.get(f"/v1/threads/{thread_id}/messages").json()
        fresh = stream(http, "/v1/orchestrate/runs/stream", run_body(agent_id, "again"))

    def answer(s: Any) -> str:
        return str(s.first("message.created")["data"]["message"]["content"][0]["text"])

    assert answer(first) == "Echo (turn 1): one"
    assert answer(second) == "Echo (turn 2): two"
    assert answer(third) == "Echo (turn 3): three"
    assert second.first("run.started")["data"]["thread_id"] == thread_id
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert [m["content"][0]["text"] for m in messages[::2]] == ["one", "two", "three"]
    assert answer(fresh) == "Echo (turn 1): again"


def test_run_on_a_thread_made_by_post_threads(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("echo_agent")
    with client(simulator) as http:
        created = http.post("/api/v1/threads", json={"title": "hello", "agent_id": agent_id})
        thread_id = created.json()["thread_id"]
        assert created.headers["location"] == f"/threads/{thread_id}"
        thread = http.get(f"/api/v1/threads/{thread_id}").json()
        run = stream(
            http, "/api/v1/orchestrate/runs/stream", run_body(agent_id, "x", thread_id=thread_id)
        )
    assert thread["title"] == "hello"
    assert thread["agent_id"] == agent_id
    assert thread["status"] == "ready"
    assert {"tenant_id", "created_on", "created_by", "deleted_at"} <= set(thread)
    assert run.first("done")["data"]["thread_id"] == thread_id


def test_unknown_thread_is_404(simulator: Simulator) -> None:
    body = run_body(simulator.agent_id("echo_agent"), "x", thread_id=str(uuid.uuid4()))
    with client(simulator) as http:
        for path in ("/v1/orchestrate/runs", "/v1/orchestrate/runs/stream"):
            response = http.post(path, json=body)
            assert response.status_code == 404
            assert "not found" in response.json()["detail"]
        missing = str(uuid.uuid4())
        assert http.get(f"/v1/threads/{missing}").status_code == 404
        assert http.get(f"/v1/threads/{missing}/messages").status_code == 404
    assert simulator.runs == {}


def test_unknown_agent_is_404(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.post("/v1/orchestrate/runs", json=run_body(str(uuid.uuid4()), "x"))
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


def test_unknown_run_is_404(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.get(f"/v1/orchestrate/runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({"message": {"role": "user", "content": "x"}}, ["body", "agent_id"], "missing"),
        ({"agent_id": "a"}, ["body", "message"], "missing"),
        ({"agent_id": "a", "message": {"role": "user"}}, ["body", "message", "content"], "missing"),
        ({"agent_id": 5, "message": {"content": "x"}}, ["body", "agent_id"], "string_type"),
        ([1, 2], ["body"], "model_attributes_type"),
    ],
)
def test_invalid_bodies_are_fastapi_422s(
    simulator: Simulator, body: Any, loc: list[str], type_: str
) -> None:
    with client(simulator) as http:
        response = http.post("/v1/orchestrate/runs", json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert isinstance(errors, list)
    error = next(e for e in errors if e["loc"] == loc)
    assert error["type"] == type_
    assert isinstance(error["msg"], str)


def test_missing_agent_id_matches_fastapi_exactly(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.post(
            "/v1/orchestrate/runs", json={"message": {"role": "user", "content": "x"}}
        )
    (error,) = response.json()["detail"]
    assert {k: error[k] for k in ("loc", "msg", "type")} == {
        "loc": ["body", "agent_id"],
        "msg": "Field required",
        "type": "missing",
    }


def test_invalid_json_is_422(simulator: Simulator) -> None:
    with client(simulator) as http:
        response = http.post(
            "/v1/orchestrate/runs",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["loc"][0] == "body"


def test_extra_fields_and_content_lists_are_accepted(simulator: Simulator) -> None:
    body = {
        "message": {"role": "user", "content": [{"response_type": "text", "text": "from a list"}]},
        "agent_id": simulator.agent_id("echo_agent"),
        "environment_id": "",
        "context": {"wxo_user_name": "someone"},
        "additional_properties": {},
        "capture_logs": False,
        "llm_params": {"temperature": 0, "decoding_method": "greedy"},
        "something_new": {"nested": True},
    }
    with client(simulator) as http:
        streamed = stream(http, "/v1/orchestrate/runs/stream", body)
        run = http.get(
            f"/v1/orchestrate/runs/{streamed.first('run.started')['data']['run_id']}"
        ).json()
    assert (
        streamed.first("message.created")["data"]["message"]["content"][0]["text"]
        == "Echo (turn 1): from a list"
    )
    assert streamed.first("run.completed")["data"]["context"] == {"wxo_user_name": "someone"}
    assert run["llm_params"] == {"temperature": 0, "decoding_method": "greedy"}


def test_list_runs_pages_newest_first(simulator: Simulator) -> None:
    agent_id = simulator.agent_id("echo_agent")
    with client(simulator) as http:
        run_ids = [
            http.post("/v1/orchestrate/runs", json=run_body(agent_id, f"m{i}")).json()["run_id"]
            for i in range(5)
        ]
        first = http.get("/v1/orchestrate/runs", params={"limit": 2}).json()
        second = http.get("/v1/orchestrate/runs", params={"limit": 2, "offset": 2}).json()
        beyond = http.get("/v1/orchestrate/runs", params={"limit": 2, "offset": 10}).json()
        default = http.get("/v1/orchestrate/runs").json()
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [r["id"] for r in first["data"]] == run_ids[::-1][:2]
    assert [r["id"] for r in second["data"]] == run_ids[::-1][2:4]
    assert beyond["data"] == []
    assert beyond["total"] == 5
    assert default["offset"] == 0
    assert len(default["data"]) == 5


@pytest.mark.parametrize(
    ("params", "loc", "type_"),
    [
        ({"limit": 0}, ["query", "limit"], "greater_than_equal"),
        ({"offset": -1}, ["query", "offset"], "greater_than_equal"),
        ({"limit": "ten"}, ["query", "limit"], "int_parsing"),
    ],
)
def test_list_runs_validates_paging(
    simulator: Simulator, params: dict[str, Any], loc: list[str], type_: str
) -> None:
    with client(simulator, saas=True) as http:
        response = http.get("/v1/orchestrate/runs", params=params)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (loc, type_)


def test_thread_body_is_optional_and_validated(simulator: Simulator) -> None:
    with client(simulator) as http:
        assert http.post("/v1/threads").status_code == 201
        bad = http.post("/v1/threads", json={"title": 5})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "title"]
