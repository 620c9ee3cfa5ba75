"""``wxo-mcp ask``: one call through the bridge; the answer on stdout, the rest on stderr."""

from __future__ import annotations

import re
import shlex

import pytest


def thread_of(err: str) -> str:
    found = re.search(r"thread_id: ([0-9a-f-]+)", err)
    assert found, err
    return found.group(1)


def test_answer_on_stdout_and_continue_the_thread(run_cli, sim_env):
    first = run_cli("ask", "echo_agent", "hello", env=sim_env)
    assert first.code == 0, first.err
    assert first.out == "Echo (turn 1): hello\n"
    thread = thread_of(first.err)
    assert f"--thread {thread}" in first.err
    second = run_cli("ask", "echo_agent", "again", "--thread", thread, env=sim_env)
    assert second.code == 0, second.err
    assert second.out == "Echo (turn 2): again\n"
    assert thread_of(second.err) == thread


def test_progress_goes_to_stderr(run_cli, sim_env):
    result = run_cli("ask", "Weather Agent", "Weather in Paris?", env=sim_env)
    assert result.code == 0, result.err
    assert "Paris" in result.out
    assert "Calling tool get_weather" in result.err
    assert "Calling tool" not in result.out


def test_failed_run_exits_non_zero_with_the_reason(run_cli, sim_env):
    result = run_cli("ask", "failing_agent", "go", env=sim_env)
    assert result.code == 1
    assert "wxo-mcp ask: failed:" in result.err
    assert "simulated failure" in result.err


def test_unknown_agent(run_cli, sim_env):
    result = run_cli("ask", "no_such_agent", "hi", env=sim_env)
    assert result.code == 1
    assert "No agent named 'no_such_agent'" in result.err
    assert "echo_agent" in result.err  # the known agents are listed


def test_still_running_at_the_deadline(run_cli, sim_env):
    result = run_cli("ask", "slow_agent", "seconds=5", "--tool-deadline", "0.5", env=sim_env)
    assert result.code == 3
    assert "still working after 0.5 s" in result.err
    assert "--tool-deadline" in result.err


def test_works_when_hosts_get_only_agent_tools(run_cli, sim_env):
    # WXO_TOOLS is about what hosts see; ask goes through ask_agent regardless.
    result = run_cli("ask", "echo_agent", "hi", env={**sim_env, "WXO_TOOLS": "agents"})
    assert result.code == 0, result.err
    assert result.out == "Echo (turn 1): hi\n"


def test_wxo_agents_still_applies(run_cli, sim_env):
    result = run_cli("ask", "echo_agent", "hi", env={**sim_env, "WXO_AGENTS": "weather_agent"})
    assert result.code == 1
    assert "No agent named 'echo_agent'" in result.err


def test_missing_credentials(run_cli):
    result = run_cli("ask", "echo_agent", "hi")
    assert result.code == 1
    assert "WXO_URL" in result.err


def test_simulator_flag(run_cli):
    result = run_cli("ask", "--simulator", "echo_agent", "hi")
    assert result.code == 0, result.err
    assert result.out == "Echo (turn 1): hi\n"


def continuation(err: str, message: str) -> list[str]:
    """The printed continuation, as a shell would split it, with `message` for '…'."""
    found = re.search(r"\(continue: (.*)\)$", err, re.MULTILINE)
    assert found, err
    argv = shlex.split(found.group(1).replace("'…'", shlex.quote(message)))
    assert argv[:2] == ["wxo-mcp", "ask"], argv
    return argv[1:]


@pytest.mark.parametrize("xdg", [True, False])
def test_simulator_continuation_works_as_printed(run_cli, clean_env, tmp_path, xdg):
    cache = tmp_path / "xdg-cache" if xdg else tmp_path / ".cache"  # HOME is tmp_path
    if xdg:
        clean_env.setenv("XDG_CACHE_HOME", str(cache))
    # The README's example, then the continuation exactly as the command printed it.
    first = run_cli("ask", "--simulator", "echo_agent", "hello")
    assert first.code == 0, first.err
    assert first.out == "Echo (turn 1): hello\n"
    again = continuation(first.err, "again")
    assert "--simulator" in again
    second = run_cli(*again)
    assert second.code == 0, second.err
    assert second.out == "Echo (turn 2): again\n"
    assert thread_of(second.err) == thread_of(first.err)
    assert (cache / "wxo-mcp" / "simulator-threads.json").is_file()


def test_continuation_repeats_the_flags_typed(run_cli, sim_env):
    first = run_cli(
        "ask", "echo_agent", "hello", "--tool-deadline", "30", "--agents", "echo_*", env=sim_env
    )
    assert first.code == 0, first.err
    again = continuation(first.err, "and again")
    assert again[again.index("--tool-deadline") + 1] == "30"
    assert again[again.index("--agents") + 1] == "echo_*"
    second = run_cli(*again)
    assert second.out == "Echo (turn 2): and again\n", second.err
