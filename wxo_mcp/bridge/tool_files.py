"""Files a tool hands out: ``downloadable_file`` entries found in a tool step's output.

Apart from the renderer because this reads tool outputs (strings, often JSON, sometimes an MCP
result wrapping JSON; orchestrate-api.md §5.3), not the content items of a message: a parser
of its own, with its own limits on depth and breadth.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from wxo_mcp.bridge.widgets import field_text

__all__ = ["downloadable_files"]


def downloadable_files(value: object, depth: int = 0) -> list[tuple[str, str]]:
    """(filename, path) of each ``downloadable_file`` in a parsed tool output.

    Tool outputs are strings, often JSON, and MCP toolkit tools wrap theirs in an MCP result
    (``{"content": [{"type": "text", "text": "<json>"}]}``), so look one level inside that too.
    """
    if depth > 3:
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.startswith(("{", "[")):
            return []
        try:
            return downloadable_files(json.loads(stripped), depth + 1)
        except ValueError:
            return []
    if isinstance(value, list):
        return [found for v in value[:50] for found in downloadable_files(v, depth + 1)]
    if isinstance(value, Mapping):
        if value.get("type") == "downloadable_file" and isinstance(value.get("path"), str):
            return [(field_text(value.get("filename")), str(value["path"]))]
        if isinstance(value.get("content"), list):
            return [
                found
                for block in value["content"][:50]
                if isinstance(block, Mapping)
                for found in downloadable_files(block.get("text"), depth + 1)
            ]
    return []
