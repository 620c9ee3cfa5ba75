"""The subcommands of ``wxo-mcp``, one module each; ``wxo_mcp.cli`` parses and dispatches.

Each command is ``run(args, fields) -> int`` (``fields``: the settings its flags may set): it
returns the exit code and never exits itself, so the CLI stays the one place that ends the
process.
"""
