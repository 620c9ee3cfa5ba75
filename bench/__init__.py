"""Benchmarks of wxo-mcp against the physical limit and against IBM's own MCP server.

Run ``uv run python -m bench`` from the repository root; see ``bench/README.md``. Nothing here is
part of the package or of CI's gate: ``tests/test_bench_smoke.py`` only checks that it still runs.
"""
