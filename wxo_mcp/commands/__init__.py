"""The subcommands of ``wxo-mcp``, one module each; ``wxo_mcp.cli`` parses and dispatches.

Each command is ``run(args) -> int``: it returns the exit code and never exits itself, so the
CLI stays the one place that ends the process.
"""
