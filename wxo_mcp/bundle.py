"""Entry point of the Claude Desktop bundle (``manifest.json``, server type ``uv``).

The host fills ``WXO_*`` from the bundle's settings form. An optional field left empty arrives as an
empty variable, which counts as unset; some hosts pass the placeholder itself
(``${user_config.agents}``) instead, which is dropped here so it is never taken for a URL, a key or
an agent pattern. Then it serves MCP over stdio, as ``wxo-mcp serve`` does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["main"]

_PLACEHOLDER = "${user_config."


def main() -> None:
    for name in [n for n, v in os.environ.items() if n.startswith("WXO_") and _PLACEHOLDER in v]:
        del os.environ[name]
    from wxo_mcp.cli import main as cli_main

    cli_main(["serve"])


if __name__ == "__main__":
    # Run as a file (the manifest's entry_point), Python puts this folder first on the path, where
    # our modules (config, errors, server…) would shadow top-level ones; the bundle's root
    # belongs there instead.
    here = Path(__file__).resolve().parent
    if sys.path and Path(sys.path[0] or ".").resolve() == here:
        sys.path[0] = str(here.parent)
    main()
