"""When to retry a request, and how long to wait: small pure functions, tested as tables.

Reads (agents, runs, threads) are idempotent: they are retried on connection failures,
timeouts, 429 and 5xx, never on 400/401/403/404/422 (the ADK's rule). Creating a run is not
idempotent (Orchestrate honours no idempotency key, and a run may already exist after a 5xx
or a timeout), so it is re-sent only when nothing reached the server (a connect failure) or
the server said "not now" (429). The 401 retry after a token refresh lives in the auth flow.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = [
    "DEFAULT_RETRY",
    "Failure",
    "RetryPolicy",
    "parse_retry_after",
    "retry_delay",
    "should_retry_create_run",
    "should_retry_read",
]

#: How a request failed without a usable status: nothing sent ("connect": refused, DNS,
#: connect/pool timeout), no answer in time ("timeout"), or the connection broke ("network").
Failure = Literal["connect", "timeout", "network"]

_NEVER = frozenset({400, 401, 403, 404, 422})


@dataclass(frozen=True)
class RetryPolicy:
    """The numbers of the retry policy, named (3 attempts, 0.5 s doubling up to 8 s)."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: A server's Retry-After is honoured up to this many seconds; a tool call has a deadline.
    max_retry_after: float = 20.0


DEFAULT_RETRY = RetryPolicy()


def should_retry_read(status: int | None = None, failure: Failure | None = None) -> bool:
    """Whether a read (GET) may be sent again after this outcome."""
    if failure is not None:
        return True
    if status is None or status in _NEVER:
        return False
    return status == 429 or status >= 500


def should_retry_create_run(status: int | None = None, failure: Failure | None = None) -> bool:
    """Whether `POST /runs` may be sent again: only if the server surely has not started a run."""
    if failure is not None:
        return failure == "connect"
    return status == 429


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait per a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(
    attempt: int,
    *,
    status: int | None = None,
    retry_after: float | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before attempt `attempt + 1` (`attempt` counts from 1).

    A server's Retry-After wins, capped at `policy.max_retry_after`. Otherwise exponential
    backoff with up to 25 % jitter downwards (so many clients do not retry in lockstep); a 429
    without Retry-After waits twice as long, as the ADK does.
    """
    if retry_after is not None:
        return min(max(0.0, retry_after), policy.max_retry_after)
    delay = min(policy.base_delay * 2.0 ** max(0, attempt - 1), policy.max_delay)
    if status == 429:
        delay = min(delay * 2, policy.max_delay)
    return delay * (1 - 0.25 * rand())
