"""Fixtures shared by every test package: the anyio backend and the Orchestrate simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wxo_mcp.simulator import Simulator, SimulatorOptions

SIMULATOR_TOKEN = "test-token"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[Simulator]:
    """One simulator (uvicorn on 127.0.0.1, free port) for the whole session; use ``simulator``."""
    with Simulator(SimulatorOptions(token=SIMULATOR_TOKEN)) as sim:
        yield sim


@pytest.fixture
def simulator(simulator_server: Simulator) -> Simulator:
    """The session simulator with no faults, runs, threads or recorded requests left over."""
    simulator_server.reset()
    return simulator_server
