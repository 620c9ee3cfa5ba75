"""IBM's ADK 2.19.1 against ``wxo-mcp simulator``: its CLI and Python clients, as a developer
uses them, from a fresh HOME. Opt-in (``pytest -m adk``): see ``conftest.py`` for the install.

What the ADK exercises here: the Developer Edition login (user token, tenants, tenant token) and
its check of the token on ``…/orchestrate/knowledge-bases``; the agents list and the resolution of
tool and knowledge-base ids to names; ``chat ask`` (create a run, poll it, read the thread's
messages) with a continued thread and a reasoning trace; ``ThreadsClient``; and wxo-mcp itself
reading the credentials the ADK saved.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import Adk

# The first test's setup may install the ADK (tens of seconds, longer on a slow index).
pytestmark = [pytest.mark.adk, pytest.mark.timeout(900)]

THREAD_ID = re.compile(r"Thread ID: ([0-9a-f-]{36})")


def jwt_claims(token: str) -> dict[str, object]:
    import base64

    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def activated(adk: Adk) -> subprocess.CompletedProcess[str]:
    """``orchestrate env activate local``, once for the module."""
    return adk.orchestrate("env", "activate", "local")


@pytest.fixture
def ready(adk: Adk, activated: subprocess.CompletedProcess[str]) -> Adk:
    assert activated.returncode == 0, output(activated)
    return adk


def test_env_activate_local_logs_in(adk: Adk, activated: subprocess.CompletedProcess[str]):
    assert activated.returncode == 0, output(activated)
    assert "Environment 'local' is now active" in output(activated)
    assert "no local tenant found. A default tenant is created" in output(activated)
    config = yaml.safe_load((adk.home / ".config/orchestrate/config.yaml").read_text())
    assert config["context"]["active_environment"] == "local"
    credentials = yaml.safe_load((adk.home / ".cache/orchestrate/credentials.yaml").read_text())
    saved = credentials["auth"]["local"]
    assert "wxo_mcsp_token_expiry" not in saved  # local tokens are saved without one
    claims = jwt_claims(saved["wxo_mcsp_token"])
    assert "exp" not in claims and claims["tenant_id"] == claims["woTenantId"]


def test_agents_list_resolves_tools_and_knowledge_bases(ready: Adk):
    done = ready.orchestrate("agents", "list")
    text = output(done)
    assert done.returncode == 0, text
    for name in ("echo_agent", "weather_agent", "search_agent", "get_weather", "hr_policies"):
        assert name in text, name
    assert "hidden_agent" in text  # the ADK always lists with include_hidden=true
    assert "not found" not in text  # every tool and knowledge-base id resolved to a name
    assert "could not be parsed" not in text


def test_chat_ask_and_continue_the_thread(ready: Adk):
    first = ready.orchestrate("chat", "ask", "-n", "echo_agent", "hello")
    assert first.returncode == 0, output(first)
    assert "Echo (turn 1): hello" in output(first)
    found = THREAD_ID.search(output(first))
    assert found, output(first)
    thread_id = found.group(1)
    again = ready.orchestrate("chat", "ask", "-n", "echo_agent", "-t", thread_id, "again")
    assert again.returncode == 0, output(again)
    assert "Echo (turn 2): again" in output(again)
    assert f"Thread ID: {thread_id}" in output(again)


def test_chat_ask_shows_the_knowledge_base_search(ready: Adk):
    done = ready.orchestrate("chat", "ask", "-r", "-n", "search_agent", "How much leave?")
    text = output(done)
    assert done.returncode == 0, text
    assert "Called tool 'hr_policies'" in text
    assert "Tool 'hr_policies' responded" in text
    assert "25 days of paid leave a year" in text


THREADS_SCRIPT = """
import json
from ibm_watsonx_orchestrate.client.utils import instantiate_client
from ibm_watsonx_orchestrate.client.agents.agent_client import AgentClient
from ibm_watsonx_orchestrate.client.chat.run_client import RunClient
from ibm_watsonx_orchestrate.client.threads.threads_client import ThreadsClient

agent_id = instantiate_client(AgentClient).get_draft_by_name("weather_agent")[0]["id"]
runs = instantiate_client(RunClient)
created = runs.create_run("Weather in Oslo?", agent_id=agent_id)
status = runs.wait_for_run_completion(created["run_id"], poll_interval=1)
threads = instantiate_client(ThreadsClient)
print(json.dumps({
    "created": created,
    "status": status["status"],
    "all": threads.get(),
    "mine": threads.get_all_threads(agent_id),
    "messages": threads.get_thread_messages(created["thread_id"]),
    "agent_id": agent_id,
}))
"""


def test_python_clients_run_and_list_threads(ready: Adk):
    done = ready.python(THREADS_SCRIPT)
    assert done.returncode == 0, output(done)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    thread_id = seen["created"]["thread_id"]
    assert seen["status"] == "completed"
    assert isinstance(seen["all"], list) and seen["all"][0]["id"] == thread_id  # newest first
    assert [t["id"] for t in seen["mine"]] == [thread_id]
    assert all(t["agent_id"] == seen["agent_id"] for t in seen["mine"])
    user, answer = seen["messages"]
    assert user["role"] == "user" and answer["role"] == "assistant"
    assert "The weather in Oslo is" in answer["content"][0]["text"]
    steps = [s["step_details"][0]["type"] for s in answer["step_history"]]
    assert steps == ["tool_calls", "tool_response"]


def test_wxo_mcp_uses_the_credentials_the_adk_saved(ready: Adk):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WXO_")}
    env["HOME"] = str(ready.home)  # the ADK's config and credentials, nothing else
    done = subprocess.run(
        [sys.executable, "-m", "wxo_mcp", "ask", "echo_agent", "hi from wxo-mcp"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, output(done)
    assert "Echo (turn 1): hi from wxo-mcp" in done.stdout
