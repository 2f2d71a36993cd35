"""In-process httpx transport serving a :class:`~analytics.simulator.Simulator`.

Works for both ``httpx.Client`` and ``httpx.AsyncClient``: each request waits ``latency``
seconds (``asyncio.sleep`` when async), then the fault plan (if any) may answer instead of the
simulator. Every answer carries ``X-Callrep-Simulator: 1``. A client timeout shorter than
the wait raises ``httpx.ReadTimeout`` like a real slow server.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from analytics.simulator.faults import FaultPlan, drop_error, fault_response
from analytics.store.provenance import SIMULATOR_HEADER

if TYPE_CHECKING:
    from analytics.simulator.core import Simulator


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    return timeout.get("read")


class SimTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """``Client(transport=sim.transport())`` or ``AsyncClient(transport=sim.transport())``."""

    def __init__(
        self, sim: Simulator, faults: FaultPlan | None = None, latency: float = 0.0
    ) -> None:
        self.sim = sim
        self.faults = faults
        self.latency = latency

    def _plan(self, request: httpx.Request) -> tuple[str | None, float]:
        kind = self.faults.draw() if self.faults else None
        delay = self.latency + (self.faults.slow_seconds if kind == "slow" and self.faults else 0.0)
        return kind, delay

    def _answer(self, kind: str | None, request: httpx.Request) -> httpx.Response:
        if kind == "drop":
            raise drop_error(request)
        if kind in ("429", "429_retry_after", "500", "503"):
            assert self.faults is not None
            response = fault_response(kind, request, self.faults.retry_after())
        else:
            response = self.sim.handle(request)
        response.headers[SIMULATOR_HEADER] = "1"  # so no real database takes its data
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        kind, delay = self._plan(request)
        limit = _read_timeout(request)
        if limit is not None and delay > limit:
            time.sleep(limit)
            raise httpx.ReadTimeout("simulated slow answer", request=request)
        if delay:
            time.sleep(delay)
        return self._answer(kind, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        kind, delay = self._plan(request)
        limit = _read_timeout(request)
        if limit is not None and delay > limit:
            await asyncio.sleep(limit)
            raise httpx.ReadTimeout("simulated slow answer", request=request)
        if delay:
            await asyncio.sleep(delay)
        return self._answer(kind, request)
