"""The run stream: NDJSON framing, event order per agent, and agreement with recorded captures."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from wxo_mcp.simulator import Simulator

from .helpers import Streamed, client, run_body, stream

# Recorded 2026 order (§12/§15.5), with the optional parts written as regex groups.
SUCCESS_ORDER = re.compile(
    r"run\.started message\.started (run\.step\.intermediate )+(run\.step\.delta )*"
    r"(run\.step\.intermediate )*(message\.delta )+run\.step\.intermediate message\.created "
    r"message\.completed run\.completed done"
)
INTERMEDIATE_KEYS = {
    "thinkingThisThrough", "preparingYourResponse", "gettingAgentSetup", "preparingGuidelines",
    "pullingEverythingTogether", "wrappingUpFinalResponse",
}  # fmt: skip


def _run(
    sim: Simulator, agent: str, text: str, *, path: str = "/v1/orchestrate/runs/stream"
) -> Streamed:
    with client(sim) as http:
        return stream(http, path, run_body(sim.agent_id(agent), text))


def _recorded(name: str) -> Any:
    return json.loads(
        resources.files("wxo_mcp.simulator").joinpath("data", name).read_text("utf-8")
    )


def test_wire_framing_is_ndjson_under_an_sse_content_type(simulator: Simulator) -> None:
    result = _run(simulator, "echo_agent", "héllo")
    response = result.response
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.headers
    lines = result.raw.split(b"\n")
    assert lines[-1] == b""  # every line, the last included, ends with "\n"
    for line in lines[:-1]:
        assert not line.startswith((b"data:", b"event:", b"id:", b":"))
        event = json.loads(line)
        assert list(event) == ["id", "event", "data"]
        # Python's default json separators, as the runtime writes them.
        assert line.decode() == json.dumps(event)


def test_event_ids_are_ms_seq_and_strictly_increasing(simulator: Simulator) -> None:
    events = _run(simulator, "long_agent", "chars=9000").events
    keys = []
    for event in events:
        match = re.fullmatch(r"(\d{13})-(\d+)", event["id"])
        assert match, event["id"]
        keys.append((int(match.group(1)), int(match.group(2))))
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("agent", ["echo_agent", "weather_agent", "quiet_agent", "long_agent"])
def test_successful_runs_follow_the_recorded_order(simulator: Simulator, agent: str) -> None:
    result = _run(simulator, agent, "Weather in Paris please")
    assert SUCCESS_ORDER.fullmatch(" ".join(result.names())), result.names()
    assert result.names()[-1] == "done"
    started = result.first("run.started")["data"]
    assert set(started) == {"run_id", "agent_id", "thread_id"}
    assert started["agent_id"] == simulator.agent_id(agent)
    for name in ("run.completed", "done"):
        data = result.first(name)["data"]
        assert data["run_id"] == started["run_id"]
        assert data["thread_id"] == started["thread_id"]
        assert data["agent_id"] == started["agent_id"]
        assert data["context"] == {}
    for event in result.events:
        data = event["data"]
        assert data["run_id"] == started["run_id"]
        assert data["thread_id"] == started["thread_id"]
        if event["event"] == "run.step.intermediate":
            assert data["message"]["key"] in INTERMEDIATE_KEYS
            assert data["message"]["text"]
            assert data["agent_display_name"] == data["current_agent"] == agent
    last_intermediate = [e for e in result.events if e["event"] == "run.step.intermediate"][-1]
    assert last_intermediate["data"]["message"]["key"] == "wrappingUpFinalResponse"


def test_message_created_carries_the_full_message(simulator: Simulator) -> None:
    result = _run(simulator, "echo_agent", "hello")
    created = result.first("message.created")["data"]
    message = created["message"]
    assert created["message_id"] == message["id"]
    assert created["agent_id"] == simulator.agent_id("echo_agent")
    assert message["role"] == "assistant"
    assert message["thread_id"] == created["thread_id"]
    assert message["content"] == [
        {"response_type": "text", "id": "1", "text": "Echo (turn 1): hello"}
    ]
    deltas = "".join(
        item["text"]
        for e in result.events
        if e["event"] == "message.delta"
        for item in e["data"]["delta"]["content"]
    )
    assert deltas == "Echo (turn 1): hello"
    assert len([e for e in result.events if e["event"] == "message.delta"]) > 1


def test_quiet_agent_streams_an_empty_delta_but_creates_the_answer(simulator: Simulator) -> None:
    result = _run(simulator, "quiet_agent", "psst")
    deltas = [e for e in result.events if e["event"] == "message.delta"]
    assert len(deltas) == 1
    assert deltas[0]["data"]["delta"] == {
        "role": "assistant",
        "content": [{"id": "1", "response_type": "text", "text": ""}],
    }
    text = result.first("message.created")["data"]["message"]["content"][0]["text"]
    assert "psst" in text


def test_weather_agent_streams_tool_steps(simulator: Simulator) -> None:
    result = _run(simulator, "weather_agent", "What is the weather in Paris?")
    steps = [e["data"]["delta"] for e in result.events if e["event"] == "run.step.delta"]
    assert len(steps) == 2
    (call_step,) = steps[0]["step_details"]
    assert steps[0]["role"] == "assistant"
    assert call_step["type"] == "tool_calls"
    assert call_step["agent_display_name"] == "weather_agent"
    (call,) = call_step["tool_calls"]
    assert call["name"] == "get_weather"
    assert call["args"] == {"location": "Paris"}
    assert call["id"].startswith("chatcmpl-tool-")
    response, echo = steps[1]["step_details"]
    assert response["type"] == "tool_response"
    assert response["tool_call_id"] == call["id"]
    assert response["name"] == "get_weather"
    assert isinstance(response["content"], str)
    report = json.loads(response["content"])
    assert report["location"] == "Paris"
    assert echo == {
        "type": "tool_call",
        "name": "get_weather",
        "tool_call_id": call["id"],
        "args": {"location": "Paris"},
    }
    message = result.first("message.created")["data"]["message"]
    assert message["step_history"] == [
        {"role": "assistant", "step_details": s["step_details"]} for s in steps
    ]
    assert f"{report['temperature_c']} °C" in message["content"][0]["text"]


def test_search_agent_searches_its_knowledge_base_before_answering(simulator: Simulator) -> None:
    """A knowledge-base turn as IBM's evaluation framework reads it (agentops
    ``wxo_runtime_adapter``): step messages in stream order, and at a ``conversational_search``
    answer the step just before it must be the search's tool response, whose ``tool_call_id``
    names the search call."""
    result = _run(simulator, "search_agent", "How much leave do I get?")
    assert SUCCESS_ORDER.fullmatch(" ".join(result.names()))
    seen: list[dict[str, Any]] = []  # what agentops keeps: tool calls and tool responses
    for event in result.events:
        for index, step in enumerate(event["data"].get("delta", {}).get("step_details", [])):
            if step["type"] == "tool_calls":
                seen += [{"type": "tool_call", **call} for call in step["tool_calls"]]
            elif step["type"] == "tool_response":
                seen.append(step)
            else:
                assert index == 1  # the trailing tool_call echo, which agentops skips
    call, response = seen
    assert call["name"] == response["name"] == "hr_policies"  # the agent's knowledge base
    assert call["args"] == {"query": "How much leave do I get?"}
    assert response["tool_call_id"] == call["id"]
    results = json.loads(response["content"])["search_results"]
    message = result.first("message.created")["data"]["message"]
    (item,) = message["content"]
    assert item["response_type"] == "conversational_search"
    assert item["search_results"] == results
    assert [s["step_details"][0]["type"] for s in message["step_history"]] == [
        "tool_calls",
        "tool_response",
    ]


def test_failing_agent_emits_run_failed_then_done(simulator: Simulator) -> None:
    result = _run(simulator, "failing_agent", "anything")
    names = result.names()
    assert names[:2] == ["run.started", "message.started"]
    assert names[-2:] == ["run.failed", "done"]
    assert "message.created" not in names
    assert "run.completed" not in names
    failed = result.first("run.failed")["data"]
    assert isinstance(failed["error"], str)
    assert failed["error"]
    assert failed["run_id"] == result.first("run.started")["data"]["run_id"]
    assert result.first("done")["data"]["thread_id"] == failed["thread_id"]


def test_slow_agent_emits_a_step_every_interval(simulator: Simulator) -> None:
    result = _run(simulator, "slow_agent", "seconds=0.25")
    steps = [e for e in result.events if e["event"] == "run.step.intermediate"]
    # one every step_interval (0.2 s by default) over 0.25 s, plus the wrap-up step
    assert 2 <= len(steps) <= 4
    assert (
        "0.25 seconds" in result.first("message.created")["data"]["message"]["content"][0]["text"]
    )


def test_long_agent_answer_length(simulator: Simulator) -> None:
    default = _run(simulator, "long_agent", "tell me everything")
    chosen = _run(simulator, "long_agent", "chars=1234")
    assert len(default.first("message.created")["data"]["message"]["content"][0]["text"]) == 20_000
    assert len(chosen.first("message.created")["data"]["message"]["content"][0]["text"]) == 1234


@pytest.mark.parametrize(
    "path", ["/v1/orchestrate/runs?stream=true", "/api/v1/orchestrate/runs/stream", "SAAS"]
)
def test_stream_paths_are_equivalent(simulator: Simulator, path: str) -> None:
    if path == "SAAS":
        with client(simulator, saas=True) as http:
            result = stream(
                http, "/v1/orchestrate/runs/stream", run_body(simulator.agent_id("echo_agent"), "x")
            )
    else:
        result = _run(simulator, "echo_agent", "x", path=path)
    assert result.response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert result.names()[0] == "run.started"
    assert result.names()[-1] == "done"


@pytest.mark.parametrize("capture", ["stream_2026.json", "stream_2025_seed.json"])
def test_event_payloads_cover_the_recorded_ones(simulator: Simulator, capture: str) -> None:
    """Every recorded event's data keys appear in ours (the 2026 capture adds agent_id and
    context)."""
    ours = {e["event"]: e["data"] for e in _run(simulator, "echo_agent", "hi").events}
    for line in _recorded(capture)["lines"]:
        assert set(ours[line["event"]]) >= set(line["data"]), line["event"]
    seed_message = next(
        line
        for line in _recorded("stream_2025_seed.json")["lines"]
        if line["event"] == "message.created"
    )
    assert set(ours["message.created"]["message"]) >= set(seed_message["data"]["message"])


def test_stream_events_match_the_run_record(simulator: Simulator) -> None:
    result = _run(simulator, "echo_agent", "hi")
    run_id = result.first("run.started")["data"]["run_id"]
    assert simulator.runs[run_id].events == result.events
    with client(simulator) as http:
        run = http.get(f"/v1/orchestrate/runs/{run_id}").json()
    assert run["status"] == "completed"
    assert run["result"]["data"]["message"] == result.first("message.created")["data"]["message"]
