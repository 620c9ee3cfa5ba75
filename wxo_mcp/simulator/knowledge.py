"""Knowledge bases: the one ``search_agent`` answers from, as ``…/knowledge-bases`` lists it.

``orchestrate env activate`` checks a fresh token with ``GET …/orchestrate/knowledge-bases``
(locally; ``<inst>/v1/orchestrate/knowledge-bases`` remotely), and ``orchestrate agents list``
turns an agent's ``knowledge_base`` ids into names with ``?ids=`` ([SRC] ADK 2.19.1
``knowledge_base_client.py``, ``environment_controller.py``, ``agents_controller.py``). The list
is a plain array, like the agents list; ``include=global`` and ``workspace_id`` are accepted and
ignored (one workspace).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import errors, payloads
from .agents import AgentSpec, stable_id
from .state import SimulatorState

#: Descriptions of the knowledge bases the fixed agents use, by name.
DESCRIPTIONS = {"hr_policies": "Leave and carry-over policies of the company."}


def knowledge_base(name: str) -> payloads.JSON:
    """The knowledge base called ``name``, from the recorded template (stable ids)."""
    kb: payloads.JSON = payloads.load("knowledge_base.json")["knowledge_base"]
    kb.update(
        id=stable_id("knowledge_base", name),
        name=name,
        description=DESCRIPTIONS.get(name, f"The {name} knowledge base."),
        vector_index_id=stable_id("vector_index", name),
    )
    return kb


def catalogue(agents: Iterable[AgentSpec]) -> list[payloads.JSON]:
    """Every knowledge base some agent uses, once, in first-use order."""
    names = dict.fromkeys(kb for agent in agents for kb in agent.knowledge_base)
    return [knowledge_base(name) for name in names]


async def list_knowledge_bases(
    request: Request, state: SimulatorState, params: dict[str, str]
) -> Response:
    """``GET …/knowledge-bases[?ids=…][&names=…]``."""
    ids = request.query_params.getlist("ids")
    names = request.query_params.getlist("names")
    chosen = [
        kb
        for kb in catalogue(state.agents)
        if (not ids or kb["id"] in ids) and (not names or kb["name"] in names)
    ]
    return JSONResponse(chosen)


async def get_knowledge_base(
    request: Request, state: SimulatorState, params: dict[str, str]
) -> Response:
    """``GET …/knowledge-bases/{id}``."""
    wanted = params["knowledge_base_id"]
    for kb in catalogue(state.agents):
        if kb["id"] == wanted:
            return JSONResponse(kb)
    return errors.not_found(f"Knowledge base with id '{wanted}' not found")
