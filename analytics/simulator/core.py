"""The :class:`Simulator`: one simulated Telnyx account and one Plivo account behind one handler.

``handle`` is the synchronous core shared by the in-process transport and the loopback
server; it routes ``/v2/...`` to Telnyx and ``/v1/...`` to Plivo under one lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import httpx

from analytics.simulator import clock, plivo_api, telnyx_api
from analytics.simulator._util import json_response, uuid_of
from analytics.simulator.faults import FaultPlan
from analytics.simulator.plivo_world import PlivoWorld
from analytics.simulator.ratelimit import SlidingWindow
from analytics.simulator.telnyx_world import TelnyxWorld
from analytics.simulator.transport import SimTransport

DEFAULT_START = date(2026, 8, 31)


@dataclass
class Counters:
    """What the simulator has been asked (requests reaching ``handle``; injected faults do not).

    ``by_endpoint`` keys look like ``"telnyx GET numbers"`` / ``"plivo GET number"``.
    """

    requests: int = 0
    billable_calls: int = 0
    write_calls: int = 0
    rate_limited: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)


class Simulator:
    """Deterministic (seeded) Telnyx + Plivo accounts that move forward a day at a time."""

    def __init__(
        self,
        seed: int = 7,
        start: date = DEFAULT_START,
        telnyx_numbers: int = 300,
        telnyx_enterprises: int = 4,
        plivo_numbers: int = 60,
        telnyx_api_key: str = "sim-telnyx-key",
        plivo_auth_id: str = "MASIM0000000000000001",
        plivo_auth_token: str = "sim-plivo-token",
        plivo_rate_limit: tuple[int, float] = (300, 5.0),
        malformed: bool = False,
        plivo_list_includes_reputation: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seed = seed
        self.start = start
        self.today = start
        self.telnyx_api_key = telnyx_api_key
        self.plivo_auth_id = plivo_auth_id
        self.plivo_auth_token = plivo_auth_token
        self.plivo_list_includes_reputation = plivo_list_includes_reputation
        self.counters = Counters()
        self.limiter = SlidingWindow(plivo_rate_limit[0], plivo_rate_limit[1], monotonic)
        self._lock = threading.RLock()
        self.telnyx = TelnyxWorld(seed, start, telnyx_numbers, telnyx_enterprises, malformed)
        shared_count = max(3, plivo_numbers // 10)
        shared = self.telnyx.pin(shared_count + 3)
        self.plivo = PlivoWorld(
            seed,
            start,
            plivo_numbers,
            plivo_auth_id,
            shared[:shared_count],
            self.telnyx._phones,
            shared[shared_count:],
        )

    @property
    def now(self) -> datetime:
        """The simulated clock: ``today`` at 06:00 UTC."""
        return clock.now_of(self.today)

    def advance(self, days: int = 1) -> None:
        """Move forward ``days`` whole days: refreshes, remediation, churn, Plivo events."""
        with self._lock:
            for _ in range(days):
                self.today += timedelta(days=1)
                self.telnyx.advance_to(self.today)
                self.plivo.advance_to(self.today)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as the provider whose path it names (thread-safe)."""
        path = request.url.path
        with self._lock:
            self.counters.requests += 1
            if path == "/v2" or path.startswith("/v2/"):
                return telnyx_api.handle(self, request, path[3:])
            if path.startswith("/v1/"):
                return plivo_api.handle(self, request, path)
            self.count("none", request.method.upper(), "unknown")
            return json_response(404, {"error": f"no simulated API at {path}"})

    def count(self, provider: str, method: str, endpoint: str) -> None:
        self.counters.by_endpoint[f"{provider} {method} {endpoint}"] += 1

    def api_id(self) -> str:
        """Plivo's per-response ``api_id``: deterministic per request sequence."""
        return uuid_of(self.seed, "api_id", self.counters.requests)

    def transport(self, faults: FaultPlan | None = None, latency: float = 0.0) -> SimTransport:
        """An httpx transport (sync and async) that serves this simulator in-process."""
        return SimTransport(self, faults=faults, latency=latency)
