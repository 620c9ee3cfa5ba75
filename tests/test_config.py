"""Settings: parsing, precedence pair by pair, ADK discovery, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auth.adk_files import jwt, write_adk
from wxo_mcp.config import Settings, same_instance
from wxo_mcp.errors import ConfigError

LOCAL = {"local": {"wxo_url": "http://localhost:4321"}}
LOCAL_TOKEN = jwt({"sub": "u", "tenant_id": "t"})


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


def load(
    env: dict[str, str] | None = None,
    flags: dict[str, object] | None = None,
    home: Path | None = None,
) -> Settings:
    return Settings.load(environ=env or {}, overrides=flags, home=home or Path("/nonexistent-home"))


def test_defaults():
    s = load()
    assert s.url is None
    assert s.resolved_deployment is None
    assert s.tools == {"agents", "generic"}
    assert (s.max_agent_tools, s.agents_ttl, s.tool_deadline, s.max_result_chars) == (
        50,
        300.0,
        50.0,
        100_000,
    )
    assert (s.transport, s.host, s.port, s.log_level, s.verify) == (
        "stdio",
        "127.0.0.1",
        8000,
        "WARNING",
        True,
    )
    assert s.agents == []
    assert s.source_of("url") == "default"


def test_every_variable_parses():
    env = {
        "WXO_URL": "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc/",
        "WXO_DEPLOYMENT": "SaaS",
        "WXO_TOKEN": "Bearer tok-1234567890abcdef",
        "WXO_TOKEN_FILE": "/run/token",
        "WXO_API_KEY": "key-abcdefghijklmnop",
        "WXO_AUTH_TYPE": "k8s",
        "WXO_IAM_URL": "https://iam.cloud.ibm.com",
        "WXO_USERNAME": "admin",
        "WXO_PASSWORD": "pw",
        "WXO_CA_BUNDLE": "/etc/ca.pem",
        "WXO_VERIFY": "no",
        "WXO_ENV": "prod",
        "WXO_AGENTS": "echo_*, !echo_bad,hidden_agent",
        "WXO_TOOLS": "generic",
        "WXO_MAX_AGENT_TOOLS": "10",
        "WXO_AGENTS_TTL": "60",
        "WXO_TOOL_DEADLINE": "12.5",
        "WXO_MAX_RESULT_CHARS": "5000",
        "WXO_AGENT_ENVIRONMENT": "draft",
        "WXO_MCP_TRANSPORT": "http",
        "WXO_MCP_HOST": "0.0.0.0",  # noqa: S104 - a setting value, nothing binds
        "WXO_MCP_PORT": "9000",
        "WXO_MCP_TOKEN": "mcp-secret-0000000000",
        "WXO_LOG_LEVEL": "debug",
    }
    s = load(env)
    assert s.url == "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc"
    assert s.deployment == "saas"
    assert s.token is not None
    assert s.token.get_secret_value() == "tok-1234567890abcdef"
    assert s.token_file == Path("/run/token")
    assert s.auth_type == "cpd"
    assert s.verify is False
    assert s.agents == ["echo_*", "!echo_bad", "hidden_agent"]
    assert s.tools == {"generic"}
    assert (s.max_agent_tools, s.agents_ttl, s.tool_deadline, s.max_result_chars) == (
        10,
        60.0,
        12.5,
        5000,
    )
    assert (s.agent_environment, s.transport, s.port, s.log_level) == (
        "draft",
        "http",
        9000,
        "DEBUG",
    )
    assert s.host == env["WXO_MCP_HOST"]
    assert all(s.source_of(f) == "env" for f in ("url", "token", "tools", "port"))


@pytest.mark.parametrize("value", ["false", "0", "no", "FALSE", "off"])
def test_verify_false_words(value):
    assert load({"WXO_VERIFY": value}).verify is False


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("WXO_URL", "localhost:4321", "http(s) URL"),
        ("WXO_URL", "ftp://x", "http(s) URL"),
        ("WXO_DEPLOYMENT", "cloud", "local, saas"),
        ("WXO_AUTH_TYPE", "oauth", "ibm_iam"),
        ("WXO_VERIFY", "maybe", "true or false"),
        ("WXO_TOOLS", "agents,resources", "agents, generic"),
        ("WXO_TOOLS", ",", "agents, generic"),
        ("WXO_MAX_AGENT_TOOLS", "ten", "whole number"),
        ("WXO_MAX_AGENT_TOOLS", "-1", "at least 0"),
        ("WXO_AGENTS_TTL", "5m", "a number"),
        ("WXO_TOOL_DEADLINE", "0", "at least"),
        ("WXO_MAX_RESULT_CHARS", "1.5", "whole number"),
        ("WXO_AGENT_ENVIRONMENT", "prod", "draft, live"),
        ("WXO_MCP_TRANSPORT", "sse", "http, stdio"),
        ("WXO_MCP_PORT", "http", "whole number"),
        ("WXO_MCP_PORT", "70000", "WXO_MCP_PORT"),
        ("WXO_LOG_LEVEL", "loud", "DEBUG"),
    ],
)
def test_malformed_values_name_the_variable(var, value, expected):
    with pytest.raises(ConfigError) as info:
        load({var: value})
    assert var in str(info.value)
    assert expected in str(info.value)


def test_empty_variables_count_as_unset():
    assert load({"WXO_URL": "", "WXO_TOOLS": "  "}).tools == {"agents", "generic"}


def test_unknown_flag():
    with pytest.raises(ConfigError, match="Unknown setting"):
        load(flags={"nope": 1})


def test_bad_typed_flag_names_the_variable():
    with pytest.raises(ConfigError, match="WXO_MCP_PORT"):
        load(flags={"port": "abc"})
    with pytest.raises(ConfigError, match="WXO_MCP_PORT"):
        load(flags={"port": 99999})


# -- precedence, pair by pair ---------------------------------------------------------------


def test_flag_over_env():
    s = load({"WXO_URL": "http://env:1", "WXO_MCP_PORT": "1"}, {"url": "http://flag:2", "port": 2})
    assert (s.url, s.port) == ("http://flag:2", 2)
    assert s.source_of("url") == s.source_of("port") == "flag"


def test_unset_flag_does_not_hide_env():
    s = load({"WXO_URL": "http://env:1"}, {"url": None})
    assert s.url == "http://env:1"
    assert s.source_of("url") == "env"


def test_env_over_adk(home):
    write_adk(home, LOCAL, tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}})
    s = load({"WXO_URL": "http://127.0.0.1:9999"}, home=home)
    assert s.url == "http://127.0.0.1:9999"
    assert s.source_of("url") == "env"
    assert s.adk_env == "local"


def test_adk_over_default(home):
    write_adk(home, LOCAL, tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}})
    s = load(home=home)
    assert s.url == "http://localhost:4321"
    assert s.source_of("url") == "ADK env 'local'"
    assert s.resolved_deployment == "local"
    assert s.adk_token is not None
    assert s.adk_token.get_secret_value() == LOCAL_TOKEN
    assert s.adk_token_applies


def test_flag_over_adk(home):
    write_adk(home, LOCAL)
    s = load(flags={"url": "http://flag:1"}, home=home)
    assert s.url == "http://flag:1"


def test_env_over_default():
    assert load({"WXO_MAX_AGENT_TOOLS": "3"}).max_agent_tools == 3


def test_flag_over_default():
    assert load(flags={"max_agent_tools": 4}).max_agent_tools == 4
    assert load(flags={"tools": "agents"}).tools == {"agents"}


# -- ADK discovery ---------------------------------------------------------------------------

PROD_URL = "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc"
PROD = {
    "prod": {
        "wxo_url": PROD_URL,
        "auth_type": "ibm_iam",
        "iam_url": "https://iam.test.cloud.ibm.com",
        "bypass_ssl": True,
        "verify": "None",
    }
}


def test_wxo_env_picks_another_environment(home):
    write_adk(
        home,
        {**LOCAL, **PROD},
        active="local",
        tokens={"prod": {"wxo_mcsp_token": "p-token", "wxo_mcsp_token_expiry": 1752583000}},
    )
    s = load({"WXO_ENV": "prod"}, home=home)
    assert s.adk_env == "prod"
    assert s.url == PROD_URL
    assert s.resolved_deployment == "saas"
    assert (s.auth_type, s.iam_url, s.verify) == (
        "ibm_iam",
        "https://iam.test.cloud.ibm.com",
        False,
    )
    assert s.adk_token_expiry == 1752583000.0
    assert s.source_of("auth_type") == "ADK env 'prod'"


def test_adk_verify_path_becomes_ca_bundle(home):
    write_adk(
        home,
        {
            "cpd": {
                "wxo_url": "https://cpd-x/orchestrate/ns/instances/1",
                "auth_type": "k8s",
                "verify": "/etc/pki/ca.pem",
            }
        },
        active="cpd",
    )
    s = load(home=home)
    assert s.ca_bundle == Path("/etc/pki/ca.pem")
    assert s.auth_type == "cpd"
    assert s.resolved_deployment == "cpd"


def test_missing_or_broken_adk_files_are_ignored(home):
    assert load(home=home).adk_env is None
    cfg = home / ".config/orchestrate/config.yaml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("context: [unclosed")
    assert load(home=home).adk_env is None
    cfg.write_text("- a list")
    assert load(home=home).adk_env is None


def test_unknown_wxo_env(home):
    write_adk(home, LOCAL)
    s = load({"WXO_ENV": "nope"}, home=home)
    assert s.adk_env is None
    assert s.env_name == "nope"


def test_adk_token_not_for_another_host(home):
    write_adk(home, LOCAL, tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}})
    s = load({"WXO_URL": PROD_URL}, home=home)
    assert not s.adk_token_applies
    assert (
        "ADK token used",
        "no (WXO_URL names another instance)",
        "ADK env 'local'",
    ) in s.describe()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://localhost:4321", "http://127.0.0.1:4321/", True),
        ("http://localhost:4321", "http://[::1]:4321", True),
        ("http://localhost:4321", "http://localhost:4322", False),
        ("https://h/instances/a", "https://H:443/instances/a", True),
        ("https://h/instances/a", "https://h/instances/b", False),
        ("https://h/instances/a", "http://h/instances/a", False),
    ],
)
def test_same_instance(a, b, same):
    assert same_instance(a, b) is same


# -- redaction -------------------------------------------------------------------------------

SECRETS = {
    "WXO_TOKEN": "tok-AAAAAAAAAAAAAAAAAAAAwxyz",
    "WXO_API_KEY": "key-BBBBBBBBBBBBBBBBBBBBkeyz",
    "WXO_PASSWORD": "pw-CCCCCCCCCCCCCCCCCCCCpass",
    "WXO_MCP_TOKEN": "mcp-DDDDDDDDDDDDDDDDDDDmcpt",
}


def test_secrets_never_show(home):
    write_adk(home, LOCAL, tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}})
    s = load(SECRETS, home=home)
    shown = repr(s) + str(s) + repr(s.describe()) + s.model_dump_json()
    for secret in [*SECRETS.values(), LOCAL_TOKEN]:
        assert secret not in shown
        assert secret[:-4] not in shown
    rows = {var: (value, source) for var, value, source in s.describe()}
    assert rows["WXO_TOKEN"] == ("****wxyz", "env")
    assert rows["WXO_PASSWORD"] == ("****pass", "env")
    assert rows["ADK token"][1] == "ADK env 'local'"


def test_short_secrets_show_nothing():
    s = load({"WXO_TOKEN": "abc123"})
    assert str(s.token) == "****"
    assert "abc123" not in repr(s)


def test_describe_lists_every_variable_with_its_source():
    s = load({"WXO_URL": "http://localhost:4321"}, {"port": 1234})
    rows = {var: (value, source) for var, value, source in s.describe()}
    assert rows["WXO_URL"] == ("http://localhost:4321", "env")
    assert rows["WXO_MCP_PORT"] == ("1234", "flag")
    assert rows["WXO_TOOLS"] == ("agents,generic", "default")
    assert rows["WXO_TOKEN"] == ("(unset)", "default")
    for var in (
        "WXO_DEPLOYMENT",
        "WXO_TOKEN_FILE",
        "WXO_API_KEY",
        "WXO_AUTH_TYPE",
        "WXO_IAM_URL",
        "WXO_USERNAME",
        "WXO_PASSWORD",
        "WXO_CA_BUNDLE",
        "WXO_VERIFY",
        "WXO_ENV",
        "WXO_AGENTS",
        "WXO_MAX_AGENT_TOOLS",
        "WXO_AGENTS_TTL",
        "WXO_TOOL_DEADLINE",
        "WXO_MAX_RESULT_CHARS",
        "WXO_MAX_STREAM_MB",
        "WXO_AGENT_ENVIRONMENT",
        "WXO_MCP_TRANSPORT",
        "WXO_MCP_HOST",
        "WXO_MCP_TOKEN",
        "WXO_LOG_LEVEL",
    ):
        assert var in rows


def test_max_stream_mb_has_a_default_and_refuses_zero(tmp_path):
    assert Settings.load(environ={}, home=tmp_path).max_stream_mb == 256
    assert Settings.load(environ={"WXO_MAX_STREAM_MB": "16"}, home=tmp_path).max_stream_mb == 16
    with pytest.raises(ConfigError, match="WXO_MAX_STREAM_MB"):
        Settings.load(environ={"WXO_MAX_STREAM_MB": "0"}, home=tmp_path)


def test_load_reads_os_environ_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("WXO_MAX_AGENT_TOOLS", "7")
    assert Settings.load(home=tmp_path).max_agent_tools == 7
