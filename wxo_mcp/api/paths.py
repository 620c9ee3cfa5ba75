"""Which path family an instance URL uses, and the URL of each endpoint.

Developer Edition serves runs and agents under `/v1/orchestrate/…` but threads under
`/v1/threads`; SaaS (IBM Cloud, AWS) and CPD serve everything under
`<instance>/v1/orchestrate/…` (orchestrate-api.md §1.2). The URL is classified as the ADK does
(§1.1), unless WXO_DEPLOYMENT says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from wxo_mcp.config import Deployment, guess_deployment
from wxo_mcp.errors import InvalidArgument

__all__ = ["Deployment", "Endpoints", "classify_url", "is_valid_id", "validate_id"]

#: The one id rule, for tool arguments, resource URIs and URL paths alike.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")

#: The ADK's classification of an instance URL (orchestrate-api.md §1.1); lives in config.
classify_url = guess_deployment


def is_valid_id(value: object) -> bool:
    """Orchestrate ids are UUIDs; accept the id alphabet only, never a path or query fragment."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def validate_id(value: str, what: str) -> str:
    """Return `value` if it is a safe, UUID-like path segment; raise InvalidArgument otherwise.

    Ids go into URL paths: refusing anything but letters, digits, `-` and `_` (at most 128)
    keeps a crafted id from reaching another endpoint (`../agents`) or smuggling query strings.
    """
    if not is_valid_id(value):
        raise InvalidArgument(
            f"{what} {str(value)[:80]!r} is not a valid id.",
            f"Pass the {what} exactly as Orchestrate returned it (letters, digits and dashes).",
        )
    return value


@dataclass(frozen=True)
class Endpoints:
    """The endpoint URLs for one instance URL and deployment."""

    instance_url: str
    deployment: Deployment

    @classmethod
    def for_url(cls, url: str, deployment: Deployment) -> Endpoints:
        """Normalise the instance URL (no trailing slash; a pasted `/v1` suffix removed)."""
        base = url.strip().rstrip("/")
        for suffix in ("/v1/orchestrate", "/v1"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        return cls(base, deployment)

    @property
    def is_local(self) -> bool:
        """Developer Edition path family."""
        return self.deployment == "local"

    @property
    def orchestrate(self) -> str:
        """Root of runs and agents: `<url>/v1/orchestrate` in every family."""
        return f"{self.instance_url}/v1/orchestrate"

    @property
    def threads(self) -> str:
        """Root of threads: `<url>/v1/threads` locally, `<url>/v1/orchestrate/threads` remotely."""
        if self.is_local:
            return f"{self.instance_url}/v1/threads"
        return f"{self.orchestrate}/threads"

    @property
    def agents(self) -> str:
        """`GET` lists agents."""
        return f"{self.orchestrate}/agents"

    def _outside_orchestrate(self, local: str, remote: str) -> str:
        """An endpoint the local family serves outside `/v1/orchestrate` (§1.2)."""
        if self.is_local:
            return f"{self.instance_url}/v1/{local}"
        return f"{self.orchestrate}/{remote}"

    @property
    def tools(self) -> str:
        """`GET ?ids=` lists tools: `<url>/v1/tools/` locally, `…/v1/orchestrate/tools` remotely."""
        return self._outside_orchestrate("tools/", "tools")

    @property
    def external_agents(self) -> str:
        """`GET ?ids=` lists external agents."""
        return self._outside_orchestrate("agents/external-chat", "agents/external-chat")

    @property
    def assistant_agents(self) -> str:
        """`GET ?ids=` lists assistant agents."""
        return self._outside_orchestrate("assistants/watsonx", "assistants/watsonx")

    @property
    def runs(self) -> str:
        """`GET` lists runs, `POST` creates one."""
        return f"{self.orchestrate}/runs"

    def run(self, run_id: str) -> str:
        """One run."""
        return f"{self.runs}/{quote(validate_id(run_id, 'run_id'), safe='')}"

    def thread_messages(self, thread_id: str) -> str:
        """A thread's messages."""
        return f"{self.threads}/{quote(validate_id(thread_id, 'thread_id'), safe='')}/messages"
