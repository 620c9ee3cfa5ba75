"""``wxo-mcp doctor``: settings with their sources, then checks with fixes; exit 1 on a problem."""

from __future__ import annotations

import json
import re


def checks(out: str) -> list[str]:
    return out.split("Checks:", 1)[1].strip().splitlines()


def setting(out: str, name: str) -> list[str]:
    found = re.search(rf"^  {name} +(.*)$", out, re.MULTILINE)
    assert found, out
    return found.group(1).split()


def agent_counts(run_cli, env) -> tuple[int, int]:
    """(every agent, the visible ones), as ``wxo-mcp agents --json`` sees them."""
    rows = json.loads(run_cli("agents", "--json", env=env).out)
    return len(rows), sum(1 for r in rows if r["selected"])


def test_all_good(run_cli, sim_env):
    total, visible = agent_counts(run_cli, sim_env)
    result = run_cli("doctor", "--tool-deadline", "30", env=sim_env)
    assert result.code == 0, result.out + result.err
    assert setting(result.out, "WXO_URL") == [sim_env["WXO_URL"], "env"]
    assert setting(result.out, "WXO_TOOL_DEADLINE") == ["30.0", "flag"]
    assert setting(result.out, "WXO_MAX_AGENT_TOOLS") == ["50", "default"]
    assert setting(result.out, "WXO_TOKEN")[-1] == "env"
    assert sim_env["WXO_TOKEN"] not in result.out + result.err
    lines = checks(result.out)
    assert all(line.split()[0] in ("ok", "fix:") for line in lines[:-2]), lines
    assert any("accepted the token" in line for line in lines)
    assert any(f"Agents: {visible} of {total} offered as tools" in line for line in lines)
    assert result.out.rstrip().endswith("No problems found.")


def test_secret_is_masked(run_cli, sim_env):
    token = "a-long-client-token-0123456789"
    result = run_cli("doctor", env={**sim_env, "WXO_MCP_TOKEN": token})
    assert token not in result.out + result.err
    assert setting(result.out, "WXO_MCP_TOKEN") == ["****6789", "env"]


def test_no_url(run_cli):
    result = run_cli("doctor")
    assert result.code == 1
    assert "problem  No Orchestrate instance URL is configured." in result.out
    assert "fix: Set WXO_URL" in result.out
    assert "1 problem(s) found." in result.out


def test_refused_token(run_cli, simulator):
    result = run_cli("doctor", env={"WXO_URL": simulator.url, "WXO_TOKEN": "not-the-token-0000"})
    assert result.code == 1
    assert "problem  Orchestrate refused the token" in result.out
    assert "fix: Set a valid WXO_TOKEN" in result.out
    assert "not-the-token-0000" not in result.out + result.err


def test_unreachable(run_cli):
    result = run_cli("doctor", env={"WXO_URL": "http://127.0.0.1:9", "WXO_TOKEN": "t" * 20})
    assert result.code == 1
    assert "problem  Orchestrate is unreachable" in result.out
    assert "fix: Check WXO_URL" in result.out


def test_patterns_matching_nothing(run_cli, sim_env):
    total, _ = agent_counts(run_cli, sim_env)
    result = run_cli("doctor", "--agents", "nothing*", env=sim_env)
    assert result.code == 1
    assert f"WXO_AGENTS (nothing*) selects none of the {total} agents" in result.out
    assert "`wxo-mcp agents`" in result.out


def test_over_the_tool_limit_is_a_warning(run_cli, sim_env):
    _, visible = agent_counts(run_cli, sim_env)
    result = run_cli("doctor", env={**sim_env, "WXO_MAX_AGENT_TOOLS": "3"})
    assert result.code == 0
    assert f"warning  {visible} agents have no tool of their own" in result.out


def test_remote_http_bind_without_token(run_cli, sim_env):
    result = run_cli("doctor", "--transport", "http", "--host", "0.0.0.0", env=sim_env)  # noqa: S104
    assert result.code == 1
    assert "problem  HTTP serving: Refusing to serve MCP on 0.0.0.0" in result.out
    assert "--allow-remote" in result.out and "WXO_MCP_TOKEN" in result.out
    ok = run_cli(
        "doctor",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",  # noqa: S104
        "--allow-remote",
        env={**sim_env, "WXO_MCP_TOKEN": "x" * 24},
    )
    assert ok.code == 0, ok.out
    assert "reachable from the network; client token required" in ok.out


def test_malformed_value_exits_2(run_cli, sim_env):
    result = run_cli("doctor", "--port", "eighty", env=sim_env)
    assert result.code == 2
    assert "--port must be a whole number" in result.err  # the flag typed, not WXO_MCP_PORT


def test_empty_token_file_fix_reads_as_prose(run_cli, sim_env, tmp_path):
    empty = tmp_path / "token.txt"
    empty.write_text("")
    result = run_cli("doctor", env={"WXO_URL": sim_env["WXO_URL"], "WXO_TOKEN_FILE": empty})
    assert result.code == 1
    assert "fix: Write a bearer token into it." in result.out
    assert "[redacted]" not in result.out


def test_team_serving_checks(run_cli, sim_env):
    blank = run_cli("doctor", "--transport", "http", env={**sim_env, "WXO_MCP_TOKEN": "  "})
    assert blank.code == 1
    assert "problem  HTTP serving: WXO_MCP_TOKEN is set but holds only whitespace" in blank.out
    unset = {**sim_env, "WXO_MCP_TOKEN": ""}  # run_cli keeps variables between calls
    keyless = run_cli("doctor", "--transport", "http", "--stateless", env=unset)
    assert keyless.code == 0, keyless.out
    assert "warning  Stateless without WXO_MCP_STATE_KEY" in keyless.out
    keyed = run_cli(
        "doctor",
        "--transport",
        "http",
        "--stateless",
        env={**unset, "WXO_MCP_STATE_KEY": "k" * 32},
    )
    assert "Stateless without" not in keyed.out
    assert ("k" * 32) not in keyed.out


def test_plain_http_to_another_machine_is_a_warning(run_cli, sim_env):
    result = run_cli("doctor", env={**sim_env, "WXO_IAM_URL": "http://iam.example.com"})
    assert "warning  WXO_IAM_URL http://iam.example.com uses plain HTTP" in result.out
