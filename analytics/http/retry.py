"""When to wait before a retry: capped exponential backoff, or what the server asked for."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

_EPOCH_THRESHOLD = 1e9  # an x-ratelimit-reset above this is a Unix time, not a delta


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed request."""

    max_attempts: int = 6  # total attempts including the first
    base_delay: float = 0.25
    max_delay: float = 20.0
    min_wait: float = 0.05  # a server wait of 0 becomes this: a short real wait, never a spin
    max_server_wait: float = 120.0  # cap for Retry-After / x-ratelimit-reset
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if not 0 < self.min_wait <= self.max_server_wait:
            raise ValueError("need 0 < min_wait <= max_server_wait")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("base_delay and max_delay must not be negative")


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Full-jitter delay before retry number `attempt` (1-based).

    Uniform in [0, min(max_delay, base_delay * 2**(attempt-1))], raised to at least
    `policy.min_wait` so a retry never spins.
    """
    ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** min(attempt - 1, 64))
    return max(policy.min_wait, rng.uniform(0.0, ceiling))


def server_wait(
    headers: httpx.Headers, policy: RetryPolicy, now: float | None = None
) -> float | None:
    """Seconds the server asked us to wait, or None when it did not say (or said garbage).

    Reads Retry-After (delta-seconds or HTTP-date), then x-ratelimit-reset (delta seconds, or a
    Unix time when above 1e9). `now` is the wall clock (Unix seconds) for dates and epochs.
    A wait of 0 or in the past becomes `policy.min_wait`; anything is capped at
    `policy.max_server_wait`.
    """
    now = time.time() if now is None else now
    wait = _retry_after(headers.get("retry-after"), now)
    if wait is None:
        wait = _ratelimit_reset(headers.get("x-ratelimit-reset"), now)
    if wait is None:
        return None
    return min(policy.max_server_wait, max(policy.min_wait, wait))


def announced_quota(
    headers: httpx.Headers, policy: RetryPolicy, now: float | None = None
) -> tuple[int, float] | None:
    """The server's quota as (remaining requests, seconds until it resets), or None.

    Read from x-ratelimit-remaining and x-ratelimit-reset (delta seconds, or a Unix time
    above 1e9; `now` is the wall clock); None when either is absent or garbage. The reset is
    at least `policy.min_wait` and at most `policy.max_server_wait`.
    """
    remaining = _number(headers.get("x-ratelimit-remaining"))
    if remaining is None or remaining != int(remaining):
        return None
    reset = _ratelimit_reset(headers.get("x-ratelimit-reset"), time.time() if now is None else now)
    if reset is None:
        return None
    return int(remaining), min(policy.max_server_wait, max(policy.min_wait, reset))


def announced_limit(headers: httpx.Headers) -> int | None:
    """The server's requests per window from x-ratelimit-limit, or None when absent or garbage."""
    limit = _number(headers.get("x-ratelimit-limit"))
    return int(limit) if limit is not None and limit == int(limit) and limit >= 1 else None


def _retry_after(value: str | None, now: float) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP-date."""
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses as naive; HTTP-dates are always UTC
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


def _ratelimit_reset(value: str | None, now: float) -> float | None:
    """Parse x-ratelimit-reset: delta seconds, or a Unix epoch when above 1e9."""
    seconds = _number(value)
    if seconds is None:
        return None
    return seconds - now if seconds > _EPOCH_THRESHOLD else seconds


def _number(value: str | None) -> float | None:
    """A finite, non-negative number, or None."""
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None
