"""Backoff and server-requested waits (analytics.http.retry)."""

from __future__ import annotations

import random
from email.utils import formatdate

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.http import RetryPolicy, backoff_delay, server_wait

NOW = 1_750_000_000.0  # a fixed wall clock, in Unix seconds
POLICY = RetryPolicy()


class EdgeRng(random.Random):
    """An rng whose uniform() always returns the lower or the upper bound."""

    def __init__(self, upper: bool) -> None:
        super().__init__(0)
        self.upper = upper

    def uniform(self, a: float, b: float) -> float:
        return b if self.upper else a


def wait_for(**headers: str) -> float | None:
    return server_wait(
        httpx.Headers({k.replace("_", "-"): v for k, v in headers.items()}), POLICY, NOW
    )


def test_backoff_ceiling_doubles_then_is_capped() -> None:
    ceilings = [backoff_delay(POLICY, attempt, EdgeRng(upper=True)) for attempt in range(1, 11)]
    assert ceilings == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0]


def test_backoff_never_spins() -> None:
    assert backoff_delay(POLICY, 1, EdgeRng(upper=False)) == POLICY.min_wait


def test_backoff_survives_huge_attempt_numbers() -> None:
    assert backoff_delay(POLICY, 10_000, EdgeRng(upper=True)) == POLICY.max_delay


@given(
    attempt=st.integers(min_value=1, max_value=500),
    seed=st.integers(min_value=0, max_value=2**32),
    base=st.floats(min_value=0.0, max_value=5.0),
    cap=st.floats(min_value=0.0, max_value=60.0),
)
def test_backoff_jitter_within_bounds(attempt: int, seed: int, base: float, cap: float) -> None:
    policy = RetryPolicy(base_delay=base, max_delay=cap)
    delay = backoff_delay(policy, attempt, random.Random(seed))
    ceiling = min(cap, base * 2.0 ** (attempt - 1))
    assert policy.min_wait <= delay <= max(policy.min_wait, ceiling)


def test_retry_after_seconds() -> None:
    assert wait_for(retry_after="7") == 7.0


def test_retry_after_http_date() -> None:
    assert wait_for(retry_after=formatdate(NOW + 30, usegmt=True)) == pytest.approx(30.0)


def test_retry_after_date_in_the_past_is_a_short_real_wait() -> None:
    assert wait_for(retry_after=formatdate(NOW - 30, usegmt=True)) == POLICY.min_wait


def test_ratelimit_reset_delta() -> None:
    assert wait_for(x_ratelimit_reset="12") == 12.0


def test_ratelimit_reset_epoch() -> None:
    assert wait_for(x_ratelimit_reset=str(int(NOW) + 40)) == pytest.approx(40.0)


@pytest.mark.parametrize(
    "headers",
    [
        {"retry_after": "0"},
        {"x_ratelimit_reset": "0"},
        {"x_ratelimit_reset": str(int(NOW) - 5)},
    ],
)
def test_zero_becomes_min_wait_not_a_spin(headers: dict[str, str]) -> None:
    wait = wait_for(**headers)
    assert wait == POLICY.min_wait
    assert wait > 0


def test_server_wait_is_capped() -> None:
    assert wait_for(retry_after="86400") == POLICY.max_server_wait
    assert wait_for(x_ratelimit_reset=str(int(NOW) + 86400)) == POLICY.max_server_wait


def test_retry_after_wins_over_ratelimit_reset() -> None:
    assert wait_for(retry_after="3", x_ratelimit_reset="9") == 3.0


def test_garbage_retry_after_falls_back_to_ratelimit_reset() -> None:
    assert wait_for(retry_after="soon", x_ratelimit_reset="9") == 9.0


@pytest.mark.parametrize("value", ["", "soon", "-5", "nan", "inf", "1e400", "Mon, 99 Foo 2025"])
def test_garbage_or_absent_means_no_server_wait(value: str) -> None:
    assert wait_for(retry_after=value) is None
    assert wait_for(x_ratelimit_reset=value) is None
    assert wait_for() is None


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"min_wait": 0.0}, {"base_delay": -1.0}, {"min_wait": 500.0}]
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
