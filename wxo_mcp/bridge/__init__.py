"""Orchestrate agents as MCP tools: catalog, runs, progress and results (no MCP wiring here).

The entry point is :class:`wxo_mcp.bridge.service.Bridge`; the submodules are small and pure
enough to be tested one by one.
"""
