"""A sliding-window rate limiter shared by every task that talks to one provider."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable


class RateLimiter:
    """At most `rate` requests in any sliding window of `period` seconds, spaced evenly
    (no bursts), shared by all concurrent tasks; async; clock and sleep injectable.

    Grants are at least `period / rate` apart, and the (n+1)-th grant after any grant comes
    at least `period` later (n = floor(rate)), so the window bound holds exactly even with
    float rounding. Waiters are served first come, first served. `rate=math.inf` means no
    limit, while `pause_until` still holds every caller.

    Each grant is in flight until `answered`, which also adopts the quota a server announces
    (x-ratelimit-limit / -remaining / -reset): until that window resets, the whole remaining
    quota may be used at once, less every other request still in flight (the server may
    not have counted it yet, whatever order the requests reach it in), and once it is spent
    every caller waits for the reset, so the 429 never comes. Spreading the quota evenly
    instead lost about one request per window and a round trip at each reset. Once the
    announced window has passed and before the next answer, grants keep the announced pace
    (limit per window length), so a client with more in flight than the server's limit
    never bursts into a window it knows nothing of; an answer wakes a caller waiting for
    that pace at once.
    """

    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not rate > 0 or not 0 < period < math.inf:
            raise ValueError(f"need rate > 0 and 0 < period < inf, got {rate=} {period=}")
        self._interval = period / rate
        self._period = period
        window = math.floor(rate) if rate < math.inf else 1
        self._window: deque[float] = deque(maxlen=max(1, window))
        self._paused_until = -math.inf
        self._in_flight = 0  # granted and not yet answered
        self._quota_seen = 0  # the least `remaining` announced in the server's current window
        self._quota_left = 0  # grants that quota still allows ...
        self._quota_until = -math.inf  # ... until this clock time, when its window resets
        self._server_pace = 0.0  # spacing of `limit` grants over the longest window announced
        self._server_window = 0.0
        self._news: asyncio.Future[None] | None = None  # set by an answer, wakes the waiter
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until a request may be sent and count it as in flight until `answered`."""
        async with self._lock:
            while (wait := (ready := self._ready_at()) - self._clock()) > 0:
                await self._nap(wait)
            now = self._clock()
            # Book the slot waited for, not the moment of waking: sleeps overshoot, and the
            # overshoot would otherwise accumulate into a pace well below `rate`. After a stall
            # longer than one interval, start again from now rather than bursting to catch up.
            self._window.append(ready if now - ready < self._interval else now)
            self._in_flight += 1
            if now < self._quota_until:
                self._quota_left -= 1

    def answered(self, quota: tuple[int, float] | None = None, limit: int | None = None) -> None:
        """One granted request is over (answered or failed); `quota`, when its answer
        announced one, is (remaining requests, seconds until the window resets), and
        `limit` the requests per window, which sets the pace between the reset and the
        next answer."""
        if quota is not None:
            self._adopt(*quota, limit)
        self._in_flight -= 1

    def pause_until(self, t: float) -> None:
        """Hold every caller until `clock() >= t` (e.g. after a 429); never shortens a pause."""
        self._paused_until = max(self._paused_until, t)

    def _adopt(self, remaining: int, reset: float, limit: int | None) -> None:
        """Take a server's quota: `remaining` requests until `reset` seconds from now.

        An answer whose reset lies well past the known one (or once that has passed) opens
        a new window. Within a window the least `remaining` announced holds: an answer that
        reached the server before another may arrive after it, with a larger count.
        """
        now = self._clock()
        if limit is not None and limit > 0:
            self._server_window = max(self._server_window, reset)
            self._server_pace = self._server_window / limit
        until = now + reset
        if (
            now >= self._quota_until
            or until > self._quota_until + (self._server_window or reset) / 2
        ):
            self._quota_seen, self._quota_until = remaining, until
        else:
            self._quota_seen = min(self._quota_seen, remaining)
            self._quota_until = max(self._quota_until, until)
        self._quota_left = self._quota_seen - (self._in_flight - 1)  # all but this answer's
        if self._news is not None and not self._news.done():
            self._news.set_result(None)

    async def _nap(self, delay: float) -> None:
        """Sleep `delay` seconds, or less when an answer brings news of the quota."""
        self._news = asyncio.get_running_loop().create_future()
        nap = asyncio.ensure_future(self._sleep(delay))
        try:
            await asyncio.wait((nap, self._news), return_when=asyncio.FIRST_COMPLETED)
        finally:
            nap.cancel()
            self._news = None

    def _ready_at(self) -> float:
        """The earliest clock time at which the next grant is allowed."""
        ready = self._paused_until
        if self._clock() < self._quota_until:
            if self._quota_left <= 0:
                ready = max(ready, self._quota_until)
        elif self._window:  # past the announced reset: the announced pace until an answer
            ready = max(ready, self._window[-1] + self._server_pace)
        if not self._window:
            return ready
        ready = max(ready, self._window[-1] + self._interval)
        if len(self._window) == self._window.maxlen and self._interval > 0:
            ready = max(ready, self._window[0] + self._period)
        return ready
