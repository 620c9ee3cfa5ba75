"""Threads that outlive the process: ``SimulatorOptions.threads_file``.

A simulator started for one command (``wxo-mcp ask --simulator``) is gone when the command ends,
so the ``thread_id`` it printed would be unknown to the next one, which starts its own. With
``threads_file`` set, :class:`~.server.Simulator` loads the threads (with their messages) from that
JSON file at start and writes back the ones it created or changed at stop. Runs are not kept: a
finished run's answer is in its thread, which is what a continuation needs.

Two commands may overlap: a write re-reads the file and replaces only this process's threads, so
neither loses the other's. The newest :data:`MAX_THREADS` threads are kept. A missing, unreadable
or malformed file counts as empty (and is replaced by the next write).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .store import ThreadRecord

__all__ = ["MAX_THREADS", "load_threads", "save_threads", "snapshot"]

logger = logging.getLogger(__name__)

MAX_THREADS = 200
_VERSION = 1


def load_threads(path: Path) -> dict[str, ThreadRecord]:
    """The saved threads, oldest first (empty when there are none to read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        logger.warning("Ignoring the simulator's saved threads in %s: %s", path, exc)
        return {}
    items = data.get("threads") if isinstance(data, dict) else None
    threads: dict[str, ThreadRecord] = {}
    for item in items if isinstance(items, list) else []:
        thread = item.get("thread") if isinstance(item, dict) else None
        messages = item.get("messages") if isinstance(item, dict) else None
        if isinstance(thread, dict) and isinstance(thread.get("id"), str):
            kept = (
                [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
            )
            threads[thread["id"]] = ThreadRecord(thread, kept)
    return threads


def snapshot(threads: Mapping[str, ThreadRecord]) -> dict[str, int]:
    """What :func:`save_threads` compares against to find the threads this process changed."""
    return {thread_id: len(record.messages) for thread_id, record in threads.items()}


def save_threads(
    path: Path, threads: Mapping[str, ThreadRecord], loaded: Mapping[str, int]
) -> None:
    """Write the threads created or changed since ``loaded`` (a :func:`snapshot`) into ``path``,
    keeping what the file holds by now for every other thread."""
    changed = [r for t, r in threads.items() if loaded.get(t) != len(r.messages)]
    if not changed:
        return
    merged = load_threads(path)
    for record in changed:
        merged.pop(record.id, None)  # re-inserted last: the newest
        merged[record.id] = record
    kept = list(merged.values())[-MAX_THREADS:]
    body: dict[str, Any] = {
        "version": _VERSION,
        "threads": [{"thread": r.thread, "messages": r.messages} for r in kept],
    }
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".threads-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False)
        os.replace(temporary, path)  # readers see the old file or the new one, never half
    except OSError as exc:
        logger.warning("Could not save the simulator's threads to %s: %s", path, exc)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
