"""RateLimiter: a sliding-window bound, even spacing and pauses, on a fake clock."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.http import RateLimiter


class FakeTime:
    """A clock that advances by exactly what is slept; `on_sleep` runs before each sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.waits: list[float] = []
        self.on_sleep: Callable[[], None] = lambda: None

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.on_sleep()
        self.waits.append(delay)
        self.now += delay
        await asyncio.sleep(0)


def grant_times(limiter: RateLimiter, fake: FakeTime, tasks: int) -> list[float]:
    """Run `tasks` concurrent acquires; return the clock at each grant, in grant order."""
    times: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        times.append(fake.now)

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(tasks)))

    asyncio.run(main())
    return times


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(min_value=1, max_value=12),
    period=st.sampled_from([0.1, 0.5, 1.0, 2.5, 60.0]),
    tasks=st.integers(min_value=1, max_value=40),
    start=st.floats(min_value=0.0, max_value=1e6),
)
def test_never_more_than_rate_in_any_window(
    rate: int, period: float, tasks: int, start: float
) -> None:
    fake = FakeTime(start)
    times = grant_times(RateLimiter(rate, period, clock=fake.clock, sleep=fake.sleep), fake, tasks)
    assert len(times) == tasks
    assert times == sorted(times)
    # The (rate+1)-th grant after any grant is at least one period later ...
    assert all(
        later >= earlier + period for earlier, later in zip(times, times[rate:], strict=False)
    )
    # ... grants are spaced evenly (no bursts) ...
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= period / rate - 1e-9 for gap in gaps)  # float noise at start ~ 1e6
    # ... and the limiter does not wait longer than it must.
    assert times[-1] - start <= (tasks - 1) * period / rate * (1 + 1e-9) + 1e-6


def test_spacing_is_even() -> None:
    fake = FakeTime()
    times = grant_times(RateLimiter(4, 1.0, clock=fake.clock, sleep=fake.sleep), fake, 5)
    assert times == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])


def test_fractional_rate() -> None:
    fake = FakeTime()
    times = grant_times(RateLimiter(0.5, 1.0, clock=fake.clock, sleep=fake.sleep), fake, 3)
    assert times == [0.0, 2.0, 4.0]


def test_pause_until_holds_every_caller() -> None:
    fake = FakeTime()
    limiter = RateLimiter(100, 1.0, clock=fake.clock, sleep=fake.sleep)
    limiter.pause_until(7.0)
    times = grant_times(limiter, fake, 3)
    assert times[0] == 7.0
    assert times == pytest.approx([7.0, 7.01, 7.02])


def test_pause_that_arrives_while_waiting_is_honoured() -> None:
    fake = FakeTime()
    limiter = RateLimiter(1, 1.0, clock=fake.clock, sleep=fake.sleep)
    fake.on_sleep = lambda: limiter.pause_until(10.0)  # a 429 lands while the 2nd task waits
    assert grant_times(limiter, fake, 2) == [0.0, 10.0]


def test_pause_is_never_shortened() -> None:
    fake = FakeTime()
    limiter = RateLimiter(math.inf, clock=fake.clock, sleep=fake.sleep)
    limiter.pause_until(5.0)
    limiter.pause_until(2.0)
    assert grant_times(limiter, fake, 1) == [5.0]


def test_infinite_rate_never_waits() -> None:
    fake = FakeTime()
    times = grant_times(RateLimiter(math.inf, clock=fake.clock, sleep=fake.sleep), fake, 50)
    assert times == [0.0] * 50
    assert fake.waits == []


@pytest.mark.parametrize(("rate", "period"), [(0, 1.0), (-1, 1.0), (1, 0.0), (1, math.inf)])
def test_rejects_nonsense(rate: float, period: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate, period)
