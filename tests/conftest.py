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


@pytest.fixture(scope="session")
def saas_simulator_server() -> Iterator[Simulator]:
    """A simulator serving only the SaaS ``/instances/<id>`` family, as behind the gateway (any
    other path is its ``WXO-PROXY-14009E`` 404); use ``saas_simulator``."""
    options = SimulatorOptions(token=SIMULATOR_TOKEN, deployment="saas")
    with Simulator(options) as sim:
        yield sim


@pytest.fixture
def saas_simulator(saas_simulator_server: Simulator) -> Simulator:
    """The strict SaaS simulator, reset."""
    saas_simulator_server.reset()
    return saas_simulator_server
