"""``wxo-mcp doctor`` without credentials: the fix fits the deployment the URL names, and an
unknown WXO_ENV is named with the environments the ADK knows."""

from __future__ import annotations

import pytest

from tests.auth.adk_files import write_adk
from tests.cli.test_doctor import checks

IBM_CLOUD = "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc"
AWS = "https://api.eu-central-1.watson-orchestrate.ibm.com/instances/abc"
CPD = "https://cpd-cpd.apps.example.com/orchestrate/cpd-instance/instances/abc"


def fix_for_credentials(out: str) -> str:
    lines = checks(out)
    at = next(i for i, line in enumerate(lines) if "No usable credentials" in line)
    fix = lines[at + 1].strip()
    assert fix.startswith("fix: "), lines
    return fix


@pytest.mark.parametrize("url", [IBM_CLOUD, AWS])
def test_saas_asks_for_an_api_key(run_cli, url):
    result = run_cli("doctor", env={"WXO_URL": url})
    assert result.code == 1
    fix = fix_for_credentials(result.out)
    assert "WXO_API_KEY" in fix
    assert "orchestrate env activate" not in fix
    if url == IBM_CLOUD:
        assert "IBM Cloud API key" in fix
    else:
        assert "API details" in fix


def test_local_asks_for_a_token_or_the_adk(run_cli):
    result = run_cli("doctor", env={"WXO_URL": "http://localhost:4321"})
    assert result.code == 1
    fix = fix_for_credentials(result.out)
    assert "WXO_TOKEN" in fix
    assert "orchestrate env activate" in fix
    assert "WXO_API_KEY" not in fix


def test_cpd_asks_for_user_and_key_or_password(run_cli):
    result = run_cli("doctor", env={"WXO_URL": CPD})
    assert result.code == 1
    fix = fix_for_credentials(result.out)
    assert "WXO_USERNAME" in fix
    assert "WXO_API_KEY" in fix and "WXO_PASSWORD" in fix


def test_cpd_with_a_user_but_no_secret(run_cli):
    result = run_cli("doctor", env={"WXO_URL": CPD, "WXO_USERNAME": "ada"})
    fix = fix_for_credentials(result.out)
    assert "WXO_API_KEY" in fix and "WXO_PASSWORD" in fix


def test_unknown_adk_environment_is_named_with_the_known_ones(run_cli, tmp_path):
    write_adk(
        tmp_path,
        {
            "local": {"wxo_url": "http://localhost:4321"},
            "prod": {"wxo_url": IBM_CLOUD},
        },
    )
    result = run_cli("doctor", env={"WXO_ENV": "staging"})
    assert result.code == 1
    assert "No Orchestrate instance URL" not in result.out
    assert "problem  The ADK environment 'staging' (WXO_ENV) is not in" in result.out
    assert "Known environments: local, prod." in result.out
    assert "fix: Set WXO_ENV to one of them" in result.out
    # Obeyed, the fix works: the named environment supplies the URL.
    ok = run_cli("doctor", env={"WXO_ENV": "prod"})
    assert f"ok       Instance {IBM_CLOUD}" in ok.out


def test_unknown_adk_environment_without_adk_files(run_cli):
    result = run_cli("doctor", "--env", "staging")
    assert result.code == 1
    assert "The ADK environment 'staging' (--env) is not in" in result.out
    assert "no environments" in result.out
