"""Command line: ``wxo-mcp [serve|agents|ask|doctor|install|demo|simulator] …``.

This module parses and dispatches; each command lives in ``wxo_mcp.commands`` and returns its
exit code. ``main`` is the only place that exits the process.

Flags override environment variables, which override the ADK's files (see ``config.Settings``).
Every flag's help names its environment variable. Secrets are never flags: they would show in
process listings; they come from the environment (or files) only.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wxo_mcp import __version__
from wxo_mcp.commands.hosts import HOSTS
from wxo_mcp.commands.simulator import DEPLOYMENTS as SIM_DEPLOYMENTS
from wxo_mcp.config import FIELDS
from wxo_mcp.errors import ConfigError

__all__ = ["EXIT_USAGE", "main"]

#: Malformed settings or flags, and a bind the rules refuse: a usage error, as argparse's own (2).
#: 1 is for a command that ran and found or met a problem (README, "Exit codes").
EXIT_USAGE = 2

# (flag, settings field, help). Values are passed to Settings as text, so a flag is parsed and
# checked exactly like its environment variable. The variable's name comes from config.FIELDS.
_CONNECTION = [
    ("--url", "url", "Orchestrate instance URL"),
    ("--deployment", "deployment", "local, saas or cpd (default: guessed from the URL)"),
    ("--env", "env_name", "ADK environment to use instead of the active one"),
    ("--auth-type", "auth_type", "ibm_iam, mcsp, mcsp_v1, mcsp_v2 or cpd (default: guessed)"),
    ("--iam-url", "iam_url", "base URL of the token service"),
    ("--token-file", "token_file", "file holding the bearer token, re-read on 401"),
    ("--username", "username", "CPD user name"),
    ("--ca-bundle", "ca_bundle", "private CA bundle file"),
    ("--verify", "verify", "true or false: verify TLS certificates"),
    ("--log-level", "log_level", "stderr log level: DEBUG, INFO, WARNING, ERROR"),
]
_AGENTS = [
    ("--agents", "agents", "comma-separated agent name patterns; !pat excludes"),
    ("--tools", "tools", "tool surfaces: agents, generic, or both"),
    ("--max-agent-tools", "max_agent_tools", "above this many agents, only the generic tools"),
    ("--agents-ttl", "agents_ttl", "seconds before the agent list is re-read"),
    ("--agent-environment", "agent_environment", "live or draft deployment of agents"),
]
_CALLS = [
    ("--tool-deadline", "tool_deadline", "seconds a call waits before returning a run handle"),
    ("--max-result-chars", "max_result_chars", "longer answers are cut"),
    ("--max-stream-mb", "max_stream_mb", "megabytes a run stream may send before it is left"),
]
_SERVING = [
    ("--transport", "transport", "stdio or http"),
    ("--host", "host", "bind address for http (non-loopback needs --allow-remote)"),
    ("--port", "port", "port for http (0 picks a free one)"),
]

#: Settings that are secrets: environment (or files) only, never flags.
_SECRET_FIELDS = frozenset({"token", "api_key", "password", "mcp_token", "state_key"})

_SECRETS_EPILOG = (
    "Secrets have no flags; set them in the environment: WXO_TOKEN, WXO_API_KEY, "
    "WXO_PASSWORD, WXO_MCP_TOKEN, WXO_MCP_STATE_KEY.\n"
    "Precedence: flags > WXO_* environment variables > the ADK's files > defaults.\n"
    "Exit codes: 0 done; 1 a problem found or met; 2 a usage error (unknown flag, malformed "
    "setting, refused bind); 3 ask still running."
)

Flags = list[tuple[str, str, str]]
HOST_NAMES = list(HOSTS)


def _add_flags(parser: argparse.ArgumentParser, title: str, flags: Flags) -> list[str]:
    group = parser.add_argument_group(title)
    for flag, field, text in flags:
        group.add_argument(
            flag, dest=field, default=None, metavar=flag[2:].upper().replace("-", "_"),
            help=f"{text} [env {FIELDS[field][0]}]",
        )  # fmt: skip
    # The flag behind each field, so messages (and ask's continuation) name what the user typed.
    names = {**(parser.get_default("flag_names") or {}), **{f: flag for flag, f, _ in flags}}
    parser.set_defaults(flag_names=names)
    return [field for _, field, _ in flags]


def _switches(parser: argparse.ArgumentParser) -> list[str]:
    """On/off settings that are bare flags (``--stateless``), like the design names them."""
    parser.add_argument(
        "--stateless", dest="stateless", action="store_const", const="true", default=None,
        help="http without sessions, for replicas behind a load balancer [env WXO_MCP_STATELESS]",
    )  # fmt: skip
    return ["stateless"]


def _other_flags(covered: list[str]) -> Flags:
    """Flags for settings not in the tables above (added to config later), so every
    non-secret setting keeps a flag."""
    return [
        ("--" + field.replace("_", "-"), field, "see the README's settings table")
        for field in FIELDS
        if field not in covered and field not in _SECRET_FIELDS
    ]


def _simulator_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--simulator",
        action="store_true",
        help="use a built-in Orchestrate simulator instead of a real instance (no account "
        "needed; replaces WXO_URL and WXO_TOKEN)",
    )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    epilog: str | None = _SECRETS_EPILOG,
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parser() -> tuple[argparse.ArgumentParser, dict[str, list[str]]]:
    """The parser, and for each command the settings fields its flags may set."""
    parser = argparse.ArgumentParser(
        prog="wxo-mcp",
        description=(
            "IBM watsonx Orchestrate agents as MCP tools. With no command, serves MCP over stdio."
        ),
        epilog=_SECRETS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wxo-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    fields: dict[str, list[str]] = {}

    serve = _command(
        commands,
        "serve",
        "serve MCP (stdio by default, or streamable HTTP at /mcp)",
        "Serve MCP over stdio (what hosts such as Claude Desktop launch), or over streamable "
        "HTTP at http://HOST:PORT/mcp with --transport http.\nHTTP binds to 127.0.0.1 by "
        "default; another address needs --allow-remote and WXO_MCP_TOKEN, which clients then "
        "send as 'Authorization: Bearer <token>'.",
    )
    fields["serve"] = (
        _add_flags(serve, "serving", _SERVING)
        + _switches(serve)
        + _add_flags(serve, "Orchestrate", _CONNECTION)
        + _add_flags(serve, "agents and tools", _AGENTS + _CALLS)
    )
    fields["serve"] += _add_flags(serve, "other settings", _other_flags(fields["serve"]))
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (also needs WXO_MCP_TOKEN) [no env variable]",
    )
    _simulator_flag(serve)

    agents = _command(
        commands,
        "agents",
        "list the agents and the tool each becomes, and why some are left out",
        "List Orchestrate's agents with the MCP tool each becomes, as `serve` would offer "
        "them, flagging those left out and why (hidden, WXO_AGENTS, WXO_MAX_AGENT_TOOLS, "
        "WXO_TOOLS).\nExit code 1 if the list cannot be read.",
    )
    fields["agents"] = _add_flags(agents, "Orchestrate", _CONNECTION) + _add_flags(
        agents, "agents and tools", _AGENTS
    )
    agents.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _simulator_flag(agents)

    ask = _command(
        commands,
        "ask",
        "ask an agent once: progress on stderr, the answer on stdout",
        "Send one message to an agent through the same code as the ask_agent tool. Progress "
        "and the thread_id go to stderr, the answer alone to stdout.\nExit codes: 0 completed, "
        "1 failed (the reason on stderr), 3 still running at --tool-deadline.",
    )
    ask.add_argument("agent", metavar="AGENT", help="the agent's name (or id, or tool name)")
    ask.add_argument("message", metavar="MESSAGE", help="what to ask or tell it")
    ask.add_argument(
        "--thread", metavar="ID", default=None, help="a thread_id to continue that conversation"
    )
    fields["ask"] = (
        _add_flags(ask, "Orchestrate", _CONNECTION)
        + _add_flags(ask, "agents", [f for f in _AGENTS if f[1] in ("agents", "agent_environment")])
        + _add_flags(ask, "calls", _CALLS)
    )
    _simulator_flag(ask)

    doctor = _command(
        commands,
        "doctor",
        "check the configuration, credentials, Orchestrate and agents",
        "Show every setting with its source (secrets masked), then check the instance URL, the "
        "credentials, that Orchestrate answers and accepts them, the agents on offer and, with "
        "--transport http, the bind rules.\nExit code 1 if any problem is found; each problem "
        "comes with its fix.",
    )
    fields["doctor"] = (
        _add_flags(doctor, "Orchestrate", _CONNECTION)
        + _add_flags(doctor, "agents and tools", _AGENTS + _CALLS)
        + _add_flags(doctor, "serving", _SERVING)
        + _switches(doctor)
    )
    fields["doctor"] += _add_flags(doctor, "other settings", _other_flags(fields["doctor"]))
    doctor.add_argument(
        "--allow-remote", action="store_true", help="as for serve: accept a non-loopback --host"
    )
    _simulator_flag(doctor)

    install = _command(
        commands,
        "install",
        "add this server to claude-desktop, cursor, vscode or claude-code",
        "Add this server to a host's configuration, with the absolute path of this wxo-mcp (or of "
        "uvx with --uvx). Claude Desktop and Cursor: merged into their JSON file (every other "
        "server and key kept, a backup written first; a different entry of the same name is "
        "replaced only with --force). Claude Code and VS Code have their own command for this: "
        "it is printed to run; vscode --project DIR writes DIR/.vscode/mcp.json instead.\n"
        "Settings given as flags go into the entry; secrets (WXO_API_KEY, WXO_TOKEN, "
        "WXO_PASSWORD) only from the environment. Exit code 1 if the file is malformed or the "
        "entry differs (nothing written).",
    )
    install.add_argument(
        "host_name", metavar="HOST", choices=HOST_NAMES, help=", ".join(HOST_NAMES)
    )
    install.add_argument("--name", default="orchestrate", help="the server's name in the host")
    install.add_argument("--print", action="store_true", help="show the entry, write nothing")
    install.add_argument("--force", action="store_true", help="replace a different entry")
    install.add_argument("--uvx", action="store_true", help="launch with uvx instead of this path")
    install.add_argument(
        "--from", dest="source", metavar="SPEC", default=None,
        help="with uvx: the package, path or git URL to run (default: wxo-mcp from PyPI)",
    )  # fmt: skip
    install.add_argument(
        "--project", type=Path, metavar="DIR", default=None,
        help="vscode: write DIR/.vscode/mcp.json (secrets as VS Code inputs)",
    )  # fmt: skip
    fields["install"] = _add_flags(install, "Orchestrate", _CONNECTION) + _add_flags(
        install, "agents and tools", _AGENTS + _CALLS
    )
    serving = [field for _, field, _ in _SERVING]
    fields["install"] += _add_flags(
        install, "other settings", _other_flags(fields["install"] + serving)
    )
    _simulator_flag(install)

    _command(
        commands,
        "demo",
        "run the whole loop against the built-in simulator and print it",
        "Start the built-in simulator, spawn `wxo-mcp serve` over stdio with a real MCP client, "
        "and show tools/list, a conversation, progress and a resource read.",
        epilog=None,
    )

    sim = _command(
        commands,
        "simulator",
        "run the Orchestrate simulator on 127.0.0.1",
        "Run the Orchestrate simulator (a stand-in for the Orchestrate runtime API, for tests "
        "and trials) on 127.0.0.1 until interrupted.",
        epilog=None,
    )
    sim.add_argument(
        "--port", dest="sim_port", type=int, default=4321, help="port (0 picks a free one)"
    )
    sim.add_argument(
        "--token",
        dest="sim_token",
        default=None,
        help="the bearer token it accepts (made up; not an Orchestrate token) "
        "[env WXO_SIMULATOR_TOKEN; default sim-token]",
    )
    sim.add_argument(
        "--agents", dest="sim_agents", type=int, default=0, help="add N generated echo agents"
    )
    sim.add_argument(
        "--keep-alive",
        dest="sim_keep_alive",
        type=float,
        default=5.0,
        help="seconds an idle keep-alive connection stays open (1 provokes stale connections)",
    )
    sim.add_argument(
        "--deployment",
        dest="sim_deployment",
        choices=SIM_DEPLOYMENTS,
        default=None,
        help="path families served: both (default), local (Developer Edition /v1, /api/v1 and "
        "its login), saas (only /instances/<id>/v1/orchestrate; any other path is the SaaS "
        "gateway's WXO-PROXY-14009E 404) [env WXO_SIMULATOR_DEPLOYMENT]",
    )
    return parser, fields


def _dispatch(name: str) -> Callable[[argparse.Namespace, list[str]], int]:
    """The command's ``run``, imported only when chosen (``--help`` stays fast)."""
    if name == "serve":
        # Start-up allocates ~110k objects that live as long as the server (the MCP SDK's
        # models of both protocol eras): collecting while they are made frees nothing. serve.run
        # freezes them once the server is built, and turns collection back on.
        gc.disable()
    run: Callable[[argparse.Namespace, list[str]], int]
    run = importlib.import_module(f"wxo_mcp.commands.{name}").run
    return run


def _as_typed(message: str, args: argparse.Namespace) -> str:
    """The message with each setting given as a flag named by its flag, not its variable.

    A flag wins over its variable, so when a flag was given, a message naming that setting's
    variable is about the flag's value (``--port must be a whole number``). A message that
    already names the flag ("pick another --port (WXO_MCP_PORT)") names both on purpose.
    """
    for field, flag in (getattr(args, "flag_names", None) or {}).items():
        if getattr(args, field, None) is not None and flag not in message:
            message = re.sub(rf"\b{FIELDS[field][0]}\b", flag, message)
    return message


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``wxo-mcp`` console script and ``python -m wxo_mcp``."""
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0].startswith("-") and words[0] not in ("-h", "--help", "--version")):
        words = ["serve", *words]
    parser, fields = _parser()
    args = parser.parse_args(words)
    try:
        code = _dispatch(args.command)(args, fields.get(args.command, []))
    except ConfigError as exc:
        print(f"wxo-mcp {args.command}: {_as_typed(str(exc), args)}", file=sys.stderr)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
