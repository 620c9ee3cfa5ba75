"""Settings of one simulator instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: Which path families a simulator serves (see ``SimulatorOptions.deployment``).
Deployment = Literal["both", "local", "saas"]


@dataclass(frozen=True, slots=True)
class SimulatorOptions:
    """How a simulator behaves; every default is what the test suite wants.

    Attributes:
        token: the bearer token every Orchestrate route accepts (``Authorization: Bearer <token>``).
        api_key: the API key (or CPD password) the token routes (IAM, MCSP, CPD) accept.
        extra_api_keys: more keys they accept (e.g. base64 ``k1:…`` / ``k2:…`` MCSP keys, which
            only the matching MCSP version accepts).
        token_lifetime: seconds until a token issued by the token routes expires; after that
            every Orchestrate route answers 401 to it. ``token`` itself never expires.
        mcsp_versions: which MCSP token services exist (the other answers 404, as in regions
            that only have v2).
        draft_only_agents: names of agents deployed only in their ``draft`` environment (no
            ``live`` one), for ``WXO_AGENT_ENVIRONMENT`` tests.
        host: bind address. Loopback by default: the simulator has no real security.
        port: 0 picks a free port.
        instance_id: the one ``/instances/<id>`` the SaaS family knows; any other id is a gateway
        404.
        deployment: which path families are served. ``both`` (the default): the Developer
            Edition's ``/v1`` and ``/api/v1`` (with its login and tenants) and the SaaS
            ``/instances/<id>`` family on one port. ``saas``: only the instance family, as behind
            the SaaS gateway, whose ``WXO-PROXY-14009E`` 404 answers every other path (bare
            ``/v1/runs`` included, §1.2). ``local``: only the Developer Edition's paths.
        extra_agents: how many generated ``echo_agent_0001``… agents to serve besides the fixed
        ones.
        slow_seconds: how long ``slow_agent`` thinks unless its message says ``seconds=<float>``.
        step_interval: seconds between ``slow_agent``'s ``run.step.intermediate`` events.
        event_delay: pause between two events of an ordinary run: small, but never zero, so that the
            events of a real run arrive in separate chunks as they do on the wire.
        long_chars: default answer length of ``long_agent`` (a message ``chars=<int>`` overrides
        it).
        pending_delay: how long a new run stays ``pending`` before it starts.
        flow_seconds: how long ``flow_agent``'s async flow takes before its answer is appended
            to the thread (a message ``seconds=<float>`` overrides it).
        keep_alive_seconds: how long an idle keep-alive connection stays open before the
            simulator closes it (uvicorn's ``timeout_keep_alive``; 1 s provokes stale pooled
            connections in a client that keeps them longer).
        threads_file: a JSON file the threads are loaded from at start and saved to at stop, so
            a conversation outlives the process (``wxo-mcp ask --simulator … --thread``); see
            ``saved``. None: threads live in memory only.
        stamp_steps: end each scenario status line (``run.step.intermediate`` text) with
            `` @<epoch seconds>`` taken as it is emitted, so a benchmark can measure how long the
            line takes to reach an MCP client as a progress notification.
    """

    token: str = "test-token"  # noqa: S105 - a simulator's made-up token, not a secret
    api_key: str = "test-api-key"
    extra_api_keys: tuple[str, ...] = ()
    token_lifetime: float = 3600.0
    mcsp_versions: tuple[int, ...] = (1, 2)
    draft_only_agents: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 0
    instance_id: str = "20250101-0000-4000-8000-000000000001"
    deployment: Deployment = "both"
    extra_agents: int = 0
    slow_seconds: float = 2.0
    step_interval: float = 0.2
    event_delay: float = 0.002
    long_chars: int = 20_000
    pending_delay: float = 0.005
    stamp_steps: bool = False
    flow_seconds: float = 1.0
    keep_alive_seconds: float = 5.0
    threads_file: Path | None = None

    @property
    def api_keys(self) -> tuple[str, ...]:
        """Every API key the token routes accept."""
        return (self.api_key, *self.extra_api_keys)
