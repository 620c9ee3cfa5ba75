"""``wxo-mcp install HOST``: this server's entry in a host's configuration, in one step.

Hosts start servers from their own working directory with a minimal environment, which is why
hand-written entries break: the entry gets the absolute path of the ``wxo-mcp`` being run (or of
``uvx`` when this one lives in uv's throw-away cache, or with ``--uvx``). Non-secret settings come
from flags only, so nothing from the current shell slips in unasked; secrets come from the
environment only, never flags (process listings, shell history). See ``hosts`` for which host
gets a file edit and which gets its own command printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, get_args

from wxo_mcp.commands import host_file
from wxo_mcp.commands.common import overrides_from, print_err
from wxo_mcp.commands.hosts import (
    HOSTS,
    Host,
    Launch,
    claude_mcp_add,
    code_add_mcp,
    config_path,
    entry_for,
    vscode_inputs,
)
from wxo_mcp.config import FIELDS, Secret, Settings

__all__ = ["run", "secret_variables"]

#: What VS Code shows when it asks for a secret.
_LABELS = {
    "WXO_API_KEY": "watsonx Orchestrate API key",
    "WXO_TOKEN": "watsonx Orchestrate bearer token",
    "WXO_PASSWORD": "Cloud Pak for Data password",
}


def secret_variables() -> list[str]:
    """The secret settings a stdio entry may carry (WXO_MCP_TOKEN guards HTTP serving only)."""
    return [
        var
        for field, (var, _) in FIELDS.items()
        if Secret in get_args(Settings.model_fields[field].annotation) and field != "mcp_token"
    ]


def _ephemeral() -> bool:
    """Whether this wxo-mcp runs from uv's cache (``uvx wxo-mcp``), which uv may delete."""
    return any(part.startswith("archive-v") for part in Path(sys.prefix).parts)


def _this_script() -> tuple[str, list[str]]:
    """The absolute command that runs this very wxo-mcp (symlinks kept: a ``uv tool`` link
    survives upgrades)."""
    name = "wxo-mcp.exe" if os.name == "nt" else "wxo-mcp"
    argv0 = Path(sys.argv[0])
    candidates = [argv0] if argv0.name in (name, "wxo-mcp") else []
    candidates += [Path(sys.executable).parent / name]
    found = shutil.which("wxo-mcp")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate.absolute()), []
    return sys.executable, ["-m", "wxo_mcp"]


def _launch(args: argparse.Namespace, settings: dict[str, str], secrets: list[str]) -> Launch:
    serve = ["serve", "--simulator"] if args.simulator else ["serve"]
    if args.uvx or args.source or _ephemeral():
        uvx = shutil.which("uvx")
        if uvx is None:
            raise _Refused("uvx is not on PATH; install uv (`pip install uv`) or drop --uvx.")
        command, prefix = uvx, ["--from", args.source or "wxo-mcp", "wxo-mcp"]
    else:
        command, prefix = _this_script()
    env = {FIELDS[field][0]: str(value) for field, value in settings.items()}
    host = args.host_name
    refs: list[str] = []
    if host == "claude-code" or (host == "vscode" and args.project is not None):
        refs = secrets  # the host (or the shell) fills them in
    elif host != "vscode":
        env.update({var: os.environ[var].strip() for var in secrets})
    return Launch(command, (*prefix, *serve), env, tuple(refs))


def _absolute_paths(settings: dict[str, Any]) -> dict[str, Any]:
    """File settings made absolute: a host starts the server in a directory of its choosing."""
    return {
        field: str(Path(value).expanduser().absolute())
        if Path in get_args(Settings.model_fields[field].annotation)
        else value
        for field, value in settings.items()
    }


class _Refused(Exception):
    """The install cannot go ahead; the message says why and what to do."""


def run(args: argparse.Namespace, fields: list[str]) -> int:
    host = HOSTS[args.host_name]
    if args.project is not None and host.name != "vscode":
        print_err("wxo-mcp install: --project is for vscode (its workspace .vscode/mcp.json).")
        return 2
    settings = _absolute_paths(overrides_from(args, fields))
    Settings.load(overrides=settings)  # refuse values the server would refuse
    secrets = [var for var in secret_variables() if os.environ.get(var, "").strip()]
    if args.simulator:
        secrets = []  # the simulator brings its own URL and token
    try:
        launch = _launch(args, settings, secrets)
        _advise(args, settings, secrets)
        if host.edits_file or args.project is not None:
            return _merge(host, args, launch)
        _print_command(host, args.name, launch, secrets)
        return 0
    except (_Refused, host_file.HostFileError) as exc:
        print_err(f"wxo-mcp install {host.name}: {exc}")
        return 1


def _advise(args: argparse.Namespace, settings: dict[str, Any], secrets: list[str]) -> None:
    if "WXO_TOKEN" in secrets and "WXO_API_KEY" not in secrets:
        print_err(
            "Note: WXO_TOKEN is a fixed bearer token and stops working when it expires; "
            "WXO_API_KEY (or WXO_TOKEN_FILE) keeps working."
        )
    if not args.simulator and "url" not in settings and not secrets:
        print_err(
            "Note: no --url and no credentials in the environment: the server will use the ADK's "
            "active environment (`wxo-mcp doctor` shows what it finds)."
        )


def _masked(entry: dict[str, Any], launch: Launch) -> dict[str, Any]:
    """The entry as shown on screen: secret values masked."""
    secret = set(secret_variables()) - set(launch.env_refs)
    env = {
        var: str(Secret(value)) if var in secret else value
        for var, value in entry.get("env", {}).items()
    }
    return {**entry, "env": env} if env else entry


def _merge(host: Host, args: argparse.Namespace, launch: Launch) -> int:
    """Add or replace our entry in the host's file; everything else in it stays."""
    path = config_path(host.name, project=args.project.absolute() if args.project else None)
    entry = entry_for(host.name, launch)
    inputs = vscode_inputs(launch, _LABELS) if host.name == "vscode" else []
    if args.print:
        shown: dict[str, Any] = {host.key: {args.name: _masked(entry, launch)}}
        if inputs:
            shown["inputs"] = inputs
        print(json.dumps(shown, indent=2, ensure_ascii=False))
    data = host_file.load(path, host.key)
    servers = data.get(host.key, {})
    old = servers.get(args.name)
    if old is not None and old != entry and not args.force:
        differs = sorted(k for k in set(old) | set(entry) if old.get(k) != entry.get(k))
        raise _Refused(
            f"{path} already has a different {args.name!r} entry (differs in: "
            f"{', '.join(differs)}). Use --force to replace it (the file is backed up first), "
            "or --name to add another."
        )
    updated = json.loads(json.dumps(data))  # a deep copy: compare before and after
    updated.setdefault(host.key, {})[args.name] = entry
    if inputs:
        existing = updated.get("inputs", [])
        if not isinstance(existing, list):
            raise _Refused(f"{path}: 'inputs' should be a list; the file was not changed.")
        ours = {i["id"] for i in inputs}
        kept = [i for i in existing if not (isinstance(i, dict) and i.get("id") in ours)]
        updated["inputs"] = kept + inputs
    if updated == data:
        print_err(f"{host.title}: {args.name!r} is already in {path}; nothing changed.")
        return 0
    if args.print:
        verb = "replace" if old is not None else "add"
        where = "in" if old is not None else "to"
        print_err(
            f"{host.title}: would {verb} {args.name!r} {where} {path} (--print: nothing written)."
        )
        return 0
    saved = host_file.backup(path)
    host_file.save(path, updated)
    verb = "Replaced" if old is not None else "Added"
    print_err(f"{host.title}: {verb} {args.name!r} {'in' if old is not None else 'to'} {path}.")
    if saved is not None:
        print_err(f"The previous file is kept as {saved}.")
    print_err(host.restart)
    return 0


def _print_command(host: Host, name: str, launch: Launch, secrets: list[str]) -> None:
    """For hosts with their own command: print it (stdout) and what it does (stderr)."""
    if host.name == "claude-code":
        print_err(
            "Claude Code keeps its servers itself; run this (secrets are read from your shell's "
            "variables when it runs, never printed):"
        )
        print(claude_mcp_add(name, launch))
        print_err(f"If {name!r} exists already: `claude mcp remove {name} --scope user` first.")
    else:
        print_err(
            "VS Code keeps user-wide servers in its profile; run this to add it there "
            "(or use --project DIR for a workspace's .vscode/mcp.json):"
        )
        print(code_add_mcp(name, launch))
        if secrets:
            print_err(
                f"{', '.join(secrets)} left out of the command line (it would stay in your shell "
                "history): use --project, where VS Code asks for them and stores them securely, "
                "or add them with 'MCP: Open User Configuration'."
            )
    print_err(host.restart)
