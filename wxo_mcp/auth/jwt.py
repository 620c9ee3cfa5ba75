"""Read a JWT's `exp` claim without verifying it, as the ADK does, to spot stale tokens early."""

from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["STALE_MARGIN_SECONDS", "is_stale", "jwt_claims", "jwt_expiry"]

#: The ADK treats a token as expired 600 s before its `exp` (check_token_validity).
STALE_MARGIN_SECONDS = 600.0


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT, unverified; None if `token` is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return claims if isinstance(claims, dict) else None


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim (epoch seconds) of a JWT; None if it has none or is not a JWT.

    Developer Edition tokens carry no `exp`: they never go stale on our side.
    """
    claims = jwt_claims(token)
    exp = claims.get("exp") if claims is not None else None
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return float(exp)
    return None


def is_stale(expiry: float | None, now: float, margin: float = STALE_MARGIN_SECONDS) -> bool:
    """Whether a token expiring at `expiry` should no longer be sent at time `now`."""
    return expiry is not None and now >= expiry - margin
