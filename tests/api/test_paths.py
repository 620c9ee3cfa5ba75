"""Path families and URL classification."""

from __future__ import annotations

import pytest

from wxo_mcp.api.paths import Endpoints, classify_url, validate_id
from wxo_mcp.errors import InvalidArgument, WxoError


@pytest.mark.parametrize(
    ("url", "auth_type", "family"),
    [
        ("http://localhost:4321", None, "local"),
        ("http://127.0.0.1:8080/instances/x", None, "local"),
        ("http://[::1]:4321", None, "local"),
        ("http://0.0.0.0:4321", None, "local"),
        ("http://host.docker.internal:4321", None, "local"),
        ("HTTP://LOCALHOST:4321", None, "local"),
        ("https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc", None, "saas"),
        ("https://api.eu-de.watson.cloud.ibm.com/instances/abc", None, "saas"),
        ("https://api.dl.watson-orchestrate.ibm.com/instances/abc", None, "saas"),
        ("https://cpd-wxo.apps.example.com/orchestrate/ns/instances/1", None, "cpd"),
        ("https://wxo.example.com/orchestrate/ns/instances/1", "cpd", "cpd"),
        ("https://wxo.example.com/orchestrate/ns/instances/1", "k8s", "cpd"),
        ("https://localhost:4321", None, "saas"),
        ("https://example.org/instances/1", None, "saas"),
    ],
)
def test_classify_url(url, auth_type, family):
    assert classify_url(url, auth_type) == family


def test_local_paths():
    e = Endpoints.for_url("http://localhost:4321/", "local")
    assert e.agents == "http://localhost:4321/v1/orchestrate/agents"
    assert e.runs == "http://localhost:4321/v1/orchestrate/runs"
    assert e.run("abc-1") == "http://localhost:4321/v1/orchestrate/runs/abc-1"
    assert e.thread_messages("t-1") == "http://localhost:4321/v1/threads/t-1/messages"


@pytest.mark.parametrize("deployment", ["saas", "cpd"])
def test_remote_paths(deployment):
    inst = "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/i-1"
    e = Endpoints.for_url(inst, deployment)
    assert e.agents == f"{inst}/v1/orchestrate/agents"
    assert e.runs == f"{inst}/v1/orchestrate/runs"
    assert e.thread_messages("t") == f"{inst}/v1/orchestrate/threads/t/messages"


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/v1/orchestrate"])
def test_pasted_api_suffix_is_removed(suffix):
    e = Endpoints.for_url("https://h/instances/i" + suffix, "saas")
    assert e.runs == "https://h/instances/i/v1/orchestrate/runs"


@pytest.mark.parametrize("good", ["a", "c5af3b86-16c6-4ef7-984a-ca9622a6da82", "A" * 128, "run_1"])
def test_valid_ids(good):
    assert validate_id(good, "run_id") == good


@pytest.mark.parametrize(
    "bad", ["", "../agents", "a/b", "a?x=1", "a b", "a" * 129, "é", "a%2F", "a.b", "a\n", "-a"]
)
def test_invalid_ids_raise_before_any_request(bad):
    with pytest.raises(InvalidArgument) as info:
        Endpoints.for_url("http://localhost:4321", "local").run(bad)
    assert isinstance(info.value, WxoError)
    assert "run_id" in str(info.value)
