"""The MCP face of wxo-mcp: wiring only, no Orchestrate logic (that is the bridge's).

`app` builds the ``MCPServer`` and registers everything on it; `resources` declares the
resources, `list_changes` keeps clients' tool and prompt lists current, `elicitation` picks how a
call may ask the user, `tasks` is the tasks extension's translation to and from the wire.
"""

from wxo_mcp.server.app import WxoServer, build_server

__all__ = ["WxoServer", "build_server"]
