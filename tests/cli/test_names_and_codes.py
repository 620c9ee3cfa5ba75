"""What the CLI calls things, and its exit codes: a bad value is reported under the name the user
typed (flag or variable), ``--simulator`` is named as the source of what it supplies, a hidden
agent is said to be hidden, and the README's exit-code table is what the commands do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_doctor import checks, setting

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        (["doctor", "--port", "eighty"], {}, "--port must be a whole number"),
        (["doctor"], {"WXO_MCP_PORT": "eighty"}, "WXO_MCP_PORT must be a whole number"),
        (["doctor", "--port", "70000"], {}, "--port is invalid"),
        (["serve", "--transport", "pigeon"], {}, "--transport must be one of http, stdio"),
        (["agents", "--url", "nope"], {}, "--url must be an http(s) URL"),
        (["ask", "x", "y", "--tool-deadline", "-1"], {}, "--tool-deadline must be at least"),
        (["ask", "x", "y"], {"WXO_TOOL_DEADLINE": "soon"}, "WXO_TOOL_DEADLINE must be a number"),
    ],
)
def test_a_bad_value_is_named_as_typed(run_cli, argv, env, named):
    result = run_cli(*argv, env=env)
    assert result.code == 2
    assert result.err.strip() == f"wxo-mcp {argv[0]}: {result.err.split(': ', 1)[1].strip()}"
    assert named in result.err
    if named.startswith("--"):
        assert "WXO_" not in result.err.split(" must ")[0].split(" is invalid")[0]


def test_flag_beats_a_bad_variable_of_the_same_setting(run_cli, sim_env):
    result = run_cli("doctor", "--port", "9000", env={**sim_env, "WXO_MCP_PORT": "eighty"})
    assert result.code == 0, result.out + result.err


def test_doctor_names_the_simulator_as_the_source(run_cli):
    result = run_cli("doctor", "--simulator")
    assert result.code == 0, result.out + result.err
    assert setting(result.out, "WXO_URL")[-1] == "--simulator"
    assert setting(result.out, "WXO_TOKEN")[-1] == "--simulator"
    assert setting(result.out, "WXO_DEPLOYMENT")[-1] == "--simulator"
    credentials = next(line for line in checks(result.out) if "Credentials:" in line)
    assert "flag" not in credentials
    assert "--simulator" in credentials


def test_a_hidden_agent_is_said_to_be_hidden_and_the_fix_works(run_cli, sim_env):
    result = run_cli("ask", "hidden_agent", "hi", env=sim_env)
    assert result.code == 1
    assert "doesn't exist" not in result.err and "No agent named" not in result.err
    assert "'hidden_agent' is hidden" in result.err
    found = re.search(r"WXO_AGENTS='([^']+)'", result.err)
    assert found, result.err
    obeyed = run_cli("ask", "hidden_agent", "hi", env={**sim_env, "WXO_AGENTS": found.group(1)})
    assert obeyed.code == 0, obeyed.err
    assert "hi" in obeyed.out
    # Other agents stay reachable with the suggested patterns.
    other = run_cli("ask", "echo_agent", "hi", env={**sim_env, "WXO_AGENTS": found.group(1)})
    assert other.code == 0, other.err


def test_a_hidden_agent_with_patterns_set_keeps_them(run_cli, sim_env):
    result = run_cli("ask", "hidden_agent", "hi", env={**sim_env, "WXO_AGENTS": "weather_*"})
    assert "WXO_AGENTS='weather_*,hidden_agent'" in result.err


def readme_exit_codes() -> dict[int, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(\d+)` \| (.+) \|$", section, re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_exit_codes_are_what_the_commands_do(run_cli, sim_env):
    codes = readme_exit_codes()
    assert set(codes) == {0, 1, 2, 3, 130}
    assert "malformed" in codes[2] and "flag" in codes[2]
    assert "problem" in codes[1]
    # (run_cli's env= stays set for the rest of the test: the no-URL case comes first)
    assert run_cli("doctor").code == 1  # a problem found: no URL
    assert run_cli("doctor", "--bogus-flag").code == 2  # argparse's own usage error
    assert run_cli("doctor", "--port", "eighty", env=sim_env).code == 2
    assert run_cli("ask", "failing_agent", "go", env=sim_env).code == 1
    assert run_cli("ask", "echo_agent", "hi", env=sim_env).code == 0
    slow = run_cli("ask", "slow_agent", "seconds=5", "--tool-deadline", "0.3", env=sim_env)
    assert slow.code == 3
