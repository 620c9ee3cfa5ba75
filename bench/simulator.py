"""``python -m bench.simulator``: the Orchestrate simulator in a process of its own.

The benchmark runs the simulator out of process so that its work never competes with the
measuring client for the same interpreter lock. It prints the simulator's ready line on stderr
(``… ready at http://127.0.0.1:PORT …``), which :mod:`bench.procs` waits for.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Sequence

from wxo_mcp.simulator import SimulatorOptions, serve


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator")
    parser.add_argument("--token", required=True)
    parser.add_argument("--agents", type=int, default=0, help="extra generated echo agents")
    parser.add_argument("--step-interval", type=float, default=0.1)
    parser.add_argument("--stamp-steps", action="store_true")
    parser.add_argument("--event-delay", type=float, default=0.0005)
    parser.add_argument("--pending-delay", type=float, default=0.001)
    args = parser.parse_args(argv)
    options = SimulatorOptions(
        token=args.token,
        port=0,
        extra_agents=args.agents,
        step_interval=args.step_interval,
        stamp_steps=args.stamp_steps,
        event_delay=args.event_delay,
        pending_delay=args.pending_delay,
    )
    with contextlib.suppress(KeyboardInterrupt):
        serve(options=options)


if __name__ == "__main__":
    main()
