"""Summaries (median, min, max) and the markdown tables the benchmark prints."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no samples")
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Row:
    """One line of the main table.

    ``target`` is an upper bound in the row's unit; ``ratio`` an upper bound as a multiple of
    ``floor`` (the same thing measured without wxo-mcp, in the same run). A row may have both.
    """

    label: str
    unit: str
    summary: Summary | None
    target: float | None = None
    note: str = ""
    floor: Summary | None = None
    ratio: float | None = None

    def verdict(self) -> str:
        if self.summary is None:
            return ""
        bounds = []
        if self.target is not None:
            bounds.append(self.target)
        if self.ratio is not None and self.floor is not None:
            bounds.append(self.ratio * self.floor.median)
        if not bounds:
            return ""
        met = self.summary.median <= min(bounds)
        said = []
        if self.ratio is not None and self.floor is not None:
            said.append(
                f"{self.ratio:g} × floor = {fmt(self.ratio * self.floor.median, self.unit)}"
            )
        if self.target is not None:
            said.append(fmt(self.target, self.unit))
        return f"{'met' if met else 'MISSED'} (≤ {', ≤ '.join(said)})"


def fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.2f}"


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| measure | median | min | max | n | floor | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        s = row.summary
        floor = fmt(row.floor.median, row.unit) if row.floor is not None else ""
        if s is None:
            lines.append(f"| {row.label} | n/a | | | | {floor} | {row.note} |")
            continue
        cells = [fmt(s.median, row.unit), fmt(s.low, row.unit), fmt(s.high, row.unit)]
        if s.count == 1:
            cells[1:] = ["", ""]
        target = " ".join(x for x in (row.verdict(), row.note) if x)
        lines.append(f"| {row.label} | {' | '.join(cells)} | {s.count} | {floor} | {target} |")
    return "\n".join(lines)


def span(s: Summary | None, unit: str) -> str:
    """``median (min–max)`` in one cell."""
    if s is None:
        return "n/a"
    if s.count == 1:
        return fmt(s.median, unit)
    return f"{fmt(s.median, unit)} ({fmt(s.low, unit)}–{fmt(s.high, unit)})"


def side_by_side(rows: Sequence[tuple[str, str, Summary | None, Summary | None]]) -> str:
    lines = ["| case | wxo-mcp | IBM MCP server 2.19.1 |", "|---|---:|---:|"]
    for label, unit, ours, theirs in rows:
        lines.append(f"| {label} | {span(ours, unit)} | {span(theirs, unit)} |")
    return "\n".join(lines)
