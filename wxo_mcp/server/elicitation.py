"""How a tool call may ask the user to pick an option, given what the client can do.

Only a client that does form elicitation is asked. A 2026-era call answers with an
input-required result and the choice comes back in a retried call; an older one is asked
mid-call with ``elicitation/create``, when the session can still send requests.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import ElicitResult
from mcp_types.version import is_version_at_least

from wxo_mcp.bridge.choices import ChoiceChannel

__all__ = ["choice_channel"]

_INPUT_REQUIRED_VERSION = "2026-07-28"


def choice_channel(ctx: Context[dict[str, Any], Any]) -> ChoiceChannel | None:
    """The channel for this call, or None if the user cannot be asked."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return None
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return ChoiceChannel(
            input_required=True, responses=ctx.input_responses, state=ctx.request_state
        )
    session = ctx.session
    if not session.can_send_request:
        return None
    request_id = ctx.request_id

    async def push(message: str, schema: dict[str, Any]) -> ElicitResult:
        answer: ElicitResult = await session.elicit_form(
            message, schema, related_request_id=request_id
        )
        return answer

    return ChoiceChannel(push=push)
