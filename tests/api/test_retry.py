"""The retry policy as tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wxo_mcp.api.retry import (
    RetryPolicy,
    parse_retry_after,
    retry_delay,
    should_retry_create_run,
    should_retry_read,
)


@pytest.mark.parametrize(
    ("status", "failure", "read", "create"),
    [
        (None, "connect", True, True),
        (None, "timeout", True, False),
        (None, "network", True, False),
        (429, None, True, True),
        (500, None, True, False),
        (502, None, True, False),
        (503, None, True, False),
        (504, None, True, False),
        (400, None, False, False),
        (401, None, False, False),
        (403, None, False, False),
        (404, None, False, False),
        (409, None, False, False),
        (422, None, False, False),
        (200, None, False, False),
        (None, None, False, False),
    ],
)
def test_what_is_retried(status, failure, read, create):
    assert should_retry_read(status=status, failure=failure) is read
    assert should_retry_create_run(status=status, failure=failure) is create


NOW = datetime(2026, 2, 6, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0.0),
        ("1", 1.0),
        ("1.5", 1.5),
        (" 20 ", 20.0),
        ("-3", 0.0),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("Fri, 06 Feb 2026 12:00:30 GMT", 30.0),
        ("Fri, 06 Feb 2026 11:59:00 GMT", 0.0),
        ("Friday, 06-Feb-26 12:01:00 GMT", 60.0),
        ("Fri, 06 Feb 2026 12:00:05", 5.0),
        ("Fri, 99 Foo 2026", None),
    ],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


POLICY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=8.0, max_retry_after=20.0)


@pytest.mark.parametrize(
    ("attempt", "status", "retry_after", "rand", "delay"),
    [
        (1, 503, None, 0.0, 0.5),
        (2, 503, None, 0.0, 1.0),
        (3, 503, None, 0.0, 2.0),
        (10, 503, None, 0.0, 8.0),
        (1, 503, None, 1.0, 0.375),
        (1, 429, None, 0.0, 1.0),
        (2, 429, None, 0.0, 2.0),
        (5, 429, None, 0.0, 8.0),
        (1, 429, 1.5, 0.5, 1.5),
        (1, 503, 0.0, 0.5, 0.0),
        (1, 429, 600.0, 0.0, 20.0),
        (1, None, None, 0.0, 0.5),
    ],
)
def test_retry_delay(attempt, status, retry_after, rand, delay):
    got = retry_delay(
        attempt, status=status, retry_after=retry_after, policy=POLICY, rand=lambda: rand
    )
    assert got == pytest.approx(delay)


def test_jitter_stays_within_a_quarter_below():
    delays = {retry_delay(2, policy=POLICY) for _ in range(200)}
    assert all(0.75 <= d <= 1.0 for d in delays)
    assert len(delays) > 1
