"""Token providers: static, token file, the ADK's files, and what each says when it cannot help."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.auth.adk_files import jwt, write_adk, write_tokens
from wxo_mcp.auth import (
    AdkTokenProvider,
    RefreshingTokenProvider,
    StaticTokenProvider,
    TokenFileProvider,
    TokenProvider,
    UnavailableTokenProvider,
    make_token_provider,
)
from wxo_mcp.auth.jwt import is_stale, jwt_expiry
from wxo_mcp.config import Settings
from wxo_mcp.errors import AuthError

pytestmark = pytest.mark.anyio

LOCAL_URL = "http://localhost:4321"
PROD_URL = "https://api.us-south.watson-orchestrate.cloud.ibm.com/instances/abc"
LOCAL_TOKEN = jwt({"sub": "u", "username": "wxo.archer@ibm.com", "aud": "authenticated"})


def settings(home: Path, **env: str) -> Settings:
    return Settings.load(environ=env, home=home)


async def test_static_token_strips_bearer(tmp_path):
    provider = make_token_provider(settings(tmp_path, WXO_TOKEN="Bearer  abc.def"))
    assert isinstance(provider, StaticTokenProvider)
    assert isinstance(provider, TokenProvider)
    assert await provider.token() == "abc.def"
    await provider.refused("abc.def")
    assert await provider.token() == "abc.def"
    assert "abc.def" not in repr(provider)


async def test_token_wins_over_file_and_adk(tmp_path):
    write_adk(
        tmp_path,
        {"local": {"wxo_url": LOCAL_URL}},
        tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}},
    )
    s = settings(tmp_path, WXO_TOKEN="t1", WXO_TOKEN_FILE=str(tmp_path / "f"))
    assert await make_token_provider(s).token() == "t1"


async def test_token_file_is_reread_after_refusal(tmp_path):
    path = tmp_path / "token"
    path.write_text("Bearer first\n")
    provider = make_token_provider(settings(tmp_path, WXO_TOKEN_FILE=str(path)))
    assert isinstance(provider, TokenFileProvider)
    assert await provider.token() == "first"
    path.write_text("second")
    assert await provider.token() == "first"  # cached until refused
    await provider.refused("stale-other")  # not the current token: nothing happens
    assert await provider.token() == "first"
    await provider.refused("first")
    assert await provider.token() == "second"


@pytest.mark.parametrize(
    ("content", "words"), [(None, "cannot be read"), ("  \n", "is empty"), (b"\xff\xfe", "")]
)
async def test_unusable_token_file(tmp_path, content, words):
    path = tmp_path / "token"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    provider = make_token_provider(settings(tmp_path, WXO_TOKEN_FILE=str(path)))
    with pytest.raises(AuthError) as info:
        await provider.token()
    assert "WXO_TOKEN_FILE" in str(info.value)
    assert words in str(info.value)


async def test_adk_local_token_zero_configuration(tmp_path):
    write_adk(
        tmp_path,
        {"local": {"wxo_url": LOCAL_URL}},
        tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}},
    )
    s = settings(tmp_path)
    provider = make_token_provider(s)
    assert isinstance(provider, AdkTokenProvider)
    assert await provider.token() == LOCAL_TOKEN
    assert LOCAL_TOKEN not in repr(provider)


async def test_adk_token_applies_to_a_loopback_spelling_of_its_url(tmp_path):
    write_adk(
        tmp_path,
        {"local": {"wxo_url": LOCAL_URL}},
        tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}},
    )
    provider = make_token_provider(settings(tmp_path, WXO_URL="http://127.0.0.1:4321"))
    assert await provider.token() == LOCAL_TOKEN


async def test_adk_token_is_reread_after_refusal(tmp_path):
    write_adk(
        tmp_path, {"local": {"wxo_url": LOCAL_URL}}, tokens={"local": {"wxo_mcsp_token": "old"}}
    )
    provider = make_token_provider(settings(tmp_path))
    assert await provider.token() == "old"
    write_tokens(tmp_path, {"local": {"wxo_mcsp_token": "new"}})  # `orchestrate env activate local`
    await provider.refused("old")
    assert await provider.token() == "new"


async def test_adk_token_is_not_sent_to_another_instance(tmp_path):
    write_adk(
        tmp_path,
        {"local": {"wxo_url": LOCAL_URL}},
        tokens={"local": {"wxo_mcsp_token": LOCAL_TOKEN}},
    )
    provider = make_token_provider(settings(tmp_path, WXO_URL=PROD_URL))
    assert isinstance(provider, UnavailableTokenProvider)
    with pytest.raises(AuthError) as info:
        await provider.token()
    text = str(info.value)
    assert "not sent there" in text
    assert "WXO_API_KEY" in text  # PROD_URL is IBM Cloud: an API key, not a short-lived token
    assert LOCAL_TOKEN not in text


async def test_expired_adk_token_says_to_activate(tmp_path):
    expired = jwt({"sub": "u", "exp": int(time.time()) + 300})  # within the 600 s margin
    write_adk(
        tmp_path,
        {"prod": {"wxo_url": PROD_URL, "auth_type": "ibm_iam"}},
        active="prod",
        tokens={
            "prod": {"wxo_mcsp_token": expired, "wxo_mcsp_token_expiry": int(time.time()) + 300}
        },
    )
    provider = make_token_provider(settings(tmp_path))
    with pytest.raises(AuthError) as info:
        await provider.token()
    assert "expired" in str(info.value)
    assert "orchestrate env activate prod" in str(info.value)
    # A fresh activation is picked up without a restart.
    fresh = jwt({"sub": "u", "exp": int(time.time()) + 3600})
    write_tokens(tmp_path, {"prod": {"wxo_mcsp_token": fresh}})
    assert await provider.token() == fresh


async def test_expiry_field_counts_when_the_token_is_opaque(tmp_path):
    now = 1_000_000.0
    creds = tmp_path / ".cache/orchestrate/credentials.yaml"
    write_tokens(
        tmp_path, {"prod": {"wxo_mcsp_token": "opaque", "wxo_mcsp_token_expiry": now + 100}}
    )
    provider = AdkTokenProvider("prod", creds, "opaque", now + 100, clock=lambda: now)
    with pytest.raises(AuthError, match="expired"):
        await provider.token()
    ok = AdkTokenProvider("prod", creds, "opaque", now + 3600, clock=lambda: now)
    assert await ok.token() == "opaque"


async def test_adk_environment_without_token(tmp_path):
    write_adk(tmp_path, {"local": {"wxo_url": LOCAL_URL}})
    with pytest.raises(AuthError, match="orchestrate env activate local"):
        await make_token_provider(settings(tmp_path)).token()


async def test_nothing_configured(tmp_path):
    provider = make_token_provider(settings(tmp_path))
    with pytest.raises(AuthError) as info:
        await provider.token()
    assert "WXO_TOKEN" in str(info.value)
    assert "orchestrate env activate" in str(info.value)


async def test_unknown_wxo_env(tmp_path):
    write_adk(tmp_path, {"local": {"wxo_url": LOCAL_URL}})
    with pytest.raises(AuthError, match="'nope' \\(WXO_ENV\\) was not found"):
        await make_token_provider(settings(tmp_path, WXO_ENV="nope")).token()


def test_api_key_takes_precedence_over_the_adk_token(tmp_path):
    write_adk(
        tmp_path,
        {"prod": {"wxo_url": PROD_URL}},
        active="prod",
        tokens={"prod": {"wxo_mcsp_token": jwt({"exp": time.time() + 3600})}},
    )
    provider = make_token_provider(settings(tmp_path, WXO_API_KEY="k" * 20))
    assert isinstance(provider, RefreshingTokenProvider)
    assert provider.kind == "ibm_iam"  # the ADK environment's URL is on IBM Cloud


@pytest.mark.parametrize(
    ("token", "exp"),
    [
        (jwt({"exp": 1752583000}), 1752583000.0),
        (jwt({"exp": 1.5}), 1.5),
        (jwt({"sub": "no exp"}), None),
        (jwt({"exp": "soon"}), None),
        (jwt({"exp": True}), None),
        ("not-a-jwt", None),
        ("a.!!!.c", None),
        ("a.bm90IGpzb24.c", None),
    ],
)
def test_jwt_expiry(token, exp):
    assert jwt_expiry(token) == exp


@pytest.mark.parametrize(
    ("expiry", "now", "stale"),
    [(None, 1e12, False), (1000.0, 399.0, False), (1000.0, 400.0, True), (1000.0, 2000.0, True)],
)
def test_is_stale(expiry, now, stale):
    assert is_stale(expiry, now) is stale
