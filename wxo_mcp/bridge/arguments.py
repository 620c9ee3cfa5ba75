"""Checking tool arguments by hand, so every mistake gets a sentence a model can act on.

Hosts do not always validate against the input schema, and a pydantic error dump is no help to a
model. Ids are checked here before they can reach a URL path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wxo_mcp.api.paths import is_valid_id

__all__ = ["ArgumentError", "ParamSpec", "check_arguments", "is_valid_id"]


class ArgumentError(ValueError):
    """Arguments the tool cannot use; the message says which and what is expected."""


@dataclass(frozen=True)
class ParamSpec:
    kind: str  # "text", "id", "seconds" or "flag"
    required: bool = False
    description: str = ""

    def schema(self) -> dict[str, Any]:
        if self.kind == "seconds":
            return {"type": "number", "minimum": 0, "description": self.description}
        if self.kind == "flag":
            return {"type": "boolean", "default": False, "description": self.description}
        schema: dict[str, Any] = {"type": "string", "description": self.description}
        if self.required:
            schema["minLength"] = 1
        return schema


def input_schema(params: Mapping[str, ParamSpec]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: spec.schema() for name, spec in params.items()},
        "required": [name for name, spec in params.items() if spec.required],
        "additionalProperties": False,
    }


def _describe(params: Mapping[str, ParamSpec]) -> str:
    return ", ".join(f"{n} (required)" if s.required else n for n, s in params.items())


def check_arguments(
    tool: str, arguments: Mapping[str, Any] | None, params: Mapping[str, ParamSpec]
) -> dict[str, Any]:
    """The arguments, cleaned; raises ArgumentError naming every problem found."""
    arguments = arguments or {}
    problems: list[str] = []
    extra = sorted(str(k) for k in arguments if k not in params)
    if extra:
        listed = ", ".join(repr(k[:60]) for k in extra[:5]) + (" …" if len(extra) > 5 else "")
        problems.append(f"unknown argument(s) {listed}")
    clean: dict[str, Any] = {}
    for name, spec in params.items():
        value = arguments.get(name)
        if value is None:
            if spec.required:
                problems.append(f"'{name}' is required")
            continue
        if spec.kind == "seconds":
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                problems.append(f"'{name}' must be a number of seconds")
            elif value < 0:
                problems.append(f"'{name}' must not be negative")
            else:
                clean[name] = float(value)
            continue
        if spec.kind == "flag":
            if isinstance(value, bool):
                clean[name] = value
            else:
                problems.append(f"'{name}' must be true or false")
            continue
        if not isinstance(value, str):
            problems.append(f"'{name}' must be a string, not {type(value).__name__}")
            continue
        if spec.kind == "id":
            value = value.strip()
            if not is_valid_id(value):
                problems.append(
                    f"'{name}' is not a valid Orchestrate id (expected a UUID such as "
                    "'2bd3d825-17e5-43d1-8740-72b4cd41f34f', as returned by an earlier call)"
                )
                continue
        elif not value.strip():
            if spec.required:
                problems.append(f"'{name}' must not be empty")
            continue
        clean[name] = value
    if problems:
        raise ArgumentError(
            f"Invalid arguments for {tool}: "
            + "; ".join(problems)
            + f". It takes: {_describe(params)}."
        )
    return clean
