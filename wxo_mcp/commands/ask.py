"""``wxo-mcp ask AGENT MESSAGE [--thread ID]``: one call, through the same bridge a host uses.

It is ``ask_agent`` from a terminal: the progress lines a host would see go to stderr, the answer
alone to stdout (so it can be piped), and the thread to continue on stderr. The exit code says how
the run ended: 0 completed, 3 still running at the deadline (the run id is printed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

import anyio

from wxo_mcp.commands.common import open_bridge, print_err, settings_from, typed_flags
from wxo_mcp.config import Settings

__all__ = ["EXIT_RUNNING", "run"]

EXIT_RUNNING = 3


async def _ask(settings: Settings, agent: str, message: str, thread: str | None) -> dict[str, Any]:
    async def progress(_: float, text: str) -> None:
        print_err(f"… {text}")

    arguments = {"agent": agent, "message": message}
    if thread:
        arguments["thread_id"] = thread
    async with open_bridge(settings) as bridge:
        result = await bridge.call("ask_agent", arguments, progress)
    return dict(result.structured_content or {})


def _continuation(args: argparse.Namespace, fields: list[str], thread: str) -> str:
    """The command that continues the thread, with the flags given this time (``--simulator``
    too: its threads are kept between runs), so that it works exactly as printed."""
    words = ["ask", *typed_flags(args, fields), args.agent]
    quoted = " ".join(shlex.quote(w) for w in words)
    return f"wxo-mcp {quoted} '…' --thread {thread}"


def run(args: argparse.Namespace, fields: list[str]) -> int:
    # The generic ask_agent is this command's way in, whatever surfaces WXO_TOOLS gives hosts;
    # WXO_AGENTS still applies.
    with settings_from(args, fields, keep_threads=True, tools="agents,generic") as settings:
        data = anyio.run(_ask, settings, args.agent, args.message, args.thread)
    status = data.get("status")
    if data.get("text"):
        print(data["text"], flush=True)
    thread = data.get("thread_id")
    if status == "completed":
        if thread:
            print_err(f"thread_id: {thread}  (continue: {_continuation(args, fields, thread)})")
        return 0
    if status == "running":
        print_err(
            f"The agent is still working after {settings.tool_deadline:g} s (run_id "
            f"{data.get('run_id')}, thread_id {thread}). Wait longer with --tool-deadline."
        )
        return EXIT_RUNNING
    print_err(f"wxo-mcp ask: {status}: {data.get('error') or 'no answer'}")
    return 1
