"""``wxo-mcp simulator``: the Orchestrate simulator on 127.0.0.1 until interrupted.

The simulator itself is imported only when this command runs, so that ``--help`` (which reads
``DEPLOYMENTS`` for its choices) does not load uvicorn.
"""

from __future__ import annotations

import argparse
import os

from wxo_mcp.errors import ConfigError

__all__ = ["DEPLOYMENTS", "run"]

#: The path families it may serve (simulator.options.Deployment).
DEPLOYMENTS = ("both", "local", "saas")


def run(args: argparse.Namespace, fields: list[str]) -> int:
    from wxo_mcp.commands.common import configure_logging
    from wxo_mcp.simulator import SimulatorOptions, serve

    configure_logging("INFO")
    token = args.sim_token or os.environ.get("WXO_SIMULATOR_TOKEN") or "sim-token"
    deployment = args.sim_deployment or os.environ.get("WXO_SIMULATOR_DEPLOYMENT") or "both"
    if deployment not in DEPLOYMENTS:
        raise ConfigError(
            f"WXO_SIMULATOR_DEPLOYMENT must be one of {', '.join(DEPLOYMENTS)}, not {deployment!r}"
        )
    options = SimulatorOptions(
        port=args.sim_port,
        token=token,
        extra_agents=args.sim_agents,
        deployment=deployment,  # type: ignore[arg-type]  # checked against DEPLOYMENTS above
        keep_alive_seconds=args.sim_keep_alive,
    )
    try:
        serve(options=options)
    except OSError as exc:  # binding comes first: a port in use or not ours to take
        raise ConfigError(
            f"Cannot listen on 127.0.0.1:{args.sim_port}: {exc.strerror or exc}.",
            "Pick another --port (0 picks a free one), or stop what is using it.",
        ) from None
    return 0
