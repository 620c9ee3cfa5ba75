"""A faithful stand-in for the watsonx Orchestrate runtime API, for tests, benchmarks and the demo.

It serves both path families (local ``/v1`` and ``/api/v1``; SaaS
``/instances/<id>/v1/orchestrate``),
bearer auth, the agents list, runs (plain and NDJSON-streamed, executed server-side), threads and
messages, with payloads built from recorded captures in ``data/`` and injectable faults. It imports
nothing from the rest of ``wxo_mcp``.
"""

from .agents import StarterPrompt
from .app import create_app
from .options import SimulatorOptions
from .server import Simulator, serve

__all__ = ["Simulator", "SimulatorOptions", "StarterPrompt", "create_app", "serve"]
