"""A sliding-window request limiter on a real (injectable) monotonic clock."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most ``limit`` admitted requests in any ``window`` seconds; refusals are not counted."""

    def __init__(
        self, limit: int, window: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.monotonic = monotonic
        self._hits: deque[float] = deque()

    def allow(self) -> bool:
        now = self.monotonic()
        hits = self._hits
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True
