"""Task ids: they carry the run, survive a restart, and belong to their caller."""

from __future__ import annotations

import pytest

from wxo_mcp.bridge.task_ids import TaskCodec, TaskRef

RUN = "c5af0b1e-2d3c-4e5f-8a9b-0c1d2e3f4a5b"
REF = TaskRef(RUN, "slow_agent", "slow_agent", False, 1_764_000_000_000)


def test_an_id_decodes_to_its_run_in_another_process() -> None:
    task_id = TaskCodec(b"shared").encode(REF, "caller-a")
    assert task_id.startswith("wxo1.")
    assert TaskCodec(b"shared").decode(task_id, "caller-a") == REF  # a new codec: a restart


def test_an_id_belongs_to_its_caller_and_its_deployment() -> None:
    task_id = TaskCodec(b"shared").encode(REF, "caller-a")
    assert TaskCodec(b"shared").decode(task_id, "caller-b") is None
    assert TaskCodec(b"shared").decode(task_id, "") is None
    assert TaskCodec(b"other").decode(task_id, "caller-a") is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t.replace("wxo1.", "wxo2.", 1),
        lambda t: t.split(".", 1)[1],
        lambda t: t + ".x",
        lambda t: "",
        lambda t: "wxo1.!!!.???",
    ],
)
def test_a_changed_id_is_not_found(mangle: object) -> None:
    codec = TaskCodec(b"")
    task_id = codec.encode(REF, "")
    assert callable(mangle)
    assert codec.decode(mangle(task_id), "") is None


def test_a_sealed_payload_with_a_bad_run_id_is_refused() -> None:
    codec = TaskCodec(b"")
    forged = TaskRef("../agents", "t", "a", False, 0)
    assert codec.decode(codec.encode(forged, ""), "") is None
