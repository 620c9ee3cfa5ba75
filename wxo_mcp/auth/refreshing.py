"""A token cache in front of an API-key exchange: refreshed before expiry, one refresh at a time.

A stdio server lives for hours inside a desktop app, and its tokens expire underneath it. This
cache keeps the current token with two deadlines on a monotonic clock (wall-clock jumps cannot
fool it): `refresh_at`, a fifth of the lifetime (at most 5 minutes) before expiry, from which
the next caller refreshes; and `expires_at`. Refreshing holds a lock and re-checks after taking
it, so any number of callers arriving at once cause exactly one exchange and all get its token.

If a refresh fails while the current token is still valid, that token is used a little longer
(the token service may only be blipping); if there is none, the failure is remembered for a
moment so that a crowd of waiting callers does not hammer a failing service one by one.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from wxo_mcp.auth.exchange import IssuedToken, TokenExchange
from wxo_mcp.errors import AuthError

__all__ = ["RefreshingTokenProvider", "refresh_margin"]

logger = logging.getLogger(__name__)

#: Refresh at most this long before expiry (IAM tokens live an hour: refresh after 55 min).
MAX_MARGIN = 300.0
#: How long a failed exchange is reported to callers before another is tried.
FAILURE_PAUSE = 2.0
#: While the old token is valid, wait this long between refresh attempts after a failure.
RETRY_PAUSE = 10.0


def refresh_margin(lifetime: float) -> float:
    """How long before expiry to refresh: a fifth of the lifetime, at most 5 minutes."""
    return min(0.2 * lifetime, MAX_MARGIN)


@dataclass(frozen=True)
class _Cached:
    value: str
    refresh_at: float
    expires_at: float


class RefreshingTokenProvider:
    """TokenProvider for API keys (IAM, MCSP, CPD): see the module docstring."""

    def __init__(
        self,
        exchange: TokenExchange,
        *,
        clock: Callable[[], float] = time.monotonic,
        failure_pause: float = FAILURE_PAUSE,
        retry_pause: float = RETRY_PAUSE,
    ) -> None:
        self._exchange = exchange
        self._clock = clock
        self._failure_pause = failure_pause
        self._retry_pause = retry_pause
        self._cached: _Cached | None = None
        self._failure: tuple[AuthError, float] | None = None
        self._lock = anyio.Lock()
        #: Exchanges done so far (for `doctor` and tests).
        self.exchanges = 0

    @property
    def kind(self) -> str:
        """The exchange in use: ibm_iam, mcsp_v1, mcsp_v2 or cpd."""
        return self._exchange.kind

    @property
    def refusal_hint(self) -> str:
        """What to do when Orchestrate refuses even a freshly exchanged token."""
        return (
            f"A fresh {self._exchange.label} token was refused too: check that WXO_API_KEY "
            "belongs to the instance at WXO_URL (and WXO_AUTH_TYPE / WXO_IAM_URL)."
        )

    async def token(self) -> str:
        """The cached token, or a new one when it is due for refresh (one exchange at a time)."""
        cached = self._cached
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.value
        async with self._lock:
            now = self._clock()
            cached = self._cached
            if cached is not None and now < cached.refresh_at:
                return cached.value  # another caller refreshed while we waited
            if self._failure is not None and now < self._failure[1]:
                error = self._failure[0]
                raise AuthError(error.message, error.hint)
            try:
                issued = await self._exchange.fetch()
            except AuthError as exc:
                return self._after_failure(exc, cached)
            self._failure = None
            self._cached = self._cache(issued, started=now)
            self.exchanges += 1
            logger.debug("New %s token (lifetime %s s).", self._exchange.label, issued.lifetime)
            return issued.value

    def _cache(self, issued: IssuedToken, started: float) -> _Cached:
        if issued.lifetime is None:
            return _Cached(issued.value, math.inf, math.inf)
        expires_at = started + issued.lifetime
        return _Cached(issued.value, expires_at - refresh_margin(issued.lifetime), expires_at)

    def _after_failure(self, exc: AuthError, cached: _Cached | None) -> str:
        now = self._clock()
        if cached is not None and now < cached.expires_at:
            logger.warning(
                "Could not refresh the %s token (%s); the current one is still valid and is "
                "used meanwhile.",
                self._exchange.label,
                exc.message,
            )
            pause = min(self._retry_pause, (cached.expires_at - now) / 2)
            self._cached = _Cached(cached.value, now + pause, cached.expires_at)
            return cached.value
        self._failure = (exc, now + self._failure_pause)
        raise exc

    async def refused(self, token: str) -> None:
        """Orchestrate answered 401 to `token`: drop it so the next call exchanges again.

        A token other than the current one (already replaced by a concurrent refresh) is ignored,
        so a crowd of refusals still causes a single exchange.
        """
        if self._cached is not None and self._cached.value == token:
            self._cached = None

    def __repr__(self) -> str:
        return f"RefreshingTokenProvider({self._exchange!r})"
