"""Proactive pacing from x-ratelimit-* headers: the 429 never comes, on a virtual clock."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.http import ProviderLimits, RateLimiter, RetryPolicy
from analytics.http.retry import announced_limit, announced_quota
from tests.test_http_client import VirtualTime, make_client


class QuotaServer:
    """A fixed-window quota of `limit` requests per `window` s that announces what is left
    (or, with `announce=False`, only refuses); each answer takes `latency` virtual seconds."""

    def __init__(
        self,
        vt: VirtualTime,
        limit: int,
        window: float,
        latency: float,
        announce: bool = True,
        aligned: bool = True,
    ) -> None:
        self.vt, self.limit, self.window, self.latency = vt, limit, window, latency
        self.announce = announce
        self.aligned = aligned  # windows on a fixed grid, or each from the first request after
        self.start, self.used = 0.0, 0
        self.sent: list[float] = []
        self.refused = 0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        now = self.vt.now
        if now >= self.start + self.window:
            self.start = now - (now - self.start) % self.window if self.aligned else now
            self.used = 0
        reset = self.start + self.window - now
        self.used += 1
        left = self.limit - self.used
        headers = {}
        if self.announce:
            headers = {
                "x-ratelimit-limit": str(self.limit),
                "x-ratelimit-remaining": str(max(0, left)),
                "x-ratelimit-reset": f"{reset:.3f}",
            }
        await self.vt.sleep(self.latency)
        if left < 0:
            self.refused += 1
            return httpx.Response(429, headers={**headers, "Retry-After": f"{reset:.3f}"})
        self.sent.append(now)
        return httpx.Response(200, json={"data": []}, headers=headers)


def run_requests(server: QuotaServer, n: int, concurrency: int, first_alone: bool = False) -> None:
    api = make_client(
        server.handler,
        server.vt,
        limits=ProviderLimits(concurrency=concurrency),
        retry=RetryPolicy(max_attempts=6),
    )

    async def main() -> None:
        if first_alone:  # as callrep's collectors begin: one listing request, then the fan-out
            await api.get_json("/n/first")
        await asyncio.gather(*(api.get_json(f"/n/{i}") for i in range(n - first_alone)))

    server.vt.run(main())


def test_announced_quota_is_paced_so_no_429_comes() -> None:
    vt = VirtualTime()
    server = QuotaServer(vt, limit=20, window=1.0, latency=0.05)
    run_requests(server, n=200, concurrency=16)
    assert server.refused == 0
    assert len(server.sent) == 200
    # 200 requests at 20 per window need 10 windows; pacing costs at most 10 % on top.
    assert vt.now <= 200 / 20 * 1.1


@pytest.mark.parametrize("aligned", [True, False])
@pytest.mark.parametrize("concurrency", [4, 16, 64])
def test_pacing_stays_within_ten_percent_of_the_quota_at_any_concurrency(
    aligned: bool, concurrency: int
) -> None:
    # Windows on a grid, or (like bench.pageserver) each from the first request after the
    # last; more in flight than the limit allows (64 > 20) once the first answer is in.
    vt = VirtualTime()
    server = QuotaServer(vt, limit=20, window=1.0, latency=0.05, aligned=aligned)
    run_requests(server, n=200, concurrency=concurrency, first_alone=True)
    assert server.refused == 0
    assert len(server.sent) == 200
    assert vt.now <= 200 / 20 * 1.1


def test_without_the_headers_the_client_only_reacts_as_before() -> None:
    vt = VirtualTime()
    server = QuotaServer(vt, limit=20, window=1.0, latency=0.05, announce=False)
    run_requests(server, n=60, concurrency=16)
    assert server.refused > 0  # no headers, no pacing: the 429s steer it, as they always did
    assert len(server.sent) == 60


def test_no_pacing_without_headers_keeps_full_speed() -> None:
    vt = VirtualTime()
    server = QuotaServer(vt, limit=10**6, window=1.0, latency=0.05, announce=False)
    run_requests(server, n=64, concurrency=16)
    assert math.isclose(vt.now, 64 / 16 * 0.05)


def test_nothing_remaining_holds_every_caller_until_the_reset() -> None:
    vt = VirtualTime()
    sent: list[float] = []
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "3"}

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(vt.now)
        return httpx.Response(200, json={}, headers=headers if len(sent) == 1 else {})

    api = make_client(handler, vt)

    async def main() -> None:
        await api.get_json("/a")
        await asyncio.gather(api.get_json("/b"), api.get_json("/c"))

    vt.run(main())
    assert sent == [0.0, 3.0, 3.0]


@given(
    remaining=st.integers(min_value=0, max_value=10**6),
    reset=st.floats(min_value=0, max_value=10**4, allow_nan=False),
)
def test_announced_quota_reads_delta_seconds(remaining: int, reset: float) -> None:
    policy = RetryPolicy()
    headers = httpx.Headers(
        {"x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": repr(reset)}
    )
    got = announced_quota(headers, policy, now=0.0)
    assert got == (remaining, min(policy.max_server_wait, max(policy.min_wait, reset)))


@pytest.mark.parametrize(
    ("value", "limit"),
    [("20", 20), ("1", 1), ("0", None), ("2.5", None), ("x", None), (None, None)],
)
def test_announced_limit_is_a_whole_positive_count(value: str | None, limit: int | None) -> None:
    headers = httpx.Headers({} if value is None else {"x-ratelimit-limit": value})
    assert announced_limit(headers) == limit


def test_announced_quota_reads_a_unix_reset_time() -> None:
    headers = httpx.Headers({"x-ratelimit-remaining": "7", "x-ratelimit-reset": "1700000030"})
    assert announced_quota(headers, RetryPolicy(), now=1_700_000_000.0) == (7, 30.0)


@given(
    remaining=st.one_of(
        st.none(),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=8),
        st.sampled_from(["-1", "1.5", "nan"]),
    ),
    reset=st.one_of(
        st.none(),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=8),
        st.sampled_from(["-2", "inf"]),
    ),
)
def test_garbage_quota_headers_mean_no_pacing(remaining: str | None, reset: str | None) -> None:
    raw = {"x-ratelimit-remaining": remaining, "x-ratelimit-reset": reset}
    headers = httpx.Headers({k: v for k, v in raw.items() if v is not None})
    got = announced_quota(headers, RetryPolicy(), now=0.0)
    if got is not None:  # only a whole count and a finite, non-negative reset are taken
        assert float(headers["x-ratelimit-remaining"]) == got[0] >= 0
        assert math.isfinite(float(headers["x-ratelimit-reset"]))


@settings(max_examples=40, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=30),
    window=st.sampled_from([0.5, 1.0, 2.0]),
    latency=st.sampled_from([0.001, 0.02, 0.05, 0.3]),
    concurrency=st.integers(min_value=1, max_value=64),
    n=st.integers(min_value=1, max_value=120),
    aligned=st.booleans(),
)
def test_any_announced_quota_is_never_exceeded(
    limit: int, window: float, latency: float, concurrency: int, n: int, aligned: bool
) -> None:
    # Whatever the quota, window, latency and fan-out, using the whole remaining quota at
    # once never runs into a 429, and the run takes no more windows than the quota needs
    # (the last one only partly used) plus, per window, a round trip to learn of its reset
    # and one to hear from the new one.
    vt = VirtualTime()
    server = QuotaServer(vt, limit=limit, window=window, latency=latency, aligned=aligned)
    run_requests(server, n=n, concurrency=concurrency, first_alone=True)
    assert server.refused == 0
    assert len(server.sent) == n
    windows = math.ceil(n / limit)
    assert vt.now <= (windows - 1) * (window + 2 * latency) + n * latency + 1e-6


def test_the_remaining_quota_is_used_at_once_not_spread_over_the_window() -> None:
    # 20 per 1 s window, 50 ms per answer, 16 in flight: the first answer says 19 are left,
    # and they go out together (not 50 ms apart), so a window is spent in a few round trips.
    vt = VirtualTime()
    server = QuotaServer(vt, limit=20, window=1.0, latency=0.05, aligned=False)
    run_requests(server, n=20, concurrency=16, first_alone=True)
    assert server.refused == 0
    assert server.sent[1:17] == [0.05] * 16
    assert vt.now <= 4 * 0.05 + 1e-9


def test_every_other_request_in_flight_is_taken_off_the_quota() -> None:
    fake = VirtualTime()
    limiter = RateLimiter(math.inf, clock=fake.clock, sleep=fake.sleep)
    grants: list[float] = []

    async def main() -> None:
        for _ in range(4):  # four in flight before the first answer comes back
            await limiter.acquire()
        limiter.answered((5, 1.0), limit=6)  # 5 left, and 3 others may not be counted yet
        for _ in range(4):
            await limiter.acquire()
            grants.append(fake.now)

    fake.run(main())
    assert grants[:2] == [0.0, 0.0]
    assert grants[2] >= 1.0  # the rest after the reset


def test_a_larger_count_arriving_later_in_the_same_window_is_stale() -> None:
    # Two requests reach the server in one order and are answered in the other: the later
    # answer, with the larger count, must not reopen a quota the earlier one closed.
    fake = VirtualTime()
    limiter = RateLimiter(math.inf, clock=fake.clock, sleep=fake.sleep)

    async def main() -> float:
        await limiter.acquire()
        await limiter.acquire()
        limiter.answered((0, 1.0), limit=20)
        limiter.answered((10, 0.99), limit=20)
        await limiter.acquire()
        return fake.now

    assert fake.run(main()) == 1.0


def test_an_answer_wakes_a_caller_waiting_for_the_announced_pace() -> None:
    # Past the reset, grants keep the announced pace (here 1 per 0.5 s) until an answer
    # says more may go; the caller waiting for that pace goes at once, not 0.5 s later.
    fake = VirtualTime()
    limiter = RateLimiter(math.inf, clock=fake.clock, sleep=fake.sleep)

    async def answer_soon() -> None:
        await fake.sleep(0.01)
        limiter.answered((3, 1.0), limit=2)

    async def main() -> float:
        await limiter.acquire()
        limiter.answered((0, 1.0), limit=2)
        await limiter.acquire()  # at the reset
        waker = asyncio.ensure_future(answer_soon())
        await limiter.acquire()
        await waker
        return fake.now

    assert fake.run(main()) == 1.01
