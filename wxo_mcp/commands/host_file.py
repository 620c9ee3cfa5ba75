"""Reading and rewriting a host's JSON configuration without losing anything in it.

A host's file holds other servers and, for Claude Desktop, the app's own preferences: we change one
entry and keep every other key and its order. A file we cannot parse is reported with its line and
column and left exactly as it is (it may be JSON with comments the host accepts and we do not).
Before a file is replaced, its current bytes are copied beside it; the new content is written to a
temporary file in the same folder and moved over the old one, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["HostFileError", "backup", "load", "save"]


class HostFileError(Exception):
    """The host's file cannot be used as it is; the message names the file (and line)."""


def load(path: Path, key: str) -> dict[str, Any]:
    """The file's JSON object ({} if there is no file); its ``key`` must be an object if present."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise HostFileError(f"cannot read {path}: {exc}") from exc
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HostFileError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); fix it (or remove "
            "it) and run this again. The file was not changed."
        ) from exc
    if not isinstance(data, dict):
        raise HostFileError(
            f"{path}: expected a JSON object at the top, found {type(data).__name__}; "
            "the file was not changed."
        )
    if key in data and not isinstance(data[key], dict):
        raise HostFileError(
            f"{path}: {key!r} should be an object of servers, found "
            f"{type(data[key]).__name__}; the file was not changed."
        )
    return data


def backup(path: Path) -> Path | None:
    """Copy the file's current bytes beside it (a new name each time); None if it does not exist."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{stamp}-{n}.bak")
    target.write_bytes(content)
    os.chmod(target, stat.S_IMODE(path.stat().st_mode))
    return target


def save(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically, keeping its permissions (owner-only for a new file: it may
    hold an API key)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
