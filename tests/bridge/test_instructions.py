"""Every "call X with Y" a result (or any message of ours) gives a model must work when obeyed.

Generic: the instructions are found in (1) every footer the renderer can produce, for every
status, tool and id combination, and (2) every string literal of the product's source (f-string
placeholders stand for any value). Each named tool must exist and each named argument must be in
that tool's input schema. ``tests/e2e/test_instructions.py`` obeys them end to end.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from wxo_mcp.bridge.arguments import input_schema
from wxo_mcp.bridge.results import RunResult, RunStatus, render_text
from wxo_mcp.bridge.tools import AGENT_PARAMS, generic_tools

SOURCE = Path(__file__).resolve().parents[2] / "wxo_mcp"
AGENT_TOOL = "echo_agent"  # any per-agent tool: they share one input schema

#: "call <tool> [again] with <clause>": the clause runs to the end of the sentence.
INSTRUCTION = re.compile(r"\bcall (?P<tool>[A-Za-z0-9_{}-]+)(?: again)? with (?P<clause>[^.;]*)")
#: An argument: a snake_case name, or any word followed by its quoted value.
ARGUMENT = re.compile(r'\b([a-z]+_[a-z_]+)\b|\b([a-z]+) "')


def schemas() -> dict[str, set[str]]:
    tools = {t["name"]: set(t["inputSchema"].get("properties", {})) for t in generic_tools(50)}
    tools[AGENT_TOOL] = set(input_schema(AGENT_PARAMS)["properties"])
    return tools


def instructions(text: str) -> list[tuple[str, set[str]]]:
    """(tool, argument names) of every instruction in ``text``."""
    found = []
    for match in INSTRUCTION.finditer(text):
        clause = re.sub(r'"[^"]*"', '"', match["clause"])  # values never count as names
        names = {a or b for a, b in ARGUMENT.findall(clause)}
        found.append((match["tool"], names))
    return found


def check(text: str, where: str) -> int:
    known = schemas()
    count = 0
    for tool, names in instructions(text):
        if "{" in tool:  # an f-string's tool placeholder: the footers below cover every tool
            continue
        assert tool in known, f"{where}: names a tool that does not exist: {tool!r} in {text!r}"
        unknown = names - known[tool]
        assert not unknown, f"{where}: {tool} takes no {sorted(unknown)}: {text!r}"
        count += 1
    return count


def test_the_parser_finds_what_it_must():
    text = 'call get_run with run_id "r" (optionally with wait_seconds) to get the answer'
    assert instructions(text) == [("get_run", {"run_id", "wait_seconds"})]
    assert instructions('call get_run again with thread_id "t".') == [("get_run", {"thread_id"})]
    with pytest.raises(AssertionError, match="takes no"):
        check('To continue, call get_run again with thread_id "t".', "example")


def _results() -> list[RunResult]:
    out = []
    for status, run_id, thread_id, agent in itertools.product(
        get_args(RunStatus), [None, "r-1"], [None, "t-1"], [None, "echo_agent"]
    ):
        out.append(
            RunResult(
                text="some text",
                thread_id=thread_id,
                run_id=run_id,
                agent=agent,
                status=status,
                error="it broke" if status in ("failed", "interrupted") else None,
            )
        )
    return out


@pytest.mark.parametrize(
    ("tool", "get_run_tool"),
    # Without the generic tools (WXO_TOOLS=agents) only the agent tools exist.
    [(AGENT_TOOL, True), (AGENT_TOOL, False), ("ask_agent", True), ("get_run", True)],
)
def test_every_footer_names_only_accepted_arguments(tool: str, get_run_tool: bool):
    checked = sum(
        check(render_text(result, tool, get_run_tool), f"{tool} {result.status}")
        for result in _results()
    )
    assert checked > 0


def _literal(node: ast.AST) -> str | None:
    """A string literal's text (adjacent literals are one node already; ``+`` joins too)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[Any] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("{}")
        return "".join(parts)
    return None


def test_every_instruction_in_the_source_names_only_accepted_arguments():
    checked = 0
    for path in sorted(SOURCE.rglob("*.py")):
        if "simulator" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        texts = [_literal(node) for node in ast.walk(tree) if id(node) not in docstrings]
        for text in filter(None, texts):
            checked += check(text, str(path.relative_to(SOURCE)))
    assert checked >= 5
