"""API-key auth: the kind guessed as the ADK does, token URLs, each exchange over real HTTP against
the simulator's token services, and the refreshing cache (one refresh at a time, 401 handling)."""

from __future__ import annotations

import base64
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from wxo_mcp.auth import RefreshingTokenProvider, UnavailableTokenProvider, make_token_provider
from wxo_mcp.auth.exchange import (
    FallbackExchange,
    IamExchange,
    IssuedToken,
    McspExchange,
    TlsConfig,
    lifetime_of,
)
from wxo_mcp.auth.kinds import detect_mcsp_key_type, mcsp_versions, resolve_auth_type, token_url
from wxo_mcp.auth.tls import tls_verify
from wxo_mcp.config import Settings
from wxo_mcp.errors import AuthError, ConfigError
from wxo_mcp.simulator import Simulator, SimulatorOptions

from .adk_files import jwt, write_adk

pytestmark = pytest.mark.anyio

KEY = "sentinel-api-key-0123456789"
K1 = base64.b64encode(b"k1:someone:secret-one").decode()
K2 = base64.b64encode(b"k2:someone:secret-two").decode()
IBM = "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc"
AWS = "https://api.eu-central-1.watson-orchestrate.ibm.com/instances/abc"
CPD = "https://cpd-zen.apps.example.com/orchestrate/cpd-instance/instances/1234"


def load(home: Path | None = None, /, **env: str) -> Settings:
    return Settings.load(environ=env, home=home or Path("/nonexistent-home"))


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    options = SimulatorOptions(
        api_key=KEY, extra_api_keys=(K1, K2), token_lifetime=60.0, deployment="saas"
    )
    with Simulator(options) as server:
        yield server


@pytest.fixture
def fresh(sim: Simulator) -> Simulator:
    sim.reset()
    return sim


# -- the guess -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WXO_URL": IBM}, "ibm_iam"),
        ({"WXO_URL": AWS}, "mcsp"),
        ({"WXO_URL": AWS, "WXO_API_KEY": K2}, "mcsp_v2"),
        ({"WXO_URL": AWS, "WXO_API_KEY": K1}, "mcsp"),
        ({"WXO_URL": CPD}, "cpd"),
        ({"WXO_URL": "https://orchestrate.example.com/x", "WXO_DEPLOYMENT": "cpd"}, "cpd"),
        ({"WXO_URL": IBM, "WXO_AUTH_TYPE": "k8s"}, "cpd"),
        ({"WXO_URL": IBM, "WXO_AUTH_TYPE": "mcsp_v1"}, "mcsp_v1"),
        ({"WXO_URL": "http://localhost:4321"}, "mcsp"),  # as the ADK: not cloud, not CPD
        ({}, "mcsp"),
    ],
)
def test_auth_type_guess(env, expected):
    env.setdefault("WXO_API_KEY", KEY)
    assert resolve_auth_type(load(**env)) == expected


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        (K1, "k1"),
        (K2, "k2"),
        (K2.rstrip("="), "k2"),
        (KEY, None),
        ("", None),
        ("k2:not-base64!", None),
        (base64.b64encode(b"k3:x").decode(), None),
    ],
)
def test_mcsp_key_detection(key, kind):
    assert detect_mcsp_key_type(key) == kind


def test_mcsp_versions():
    assert mcsp_versions("mcsp", KEY) == ("mcsp_v1", "mcsp_v2")
    assert mcsp_versions("mcsp", K1) == ("mcsp_v1",)
    assert mcsp_versions("mcsp", K2) == ("mcsp_v2",)
    assert mcsp_versions("mcsp_v1", K2) == ("mcsp_v1",)
    assert mcsp_versions("mcsp_v2", KEY) == ("mcsp_v2",)


@pytest.mark.parametrize(
    ("kind", "env", "url"),
    [
        ("ibm_iam", {}, "https://iam.cloud.ibm.com/identity/token"),
        ("mcsp_v1", {}, "https://iam.platform.saas.ibm.com/siusermgr/api/1.0/apikeys/token"),
        ("mcsp_v2", {}, "https://account-iam.platform.saas.ibm.com/api/2.0/apikeys/token"),
        (
            "mcsp_v2",
            {"WXO_URL": "https://api.germanywestcentral.watson-orchestrate.ibm.com/instances/a"},
            "https://account-iam.azure.westus3.platform.saas.ibm.com/api/2.0/apikeys/token",
        ),
        ("cpd", {"WXO_URL": CPD}, "https://cpd-zen.apps.example.com/icp4d-api/v1/authorize"),
        (
            "cpd",
            {"WXO_URL": "https://orchestrate.example.com:8443/orchestrate/ns/instances/1"},
            "https://orchestrate.example.com:8443/icp4d-api/v1/authorize",
        ),
        ("cpd", {}, None),
        (
            "ibm_iam",
            {"WXO_IAM_URL": "https://iam.test.cloud.ibm.com/"},
            "https://iam.test.cloud.ibm.com/identity/token",
        ),
        (
            "ibm_iam",
            {"WXO_IAM_URL": "https://iam.example/identity/token"},
            "https://iam.example/identity/token",
        ),
        (
            "mcsp_v1",
            {"WXO_IAM_URL": "http://127.0.0.1:9"},
            "http://127.0.0.1:9/siusermgr/api/1.0/apikeys/token",
        ),
        (
            "cpd",
            {"WXO_URL": CPD, "WXO_IAM_URL": "https://zen.example/icp4d-api"},
            "https://zen.example/icp4d-api/v1/authorize",
        ),
    ],
)
def test_token_urls(kind, env, url):
    assert token_url(kind, load(**env)) == url


def test_adk_environment_supplies_type_url_and_iam_url(tmp_path):
    write_adk(
        tmp_path,
        {"aws": {"wxo_url": AWS, "auth_type": "mcsp_v2", "iam_url": "https://iam.example.com"}},
        active="aws",
    )
    provider = make_token_provider(load(tmp_path, WXO_API_KEY=KEY))
    assert isinstance(provider, RefreshingTokenProvider)
    assert provider.kind == "mcsp_v2"
    assert "https://iam.example.com/api/2.0/apikeys/token" in repr(provider)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WXO_URL": CPD, "WXO_API_KEY": KEY}, "WXO_USERNAME"),
        (
            {"WXO_URL": CPD, "WXO_USERNAME": "u", "WXO_API_KEY": KEY, "WXO_PASSWORD": "pw-1234"},
            "Both WXO_API_KEY and WXO_PASSWORD",
        ),
        ({"WXO_AUTH_TYPE": "cpd", "WXO_USERNAME": "u", "WXO_PASSWORD": "pw-1234"}, "WXO_URL"),
    ],
)
async def test_cpd_misconfigurations_explain_themselves(env, message):
    provider = make_token_provider(load(**env))
    assert isinstance(provider, UnavailableTokenProvider)
    with pytest.raises(AuthError, match=message):
        await provider.token()


def test_reprs_hide_secrets():
    envs: list[dict[str, str]] = [
        {"WXO_URL": IBM, "WXO_API_KEY": KEY},
        {"WXO_URL": CPD, "WXO_USERNAME": "u", "WXO_PASSWORD": KEY},
        {"WXO_URL": AWS, "WXO_API_KEY": KEY},
    ]
    for env in envs:
        provider = make_token_provider(load(**env))
        assert KEY not in repr(provider)
        assert KEY[-6:] not in repr(provider)
    assert repr(IssuedToken("x" * 30 + "abcd", 10.0)) == "IssuedToken(****abcd, lifetime=10.0)"


def test_lifetime_sources():
    now = 1_700_000_000.0
    assert lifetime_of({"expires_in": 3600, "expiration": now + 10}, "opaque", now) == 3600
    assert lifetime_of({}, jwt({"iat": now - 500, "exp": now + 100}), now) == 600  # skew-proof
    assert lifetime_of({"expiration": now + 90}, "opaque", now) == 90
    assert lifetime_of({}, jwt({"exp": now + 42}), now) == 42
    assert lifetime_of({}, jwt({"sub": "no exp"}), now) is None
    assert lifetime_of({}, jwt({"exp": now - 5}), now) is None  # our clock is off: unknown


# -- each exchange over real HTTP ------------------------------------------------------------


async def orchestrate_accepts(sim: Simulator, token: str) -> bool:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            sim.saas_url + "/v1/orchestrate/agents", headers={"Authorization": f"Bearer {token}"}
        )
    return response.status_code == 200


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"WXO_AUTH_TYPE": "ibm_iam", "WXO_API_KEY": KEY}, "iam"),
        ({"WXO_API_KEY": K1}, "mcsp_v1"),
        ({"WXO_API_KEY": K2}, "mcsp_v2"),
        ({"WXO_API_KEY": KEY}, "mcsp_v1"),  # unknown key: v1 first, and v1 takes it
        ({"WXO_AUTH_TYPE": "cpd", "WXO_USERNAME": "admin", "WXO_API_KEY": KEY}, "cpd"),
        ({"WXO_AUTH_TYPE": "cpd", "WXO_USERNAME": "admin", "WXO_PASSWORD": KEY}, "cpd"),
    ],
)
async def test_each_exchange_yields_an_accepted_token(fresh, env, kind):
    settings = load(WXO_URL=fresh.saas_url, WXO_IAM_URL=fresh.url, **env)
    provider = make_token_provider(settings)
    assert isinstance(provider, RefreshingTokenProvider)
    token = await provider.token()
    assert await orchestrate_accepts(fresh, token)
    assert fresh.token_exchanges == {kind: 1}
    assert await provider.token() == token  # cached


async def test_cpd_token_service_derived_from_the_instance_url(fresh):
    url = f"{fresh.url}/orchestrate/ns/instances/{fresh.options.instance_id}"
    settings = load(WXO_URL=url, WXO_DEPLOYMENT="cpd", WXO_USERNAME="admin", WXO_API_KEY=KEY)
    token = await make_token_provider(settings).token()
    assert await orchestrate_accepts(fresh, token)
    assert fresh.token_exchanges == {"cpd": 1}


async def test_mcsp_falls_back_to_v2_and_sticks_to_it():
    options = SimulatorOptions(api_key=KEY, mcsp_versions=(2,), deployment="saas")
    with Simulator(options) as sim:
        settings = load(WXO_URL=sim.saas_url, WXO_IAM_URL=sim.url, WXO_API_KEY=KEY)
        provider = make_token_provider(settings)
        assert isinstance(provider, RefreshingTokenProvider)
        token = await provider.token()
        assert await orchestrate_accepts(sim, token)
        assert provider.kind == "mcsp_v2"
        assert "siusermgr" not in repr(provider)  # later refreshes skip v1
        await provider.refused(token)
        await provider.token()
        assert sim.token_exchanges == {"mcsp_v2": 2}


async def test_both_mcsp_versions_failing_says_so(fresh):
    tls = TlsConfig(load())
    exchange = FallbackExchange(
        (
            McspExchange(
                "mcsp_v1", fresh.url + "/siusermgr/api/1.0/apikeys/token", tls, "wrong" * 4
            ),
            McspExchange("mcsp_v2", fresh.url + "/api/2.0/apikeys/token", tls, "wrong" * 4),
        )
    )
    with pytest.raises(AuthError) as caught:
        await exchange.fetch()
    text = str(caught.value)
    assert "MCSP v1" in text and "MCSP v2" in text and "wrongwrong" not in text


async def test_refused_key_is_a_clear_error_without_the_key(fresh):
    settings = load(
        WXO_URL=fresh.saas_url,
        WXO_IAM_URL=fresh.url,
        WXO_AUTH_TYPE="ibm_iam",
        WXO_API_KEY="not-the-right-key-9876",
    )
    with pytest.raises(AuthError) as caught:
        await make_token_provider(settings).token()
    text = str(caught.value)
    assert "IBM Cloud IAM" in text and "BXNIM0415E" in text and "WXO_API_KEY" in text
    assert "9876" not in text


async def test_unreachable_token_service(fresh):
    settings = load(
        WXO_URL=fresh.saas_url,
        WXO_IAM_URL="http://127.0.0.1:9",
        WXO_AUTH_TYPE="ibm_iam",
        WXO_API_KEY=KEY,
    )
    with pytest.raises(AuthError, match="Cannot reach the IBM Cloud IAM token service"):
        await make_token_provider(settings).token()


# -- the cache ---------------------------------------------------------------------------------


def iam_provider(sim: Simulator, clock: Clock) -> RefreshingTokenProvider:
    exchange = IamExchange(sim.url + "/identity/token", TlsConfig(load()), KEY)
    return RefreshingTokenProvider(exchange, clock=clock)


async def test_refreshes_before_expiry_on_a_monotonic_clock(fresh):
    clock = Clock()
    provider = iam_provider(fresh, clock)  # 60 s tokens: refresh 12 s before expiry
    first = await provider.token()
    clock.now += 47.9
    assert await provider.token() == first
    clock.now += 0.2
    second = await provider.token()
    assert second != first
    assert fresh.token_exchanges == {"iam": 2}


async def test_one_refresh_for_a_hundred_concurrent_callers(fresh):
    clock = Clock()
    provider = iam_provider(fresh, clock)
    first = await provider.token()
    clock.now += 55  # due for refresh, not yet expired
    seen: list[str] = []

    async def call() -> None:
        seen.append(await provider.token())

    async with anyio.create_task_group() as tg:
        for _ in range(100):
            tg.start_soon(call)
    assert len(seen) == 100
    assert len(set(seen)) == 1 and seen[0] != first
    assert fresh.token_exchanges == {"iam": 2}
    assert provider.exchanges == 2


async def test_a_crowd_of_refusals_causes_one_exchange(fresh):
    provider = iam_provider(fresh, Clock())
    old = await provider.token()
    await provider.refused(old)
    new = await provider.token()
    for _ in range(50):  # late refusals of the old token must not throw the new one away
        await provider.refused(old)
    assert await provider.token() == new != old
    assert fresh.token_exchanges == {"iam": 2}


async def test_a_failed_refresh_keeps_a_still_valid_token(caplog):
    clock = Clock()
    with Simulator(SimulatorOptions(api_key=KEY, token_lifetime=60.0)) as sim:
        provider = iam_provider(sim, clock)
        token = await provider.token()
    # the token service is gone now
    clock.now += 50
    with caplog.at_level(logging.WARNING):
        assert await provider.token() == token
    assert "still valid" in caplog.text
    clock.now += 20  # expired, and still no service
    with pytest.raises(AuthError, match="Cannot reach"):
        await provider.token()
    assert KEY not in caplog.text


async def test_failures_are_shared_by_waiting_callers():
    clock = Clock()
    with Simulator(SimulatorOptions(api_key="another-key-entirely")) as sim:
        provider = iam_provider(sim, clock)
        errors: list[str] = []

        async def call() -> None:
            try:
                await provider.token()
            except AuthError as exc:
                errors.append(str(exc))

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(call)
        assert len(errors) == 20 and len(set(errors)) == 1
        assert provider.exchanges == 0
        clock.now += 5  # the failure pause is over: the next call tries again
        with pytest.raises(AuthError, match="refused the credentials"):
            await provider.token()


# -- TLS ---------------------------------------------------------------------------------------


def test_tls_verify_rules(tmp_path, caplog):
    default = tls_verify(load())
    assert default.verify_mode == ssl.CERT_REQUIRED
    assert default.check_hostname
    assert tls_verify(load()) is default  # one context shared by every pool and exchange
    with caplog.at_level(logging.WARNING):
        off = tls_verify(load(WXO_VERIFY="false"))
    assert off.verify_mode == ssl.CERT_NONE
    assert not off.check_hostname
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ConfigError, match="WXO_CA_BUNDLE"):
        tls_verify(load(WXO_CA_BUNDLE=str(bad)))
    with pytest.raises(ConfigError, match="WXO_CA_BUNDLE"):
        tls_verify(load(WXO_CA_BUNDLE=str(tmp_path / "missing.pem")))
    import certifi  # httpx's own trust store, a valid PEM bundle

    context = tls_verify(load(WXO_CA_BUNDLE=certifi.where()))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
