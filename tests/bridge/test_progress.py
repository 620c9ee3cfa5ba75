import anyio
import pytest

from wxo_mcp.bridge.progress import ProgressRelay, describe_event


def test_describe_events():
    assert (
        describe_event(
            "run.step.intermediate",
            {"message": {"key": "thinkingThisThrough", "text": "Thinking this through…"}},
            False,
        )
        == "Thinking this through…"
    )
    calls = {
        "delta": {
            "step_details": [
                {"type": "tool_calls", "tool_calls": [{"id": "c1", "name": "get_weather"}]}
            ]
        }
    }
    assert describe_event("run.step.delta", calls, False) == "Calling tool get_weather…"
    response = {"delta": {"step_details": [{"type": "tool_response", "name": "get_weather"}]}}
    assert describe_event("run.step.delta", response, False) == "Tool get_weather responded."
    assert describe_event("message.delta", {}, False) == "Writing the answer…"
    assert describe_event("message.delta", {}, True) is None
    assert describe_event("run.started", {}, False) is None


@pytest.mark.anyio
async def test_relay_sends_first_event_at_once_and_coalesces_bursts():
    sent: list[tuple[float, str, float]] = []

    async def sender(value: float, message: str) -> None:
        sent.append((value, message, anyio.current_time()))

    async with ProgressRelay(sender, min_interval=0.2) as relay:
        start = anyio.current_time()
        relay.push("one")
        await anyio.sleep(0.05)
        assert [m for _, m, _ in sent] == ["one"]
        assert sent[0][2] - start < 0.05
        for i in range(50):  # a burst inside one interval: one merged notification of the newest
            relay.push(f"burst {i}")
        await anyio.sleep(0.4)
        assert [m for _, m, _ in sent] == ["one", " · ".join(f"burst {i}" for i in range(42, 50))]
        assert sent[1][2] - sent[0][2] >= 0.19
        relay.push("late")
        await relay.finish("done")
    assert [m for _, m, _ in sent][-2:] == ["late", "done"]
    assert [v for v, _, _ in sent] == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.anyio
async def test_a_failing_sender_does_not_break_the_run():
    async def sender(value: float, message: str) -> None:
        raise RuntimeError("client went away")

    async with ProgressRelay(sender) as relay:
        relay.push("x")
        await anyio.sleep(0.01)
        await relay.finish("done")
