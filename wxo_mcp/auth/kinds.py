"""Which API-key exchange an instance needs, and where its token service lives.

The guess follows the ADK (`ServiceInstance._infer_auth_type`, orchestrate-api.md §1.1, §2.3–2.5):
an IBM Cloud URL (`.cloud.ibm.com`) means IAM; `cpd`/`k8s`, `WXO_DEPLOYMENT=cpd` or an
`https://cpd…` URL means CPD; anything else is AWS MCSP, whose version the key itself tells
(base64 `k1:` → v1, `k2:` → v2; otherwise v1 first, then v2).

`WXO_IAM_URL` is the base URL of the token service; each kind appends its own path, so the same
variable works for all of them (a URL that already ends with that path is used as is).
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from wxo_mcp.config import AuthType, Settings

__all__ = [
    "DEFAULT_BASES",
    "ExchangeKind",
    "detect_mcsp_key_type",
    "mcsp_versions",
    "resolve_auth_type",
    "token_url",
]

#: One concrete exchange; `mcsp` (unknown version) becomes v1 and/or v2.
ExchangeKind = Literal["ibm_iam", "mcsp_v1", "mcsp_v2", "cpd"]

PATHS: dict[ExchangeKind, str] = {
    "ibm_iam": "/identity/token",
    "mcsp_v1": "/siusermgr/api/1.0/apikeys/token",
    "mcsp_v2": "/api/2.0/apikeys/token",
    "cpd": "/icp4d-api/v1/authorize",
}

DEFAULT_BASES: dict[ExchangeKind, str] = {
    "ibm_iam": "https://iam.cloud.ibm.com",
    "mcsp_v1": "https://iam.platform.saas.ibm.com",
    "mcsp_v2": "https://account-iam.platform.saas.ibm.com",
}

#: AWS regions whose MCSP v2 token service is not the global one (the ADK's table).
_MCSP_V2_BY_REGION = {
    "germanywestcentral": "https://account-iam.azure.westus3.platform.saas.ibm.com",
}


def detect_mcsp_key_type(api_key: str | None) -> Literal["k1", "k2"] | None:
    """`k1`/`k2` when the key is strict base64 of `k1:…`/`k2:…` (MCSP v1/v2), else None."""
    if not api_key:
        return None
    stripped = api_key.strip().rstrip("=")
    try:
        decoded = base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    prefix = decoded[:3]
    if prefix == b"k1:":
        return "k1"
    if prefix == b"k2:":
        return "k2"
    return None


def resolve_auth_type(settings: Settings) -> AuthType:
    """WXO_AUTH_TYPE (or the ADK environment's `auth_type`), else the ADK's guess."""
    if settings.auth_type is not None:
        return settings.auth_type
    url = (settings.url or "").strip()
    if ".cloud.ibm.com" in url.lower():
        return "ibm_iam"
    if settings.deployment == "cpd" or url.lower().startswith("https://cpd"):
        return "cpd"
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    if detect_mcsp_key_type(api_key) == "k2":
        return "mcsp_v2"
    return "mcsp"


def mcsp_versions(auth_type: AuthType, api_key: str | None) -> tuple[ExchangeKind, ...]:
    """The MCSP exchanges to try, in order: `mcsp` is v1 then v2 unless the key says v2."""
    if auth_type == "mcsp_v1":
        return ("mcsp_v1",)
    if auth_type == "mcsp_v2" or detect_mcsp_key_type(api_key) == "k2":
        return ("mcsp_v2",)
    if detect_mcsp_key_type(api_key) == "k1":
        return ("mcsp_v1",)
    return ("mcsp_v1", "mcsp_v2")


def _join(base: str, path: str) -> str:
    base = base.strip().rstrip("/")
    if base.endswith(path):
        return base
    if path.startswith("/icp4d-api/") and base.endswith("/icp4d-api"):
        # The ADK's CPD `iam_url` convention names the icp4d-api root itself.
        return base + path[len("/icp4d-api") :]
    return base + path


def _cpd_base(instance_url: str) -> str | None:
    """`https://host[:port]/orchestrate/<ns>/instances/<id>` cut before `/orchestrate`."""
    parts = urlsplit(instance_url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    path = parts.path
    index = path.find("/orchestrate")
    if index >= 0:
        path = path[:index]
    else:
        index = path.find("/instances/")
        path = path[:index] if index >= 0 else path
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def _mcsp_v2_base(instance_url: str | None) -> str:
    host = (urlsplit(instance_url).hostname or "") if instance_url else ""
    for region, base in _MCSP_V2_BY_REGION.items():
        if region in host:
            return base
    return DEFAULT_BASES["mcsp_v2"]


def token_url(kind: ExchangeKind, settings: Settings) -> str | None:
    """The token endpoint for `kind`; None for CPD without WXO_IAM_URL or an instance URL."""
    base = settings.iam_url
    if base is None:
        if kind == "cpd":
            base = _cpd_base(settings.url) if settings.url else None
        elif kind == "mcsp_v2":
            base = _mcsp_v2_base(settings.url)
        else:
            base = DEFAULT_BASES[kind]
    return _join(base, PATHS[kind]) if base else None
