"""``wxo-mcp doctor``: is this configuration going to work, and if not, what to change.

It shows every setting with where its value came from (secrets masked by ``Settings.describe``),
then checks in order: an instance URL, credentials, that Orchestrate answers and accepts them,
which agents become tools, and the HTTP bind rules when serving over HTTP. Each finding is
``ok``, ``warning`` or ``problem``; a problem comes with the fix in words and makes the exit
code 1. Serving never needs this to pass (it starts anyway and explains per call); ``doctor``
is where one finds out first.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import anyio
import yaml

from wxo_mcp.api import RetryPolicy
from wxo_mcp.auth import make_token_provider
from wxo_mcp.commands.agents import agent_report, quiet_catalog
from wxo_mcp.commands.common import open_client, settings_from, table
from wxo_mcp.config import ADK_CONFIG, Settings
from wxo_mcp.config.serving import check_client_token, plain_http_warnings, read_state_keys
from wxo_mcp.errors import ApiConnectionError, ConfigError, Unauthorized, WxoError
from wxo_mcp.http_transport import check_bind, is_loopback

__all__ = ["Finding", "Report", "check", "run"]

Level = Literal["ok", "warning", "problem"]

_DEPLOYMENT_WORDS = {
    "local": "local Developer Edition paths",
    "saas": "SaaS paths (IBM Cloud, AWS)",
    "cpd": "Cloud Pak for Data paths",
}


@dataclass(frozen=True)
class Finding:
    level: Level
    what: str
    fix: str = ""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def add(self, level: Level, what: str, fix: str = "") -> None:
        self.findings.append(Finding(level, what, fix))

    def error(self, what: str, exc: WxoError) -> None:
        self.add("problem", f"{what}: {exc.message}", exc.hint)

    @property
    def problems(self) -> int:
        return sum(1 for f in self.findings if f.level == "problem")


def _token_source(settings: Settings) -> str:
    if settings.source_of("token") == "--simulator":
        return "the built-in simulator (--simulator)"
    if settings.token is not None:
        return f"WXO_TOKEN ({settings.source_of('token')})"
    if settings.token_file is not None:
        return f"WXO_TOKEN_FILE {settings.token_file}"
    if settings.api_key is not None:
        return f"exchanging WXO_API_KEY ({settings.source_of('api_key')})"
    if settings.password is not None:
        return "exchanging WXO_USERNAME / WXO_PASSWORD"
    return f"the ADK's saved token of environment '{settings.adk_env}'"


async def check(settings: Settings, allow_remote: bool = False) -> Report:
    """Every check, in order; the network ones only when what they need is there."""
    report = Report()
    await _check_instance(settings, report)
    _check_serving(settings, allow_remote, report)
    return report


async def _check_instance(settings: Settings, report: Report) -> None:
    for warning in plain_http_warnings(settings):
        report.add("warning", warning, "Use the service's https:// URL.")
    if not settings.verify:
        report.add(
            "warning",
            "TLS certificate verification is off (WXO_VERIFY=false).",
            "Use WXO_CA_BUNDLE with your private CA instead.",
        )
    if settings.env_name is not None and settings.adk_env is None:
        _unknown_environment(settings, report)
        if settings.url is None:
            return
    if settings.url is None:
        report.add(
            "problem",
            "No Orchestrate instance URL is configured.",
            "Set WXO_URL (http://localhost:4321 for the local Developer Edition, or your "
            "instance URL from Orchestrate's settings page), or run "
            "`orchestrate env activate <env>`.",
        )
        return
    kind = settings.resolved_deployment or "saas"
    report.add("ok", f"Instance {settings.url} ({_DEPLOYMENT_WORDS[kind]}).")
    try:
        await make_token_provider(settings).token()
    except WxoError as exc:
        report.error("No usable credentials", exc)
        return
    report.add("ok", f"Credentials: a bearer token from {_token_source(settings)}.")
    await _check_orchestrate(settings, report)


def _adk_environments(home: Path) -> list[str]:
    """The environment names in the ADK's config.yaml (none when it is missing or unreadable)."""
    try:
        config = yaml.safe_load((home / ADK_CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    envs = config.get("environments") if isinstance(config, dict) else None
    return sorted(str(name) for name in envs) if isinstance(envs, dict) else []


def _unknown_environment(settings: Settings, report: Report) -> None:
    """WXO_ENV names an environment the ADK does not have: say so, with the ones it has."""
    typed = "--env" if settings.source_of("env_name") == "flag" else "WXO_ENV"
    known = _adk_environments(Path.home())
    what = f"The ADK environment '{settings.env_name}' ({typed}) is not in ~/{ADK_CONFIG}"
    if known:
        report.add(
            "problem" if settings.url is None else "warning",
            f"{what}. Known environments: {', '.join(known)}.",
            f"Set {typed} to one of them (or leave it out to use the active one), or set "
            "WXO_URL and credentials instead.",
        )
    else:
        report.add(
            "problem" if settings.url is None else "warning",
            f"{what}, which lists no environments (the ADK is not set up for this user).",
            f"Add it with `orchestrate env add -n {settings.env_name} -u <instance URL>`, or "
            f"leave {typed} out and set WXO_URL and credentials instead.",
        )


def _check_serving(settings: Settings, allow_remote: bool, report: Report) -> None:
    if settings.transport != "http":
        return
    try:
        empty_token = check_client_token(os.environ)
        check_bind(settings, allow_remote)
        keys = read_state_keys(settings)
    except ConfigError as exc:
        report.error("HTTP serving", exc)
        return
    if empty_token:
        report.add("warning", empty_token, "Set WXO_MCP_TOKEN to a secret, or unset it.")
    if settings.stateless and not keys:
        report.add(
            "warning",
            "Stateless without WXO_MCP_STATE_KEY: behind a load balancer, an answer to an "
            "agent's choice that reaches another replica is refused.",
            "Set the same WXO_MCP_STATE_KEY on every replica.",
        )
    where = "loopback only" if is_loopback(settings.host) else "reachable from the network"
    guard = "client token required" if settings.mcp_token else "no client token"
    report.add("ok", f"HTTP on {settings.host}:{settings.port} ({where}; {guard}).")


async def _check_orchestrate(settings: Settings, report: Report) -> None:
    started = time.perf_counter()
    async with open_client(settings, retry=RetryPolicy(attempts=1), connect_timeout=5.0) as c:
        try:
            agents = await agent_report(settings, c)
        except Unauthorized as exc:
            report.add(
                "problem",
                f"Orchestrate refused the token: {exc.message}",
                exc.hint or "Get a fresh token, or run `orchestrate env activate <env>` again.",
            )
            return
        except ApiConnectionError as exc:
            report.error("Orchestrate is unreachable", exc)
            return
        except WxoError as exc:
            report.error("Reading the agent list failed", exc)
            return
    elapsed = time.perf_counter() - started
    report.add("ok", f"Orchestrate answered and accepted the token ({elapsed:.2f} s).")
    total = len(agents.rows)
    if total == 0:
        report.add(
            "warning",
            "Orchestrate has no agents yet: only the generic tools will be offered.",
            "Create and deploy an agent in Orchestrate (or `orchestrate agents import`).",
        )
        return
    if agents.selected == 0:
        report.add(
            "problem",
            f"WXO_AGENTS ({','.join(settings.agents)}) selects none of the {total} agents.",
            "Fix the patterns; `wxo-mcp agents` lists the agent names.",
        )
        return
    report.add(
        "ok",
        f"Agents: {agents.offered} of {total} offered as tools "
        f"({', '.join(r.tool or '' for r in agents.rows if r.offered)[:200] or 'none'}).",
    )
    if agents.offered < agents.selected:
        reason = next(r.note for r in agents.rows if r.selected and not r.offered)
        report.add(
            "warning",
            f"{agents.selected - agents.offered} agents have no tool of their own: {reason}.",
            "Narrow WXO_AGENTS or raise WXO_MAX_AGENT_TOOLS if you want one tool per agent.",
        )


def render(settings: Settings, report: Report) -> str:
    lines = ["Configuration (flags > environment > ADK files > defaults):"]
    lines.append(table(("SETTING", "VALUE", "SOURCE"), settings.describe(), indent="  "))
    lines += ["", "Checks:"]
    for finding in report.findings:
        lines.append(f"  {finding.level:<8} {finding.what}")
        if finding.fix:
            lines.append(f"  {'':<8} fix: {finding.fix}")
    lines.append("")
    if report.problems:
        lines.append(f"{report.problems} problem(s) found.")
    else:
        lines.append("No problems found.")
    return "\n".join(lines)


def run(args: argparse.Namespace, fields: list[str]) -> int:
    with settings_from(args, fields) as settings:
        quiet_catalog(settings)
        report = anyio.run(check, settings, bool(getattr(args, "allow_remote", False)))
    print(render(settings, report), flush=True)
    return 1 if report.problems else 0
