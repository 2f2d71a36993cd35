"""Injected failures: a :class:`FaultPlan` decides, per request in arrival order, what goes wrong.

Kinds: ``"429"`` (no Retry-After), ``"429_retry_after"`` (``Retry-After: 0`` or ``1``),
``"500"``, ``"503"``, ``"slow"`` (the answer is delayed by ``slow_seconds``) and ``"drop"``
(the transport raises :class:`httpx.RemoteProtocolError`; the server closes the socket
without answering). Faulted requests other than ``slow`` never reach ``Simulator.handle``.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx

from analytics.simulator._util import json_response, uuid_of

ALL_KINDS = ("429", "429_retry_after", "500", "503", "slow", "drop")


@dataclass
class FaultPlan:
    """Fail a fraction ``rate`` of requests with one of ``kinds``, reproducibly from ``seed``."""

    rate: float = 0.1
    kinds: tuple[str, ...] = ALL_KINDS
    seed: int = 1
    slow_seconds: float = 0.2
    injected: Counter[str] = field(default_factory=Counter, init=False)
    seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in ALL_KINDS]
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds {unknown}; choose from {', '.join(ALL_KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request, or ``None``. Two draws per request, always."""
        with self._lock:
            self.seen += 1
            hit = self._rng.random() < self.rate
            pick = self.kinds[self._rng.randrange(len(self.kinds))]
            if not hit:
                return None
            self.injected[pick] += 1
            return pick

    def retry_after(self) -> str:
        """``"0"`` or ``"1"``, alternating with each 429 that carries the header."""
        return "0" if self.injected["429_retry_after"] % 2 else "1"


def fault_response(kind: str, request: httpx.Request, retry_after: str = "1") -> httpx.Response:
    """The provider-shaped error answer for ``kind`` (429/500/503)."""
    status = 429 if kind.startswith("429") else int(kind)
    titles = {429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}
    if request.url.path.startswith("/v2"):
        body: object = {
            "errors": [{"code": str(status), "title": titles[status], "detail": titles[status]}]
        }
    else:
        body = {"api_id": uuid_of("fault", request.url, status), "error": titles[status]}
    headers = {"retry-after": retry_after} if kind == "429_retry_after" else None
    return json_response(status, body, headers)


def drop_error(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        "Server disconnected without sending a response.", request=request
    )
