"""JWT-shaped tokens, as the real token services hand out, and their validation.

The remote token routes (IAM, MCSP v1/v2, CPD) issue HS256-signed tokens carrying ``iat`` and
``exp``; every Orchestrate route accepts them until ``exp`` (and rejects them after, with a 401),
so a client's refresh logic meets the same clock the real services impose. The Developer Edition
login's tokens have no ``exp``, like the real ones (§2.2). Signing with a per-simulator secret
keeps made-up tokens out. Exchanges are counted per kind and expired tokens refused are counted,
so tests can assert "exactly one refresh" and "no call was refused".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from typing import Literal

TokenCheck = Literal["valid", "expired", "invalid"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issues and checks the simulator's tokens; counts exchanges per kind (thread-safe reads)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._not_before = 0.0
        #: Overrides ``SimulatorOptions.token_lifetime`` for tokens issued from now on.
        self.lifetime: float | None = None

    def issue(
        self,
        kind: str,
        lifetime: float | None,
        subject: str = "simulated-user",
        extra: dict[str, object] | None = None,
    ) -> str:
        """A fresh token for one exchange of ``kind`` that expires ``lifetime`` seconds from now,
        or never for ``None`` (Developer Edition tokens carry no ``exp``, §2.2); ``extra`` adds
        claims.

        ``exp`` and ``iat`` may be fractional (RFC 7519 NumericDate allows it), so tests can use
        lifetimes of a few seconds.
        """
        now = time.time()
        header = {"alg": "HS256", "typ": "JWT"}
        claims: dict[str, object] = {
            "sub": subject,
            "iss": f"wxo-simulator/{kind}",
            "jti": uuid.uuid4().hex,
            "iat": now,
            **(extra or {}),
        }
        if lifetime is not None:
            claims["exp"] = now + lifetime
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        with self._lock:
            self._counts[kind] += 1
        return f"{signing_input}.{_b64(signature)}"

    def check(self, token: str) -> TokenCheck:
        """Whether ``token`` is one of ours and still valid now."""
        parts = token.split(".")
        if len(parts) != 3:
            return "invalid"
        signing_input = f"{parts[0]}.{parts[1]}"
        expected = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(expected, _unb64(parts[2])):
                return "invalid"
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            return "invalid"
        if not isinstance(claims, dict):
            return "invalid"
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float | None) or not isinstance(iat, int | float):
            return "invalid"
        if (exp is not None and time.time() >= exp) or iat < self._not_before:
            with self._lock:
                self._counts["refused"] += 1
            return "expired"
        return "valid"

    def revoke_all(self) -> None:
        """Every token issued so far is refused from now on (as after a key rotation)."""
        self._not_before = time.time()

    @property
    def counts(self) -> dict[str, int]:
        """Exchanges so far per kind (``iam``, ``mcsp_v1``, ``mcsp_v2``, ``cpd``, ``local``), and
        under ``refused`` how many requests came with an expired or revoked token."""
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        """Forget the counts and the lifetime override (issued tokens stay valid until they
        expire)."""
        with self._lock:
            self._counts.clear()
        self.lifetime = None
