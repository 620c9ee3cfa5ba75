"""API key → bearer token exchanges: IBM Cloud IAM, AWS MCSP v1/v2, CPD (orchestrate-api.md §2).

Each exchange is one POST. What comes back is an `IssuedToken`: the token and how long it lives,
taken from `expires_in`, else the JWT's `exp - iat` (immune to clock skew), else `expiration` or
`exp` against our clock. Every failure is an AuthError whose text never holds the key, the
password or a token. The HTTP calls use their own short-lived httpx client: an exchange happens
about once an hour, and a client per call needs no shutdown hook.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
import httpx2 as httpx

from wxo_mcp.auth.jwt import jwt_claims
from wxo_mcp.auth.kinds import ExchangeKind
from wxo_mcp.auth.tls import tls_verify
from wxo_mcp.config import Settings
from wxo_mcp.errors import AuthError, redact

__all__ = [
    "CpdExchange",
    "FallbackExchange",
    "IamExchange",
    "IssuedToken",
    "McspExchange",
    "TlsConfig",
    "TokenExchange",
    "lifetime_of",
]

logger = logging.getLogger(__name__)

USER_AGENT = "wxo-mcp/0.1"
IAM_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_MAX_QUOTE = 200

LABELS: dict[ExchangeKind, str] = {
    "ibm_iam": "IBM Cloud IAM",
    "mcsp_v1": "AWS MCSP v1",
    "mcsp_v2": "AWS MCSP v2",
    "cpd": "CPD",
}


def _mask(secret: str) -> str:
    return "****" + secret[-4:] if len(secret) >= 16 else "****"


@dataclass(frozen=True)
class IssuedToken:
    """A token and its lifetime in seconds from the moment the exchange was sent (None: unknown)."""

    value: str
    lifetime: float | None

    def __repr__(self) -> str:
        return f"IssuedToken({_mask(self.value)}, lifetime={self.lifetime})"


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def lifetime_of(body: Mapping[str, Any], token: str, now: float) -> float | None:
    """Seconds `token` lives, from the response and the token; `now` is the wall clock.

    A lifetime that comes out zero or negative means our clock disagrees with the issuer's:
    it is treated as unknown (the token is then refreshed when Orchestrate refuses it).
    """
    claims = jwt_claims(token) or {}
    exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
    expiration = _number(body.get("expiration"))
    candidates = (
        _number(body.get("expires_in")),
        exp - iat if exp is not None and iat is not None else None,
        expiration - now if expiration is not None else None,
        exp - now if exp is not None else None,
    )
    for candidate in candidates:
        if candidate is not None:
            if candidate > 0:
                return candidate
            logger.warning(
                "The new token's expiry lies in the past by our clock; it will be refreshed "
                "when Orchestrate refuses it. Check this machine's clock."
            )
            return None
    return None


class TlsConfig:
    """httpx `verify` for the token services, built once in a worker thread (reads CA files)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._verify: ssl.SSLContext | None = None
        self._lock = anyio.Lock()

    async def verify(self) -> ssl.SSLContext:
        if self._verify is None:
            async with self._lock:
                if self._verify is None:
                    self._verify = await anyio.to_thread.run_sync(tls_verify, self._settings)
        return self._verify


class TokenExchange:
    """One kind of exchange against one token URL. Subclasses build the request and read the
    answer."""

    kind: ExchangeKind

    def __init__(self, url: str, tls: TlsConfig, secrets: tuple[str, ...]) -> None:
        self.url = url
        self._tls = tls
        self._secrets = tuple(s for s in secrets if s)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    async def fetch(self) -> IssuedToken:
        """Exchange the credentials for a token; AuthError (safe text) on any failure."""
        raise NotImplementedError

    def _safe(self, text: str) -> str:
        return redact(text, self._secrets)

    async def _post(self, **request: Any) -> tuple[Mapping[str, Any], float]:
        """POST to the token URL; the JSON body and the wall-clock time the request was sent."""
        verify = await self._tls.verify()
        sent = time.time()
        try:
            async with httpx.AsyncClient(
                verify=verify,
                timeout=_TIMEOUT,
                follow_redirects=False,  # never carry the key to another host
                trust_env=True,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            ) as http:
                response = await http.post(self.url, **request)
        except httpx.HTTPError as exc:
            reason = self._safe(str(exc) or type(exc).__name__)
            tls = "CERTIFICATE_VERIFY_FAILED" in reason or "SSL" in reason
            raise AuthError(
                f"Cannot reach the {self.label} token service at {self.url}: {reason}.",
                "Set WXO_CA_BUNDLE to the service's CA file (or WXO_VERIFY=false to test)."
                if tls
                else "Check WXO_IAM_URL (the token service's base URL) and the network.",
            ) from exc
        if response.status_code >= 400:
            raise self._refusal(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, Mapping):
            raise AuthError(
                f"The {self.label} token service at {self.url} answered with something that is "
                "not a JSON object.",
                "Check WXO_IAM_URL: it must be the token service's base URL.",
            )
        return body, sent

    def _refusal(self, response: httpx.Response) -> AuthError:
        status = response.status_code
        said = self._safe(_error_words(response))[:_MAX_QUOTE]
        said = f": {said}" if said else ""
        if status in (400, 401, 403):
            return AuthError(
                f"The {self.label} token service refused the credentials (HTTP {status}{said}).",
                self._credentials_hint(),
            )
        if status == 404:
            return AuthError(
                f"The {self.label} token service was not found at {self.url} (HTTP 404).",
                "Check WXO_IAM_URL and WXO_AUTH_TYPE.",
            )
        return AuthError(
            f"The {self.label} token service failed (HTTP {status}{said}).",
            "Try again shortly; if it persists, check the service's status page.",
        )

    def _credentials_hint(self) -> str:
        return (
            "Check that WXO_API_KEY is a valid API key for this instance, and WXO_AUTH_TYPE "
            "(ibm_iam, mcsp_v1, mcsp_v2, cpd)."
        )

    def _token_from(self, body: Mapping[str, Any], field: str, sent: float) -> IssuedToken:
        token = body.get(field)
        if not isinstance(token, str) or not token.strip():
            raise AuthError(
                f"The {self.label} token service answered without a token.",
                "Check WXO_IAM_URL and WXO_AUTH_TYPE.",
            )
        token = token.strip()
        return IssuedToken(token, lifetime_of(body, token, sent))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def _error_words(response: httpx.Response) -> str:
    """The service's own explanation: IAM `errorCode`/`errorMessage`, else message/detail/error."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:_MAX_QUOTE] if response.text else ""
    if not isinstance(body, Mapping):
        return ""
    code = body.get("errorCode") or body.get("code")
    for key in ("errorMessage", "message", "error_description", "detail", "error"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return f"{code} {value}" if isinstance(code, str) and code else value
    return code if isinstance(code, str) else ""


class IamExchange(TokenExchange):
    """IBM Cloud IAM: form `grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=…` (§2.3)."""

    kind: ExchangeKind = "ibm_iam"

    def __init__(self, url: str, tls: TlsConfig, api_key: str) -> None:
        super().__init__(url, tls, (api_key,))
        self._api_key = api_key

    async def fetch(self) -> IssuedToken:
        body, sent = await self._post(
            data={"grant_type": IAM_GRANT, "apikey": self._api_key, "response_type": "cloud_iam"}
        )
        return self._token_from(body, "access_token", sent)

    def _credentials_hint(self) -> str:
        return (
            "Check WXO_API_KEY: it must be an IBM Cloud API key with access to this instance "
            "(create one at cloud.ibm.com → Manage → Access (IAM) → API keys)."
        )


class McspExchange(TokenExchange):
    """AWS MCSP: JSON `{"apikey"}` to v1 `/siusermgr/api/1.0/apikeys/token` or v2
    `/api/2.0/apikeys/token` (which also takes `X-API-Key`); the token is in `token` (§2.4)."""

    def __init__(self, kind: ExchangeKind, url: str, tls: TlsConfig, api_key: str) -> None:
        super().__init__(url, tls, (api_key,))
        self.kind = kind
        self._api_key = api_key

    async def fetch(self) -> IssuedToken:
        if self.kind == "mcsp_v2":
            body, sent = await self._post(
                json={"apikey": self._api_key},
                headers={"X-API-Key": self._api_key},
                params={
                    "includeBuiltinActions": "false",
                    "includeCustomActions": "false",
                    "includeRoles": "true",
                    "prefixRolesWithDefinitionScope": "false",
                },
            )
        else:
            body, sent = await self._post(json={"apikey": self._api_key})
        return self._token_from(body, "token", sent)

    def _credentials_hint(self) -> str:
        return (
            "Check WXO_API_KEY: it must be the API key of this watsonx Orchestrate instance "
            "(Settings → API details); WXO_AUTH_TYPE=mcsp_v1 or mcsp_v2 picks the service."
        )


class CpdExchange(TokenExchange):
    """CPD: JSON `{"username", "api_key"|"password"}` to `/icp4d-api/v1/authorize` (§2.5)."""

    kind: ExchangeKind = "cpd"

    def __init__(
        self, url: str, tls: TlsConfig, username: str, *, api_key: str | None, password: str | None
    ) -> None:
        super().__init__(url, tls, (api_key or "", password or ""))
        self._body = {"username": username}
        if api_key:
            self._body["api_key"] = api_key
        elif password:
            self._body["password"] = password
        self._uses = "WXO_API_KEY" if api_key else "WXO_PASSWORD"

    async def fetch(self) -> IssuedToken:
        body, sent = await self._post(json=self._body)
        token = body.get("token") or body.get("accessToken")
        return self._token_from({**body, "token": token}, "token", sent)

    def _credentials_hint(self) -> str:
        return f"Check WXO_USERNAME and {self._uses} for this Cloud Pak for Data cluster."


class FallbackExchange(TokenExchange):
    """MCSP of unknown version: v1 first, then v2 (as the ADK does); the one that worked is kept
    for later refreshes, so an hourly refresh costs one request."""

    def __init__(self, exchanges: tuple[TokenExchange, ...]) -> None:
        first = exchanges[0]
        super().__init__(first.url, first._tls, first._secrets)
        self._exchanges = exchanges
        self.kind = first.kind

    async def fetch(self) -> IssuedToken:
        failures: list[AuthError] = []
        for exchange in self._exchanges:
            try:
                issued = await exchange.fetch()
            except AuthError as exc:
                failures.append(exc)
                logger.info("%s exchange failed: %s", exchange.label, exc.message)
                continue
            if len(self._exchanges) > 1:
                logger.info("Using %s for API-key exchanges.", exchange.label)
                self._exchanges = (exchange,)
                self.kind, self.url = exchange.kind, exchange.url
            return issued
        if len(failures) == 1:
            raise failures[0]
        raise AuthError(
            " ".join(f.message for f in failures),
            "Check WXO_API_KEY, or set WXO_AUTH_TYPE (mcsp_v1 or mcsp_v2) and WXO_IAM_URL.",
        )

    def __repr__(self) -> str:
        return f"FallbackExchange({', '.join(repr(e) for e in self._exchanges)})"
