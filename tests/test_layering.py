"""The layout's promise, kept by a test: data flows one way, down, and nothing imports in a cycle.

Read from the source (every ``import`` anywhere in a module, including those inside functions),
so a new upward import fails here with the two modules named, before it becomes a tangle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import wxo_mcp

PACKAGE = Path(wxo_mcp.__file__).parent

#: Top first; a part may import only parts below it (and itself). Parts on one line are peers
#: that do not import each other. "wxo_mcp" is the package's own __init__ (``__version__``).
LAYERS = [
    ("__main__", "bundle"),
    ("cli",),
    ("commands",),
    ("http_transport",),
    ("http_guards",),
    ("server",),
    ("stdio",),
    ("bridge",),
    ("api",),
    ("auth",),
    ("config",),
    ("errors",),
    ("error_answers",),
    ("wxo_mcp",),
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}
#: The simulator stands apart: it imports nothing of ours, and only commands start it.
SIMULATOR_USERS = {"commands"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(module of ours, line) for each import in the file, resolved to the deepest module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield (full if full in modules else node.module), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def _part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else pieces[0]


def test_every_part_has_a_layer():
    parts = {_part(name) for name in _modules()} - {"simulator"}
    assert parts <= set(RANK), f"place these in LAYERS: {sorted(parts - set(RANK))}"


def test_imports_go_down_only():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        here = _part(name)
        for target, line in _imports(path, modules):
            there = _part(target)
            if not target.startswith("wxo_mcp") or there == here:
                continue
            if there == "simulator":
                ok = here in SIMULATOR_USERS
            else:
                ok = here != "simulator" and RANK[there] > RANK[here]
            if not ok:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, "imports that run up or sideways:\n" + "\n".join(wrong)


def test_no_module_imports_itself_round_a_cycle():
    modules = _modules()
    edges = {
        name: {t for t, _ in _imports(path, modules) if t in modules and t != name}
        for name, path in modules.items()
    }
    cycles = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(" -> ".join([*trail[trail.index(name) :], name]))
            return
        if name in done:
            return
        for target in sorted(edges[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(modules):
        visit(name, [])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_checks_see_an_upward_import(tmp_path):
    """The rules above reject what they are for (so they cannot pass by reading nothing)."""
    modules = _modules()
    assert len(modules) > 50
    assert ("wxo_mcp.bridge.service", 1) not in set(
        _imports(PACKAGE / "api" / "client.py", modules)
    )
    upward = tmp_path / "upward.py"
    upward.write_text("def f():\n    from wxo_mcp.bridge.service import Bridge\n")
    assert list(_imports(upward, modules)) == [("wxo_mcp.bridge.service", 2)]
    assert RANK[_part("wxo_mcp.bridge.service")] < RANK[_part("wxo_mcp.api.client")]
