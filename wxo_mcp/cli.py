"""Command line: ``wxo-mcp [serve|demo|simulator] …``. The only module that exits the process.

Flags override environment variables, which override the ADK's files (see ``config.Settings``).
Secrets are never flags: they would show in process listings.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from wxo_mcp import __version__
from wxo_mcp.errors import ConfigError

__all__ = ["main"]

log = logging.getLogger("wxo_mcp")

_SIMULATOR_TOKEN = "simulator-token"  # noqa: S105 - not a secret: the built-in simulator accepts only it

# (flag, settings field, environment variable, help, type)
_SETTING_FLAGS: list[tuple[str, str, str, str, Any]] = [
    ("--url", "url", "WXO_URL", "Orchestrate instance URL", str),
    (
        "--deployment",
        "deployment",
        "WXO_DEPLOYMENT",
        "local, saas or cpd (guessed from the URL)",
        str,
    ),
    ("--env", "env_name", "WXO_ENV", "ADK environment to use instead of the active one", str),
    ("--agents", "agents", "WXO_AGENTS", "comma-separated agent name patterns; !pat excludes", str),
    ("--tools", "tools", "WXO_TOOLS", "tool surfaces: agents, generic, or both", str),
    ("--max-agent-tools", "max_agent_tools", "WXO_MAX_AGENT_TOOLS", "agent tool limit", int),
    (
        "--agents-ttl",
        "agents_ttl",
        "WXO_AGENTS_TTL",
        "seconds before the agent list is re-read",
        float,
    ),
    (
        "--tool-deadline",
        "tool_deadline",
        "WXO_TOOL_DEADLINE",
        "seconds before a call returns a run handle",
        float,
    ),
    (
        "--max-result-chars",
        "max_result_chars",
        "WXO_MAX_RESULT_CHARS",
        "longer answers are cut",
        int,
    ),
    ("--agent-environment", "agent_environment", "WXO_AGENT_ENVIRONMENT", "live or draft", str),
    ("--log-level", "log_level", "WXO_LOG_LEVEL", "stderr log level", str),
]
_SERVE_FLAGS: list[tuple[str, str, str, str, Any]] = [
    ("--transport", "transport", "WXO_MCP_TRANSPORT", "stdio or http", str),
    ("--host", "host", "WXO_MCP_HOST", "bind address for http", str),
    ("--port", "port", "WXO_MCP_PORT", "port for http", int),
]


def _add_setting_flags(
    parser: argparse.ArgumentParser, flags: list[tuple[str, str, str, str, Any]]
) -> None:
    for flag, dest, env, text, kind in flags:
        parser.add_argument(flag, dest=dest, type=kind, default=None, help=f"{text} (env {env})")


def _overrides(
    args: argparse.Namespace, flags: list[tuple[str, str, str, str, Any]]
) -> dict[str, Any]:
    return {
        dest: getattr(args, dest) for _, dest, *_ in flags if getattr(args, dest, None) is not None
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wxo-mcp",
        description=(
            "IBM watsonx Orchestrate agents as MCP tools. With no command, serves MCP over stdio."
        ),
    )
    parser.add_argument("--version", action="version", version=f"wxo-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve MCP (stdio by default, or streamable HTTP)")
    _add_setting_flags(serve, _SETTING_FLAGS + _SERVE_FLAGS)
    serve.add_argument(
        "--simulator",
        action="store_true",
        help="serve against a built-in Orchestrate simulator (no account needed)",
    )

    commands.add_parser(
        "demo", help="run the whole loop against the built-in simulator and print it"
    )

    sim = commands.add_parser("simulator", help="run the Orchestrate simulator on 127.0.0.1")
    sim.add_argument("--port", type=int, default=4321, help="port (0 picks a free one)")
    sim.add_argument(
        "--token",
        default=os.environ.get("WXO_SIMULATOR_TOKEN", "sim-token"),
        help="the bearer token it accepts (env WXO_SIMULATOR_TOKEN)",
    )
    sim.add_argument("--agents", type=int, default=0, help="add N generated echo agents")
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.WARNING),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _serve(args: argparse.Namespace) -> int:
    from wxo_mcp.config import Settings

    overrides = _overrides(args, _SETTING_FLAGS + _SERVE_FLAGS)
    with contextlib.ExitStack() as stack:
        if args.simulator:
            from wxo_mcp.simulator import Simulator, SimulatorOptions

            sim = stack.enter_context(Simulator(SimulatorOptions(token=_SIMULATOR_TOKEN)))
            overrides.update(url=sim.url, token=_SIMULATOR_TOKEN, deployment="local")
        settings = Settings.load(overrides=overrides)
        _configure_logging(settings.log_level)
        from wxo_mcp.server import build_server

        server = build_server(settings)
        if settings.transport == "http":
            server.run("streamable-http", host=settings.host, port=settings.port)
        else:
            server.run()
    return 0


def _simulator(args: argparse.Namespace) -> int:
    from wxo_mcp.simulator import serve

    _configure_logging("INFO")
    serve(host="127.0.0.1", port=args.port, token=args.token, extra_agents=args.agents)
    return 0


def _demo(args: argparse.Namespace) -> int:
    import anyio

    from wxo_mcp.demo import run_demo
    from wxo_mcp.simulator import Simulator, SimulatorOptions

    _configure_logging("WARNING")
    with Simulator(SimulatorOptions(token=_SIMULATOR_TOKEN)) as sim:
        return anyio.run(run_demo, sim.url, _SIMULATOR_TOKEN)


def main(argv: Sequence[str] | None = None) -> None:
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0].startswith("-") and words[0] not in ("-h", "--help", "--version")):
        words = ["serve", *words]
    args = _parser().parse_args(words)
    try:
        code = {"serve": _serve, "demo": _demo, "simulator": _simulator}[args.command](args)
    except ConfigError as exc:
        print(f"wxo-mcp: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
