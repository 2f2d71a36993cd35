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

    `pace` adopts the quota a server announces (x-ratelimit-limit / -remaining / -reset):
    until that window resets, the whole remaining quota may be used at once (less what was
    sent after the answer), and once it is spent every caller waits for the reset, so the
    429 never comes. Spreading the quota evenly instead lost about one request per window
    and a round trip at each reset. Once the announced window has passed and before the
    next answer, grants keep the announced pace (limit per window length), so a client with
    more in flight than the server's limit never bursts into a window it knows nothing of.
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
        self._quota_left = 0  # grants the server's announced quota still allows ...
        self._quota_until = -math.inf  # ... until this clock time, when its window resets
        self._quota_grant = 0  # the grant whose answer announced it (older answers are stale)
        self._server_pace = 0.0  # spacing of `limit` grants over the longest window announced
        self._server_window = 0.0
        self.granted = 0  # grants so far; acquire() returns each grant's number
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def acquire(self) -> int:
        """Wait until a request may be sent, count it as sent; return its grant number."""
        async with self._lock:
            while (wait := (ready := self._ready_at()) - self._clock()) > 0:
                await self._sleep(wait)
            now = self._clock()
            # Book the slot waited for, not the moment of waking: sleeps overshoot, and the
            # overshoot would otherwise accumulate into a pace well below `rate`. After a stall
            # longer than one interval, start again from now rather than bursting to catch up.
            self._window.append(ready if now - ready < self._interval else now)
            self.granted += 1
            if now < self._quota_until:
                self._quota_left -= 1
            return self.granted

    def pause_until(self, t: float) -> None:
        """Hold every caller until `clock() >= t` (e.g. after a 429); never shortens a pause."""
        self._paused_until = max(self._paused_until, t)

    def pace(self, remaining: int, reset: float, grant: int, limit: int | None = None) -> None:
        """Adopt a server's announced quota: `remaining` requests until `reset` seconds from now.

        The answer is to the request of grant number `grant`: the requests granted after it
        may have reached the server after that answer was written, so they are taken off the
        quota first (the ones before it were counted). An answer to an older grant than one
        already adopted is stale and ignored. `limit`, when announced, sets the pace between
        the reset and the next answer.
        """
        if grant < self._quota_grant:
            return
        self._quota_grant = grant
        if limit is not None and limit > 0:
            self._server_window = max(self._server_window, reset)
            self._server_pace = self._server_window / limit
        self._quota_left = remaining - max(0, self.granted - grant)
        self._quota_until = self._clock() + reset

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
