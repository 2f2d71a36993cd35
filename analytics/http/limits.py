"""How hard we may push one provider, and how much one run may fetch: one type for config and http.

The caps bound every run, whatever a server claims: a listing that never ends, a body that
decompresses without end or a server that drips bytes fails the run with a line naming the
setting to raise. The defaults admit a 2M-number fleet (Plivo: one detail GET per number at
290 requests per 5 s is about 10 hours) with room to spare.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# callrep.toml name of each cap, as [telnyx] / [plivo] keys (the error names it).
CAP_SETTINGS = {
    "max_pages": "max_pages",
    "max_records": "max_records",
    "max_bytes": "max_bytes",
    "max_body_bytes": "max_body_bytes",
    "request_deadline": "request_deadline_seconds",
    "run_deadline": "run_deadline_seconds",
}


@dataclass(frozen=True)
class ProviderLimits:
    """Pacing for one provider and the bounds of one run."""

    # Max requests in flight. 16: on the bench (100k numbers, 50 ms, ScalingTransport) the
    # client is CPU-bound from 16 up: client CPU is the same at 16/32/64 (3.4-4.5 s under
    # load 14-18 on 2 cores) and their walls overlap run to run (16: 7.2-10.8 s, 32: 8.1-10.0,
    # 64: 8.2-11.7, each against aiohttp's 5.2-5.6 in the same run), so the smallest of them
    # keeps the load on a provider modest. A higher-latency API gains from more: the
    # transport's CPU per request does not grow with it, and announced quotas are paced
    # (the whole remaining quota at once, never a 429), so raising it is safe.
    concurrency: int = 16
    rate: float | None = None  # requests per `period`; None = unlimited
    period: float = 1.0
    timeout: float = 30.0  # per read/connect (httpx.Timeout)
    max_pages: int = 500_000  # listing pages per run
    max_records: int = 10_000_000  # listed items per run
    max_bytes: int = 32 * 2**30  # decoded response bytes per run
    max_body_bytes: int = 64 * 2**20  # decoded bytes of one response
    request_deadline: float = 120.0  # seconds for one attempt, however the bytes drip
    run_deadline: float = 16 * 3600.0  # seconds for the whole run of one provider

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "rate" and not value > 0:
                raise ValueError(f"{f.name} must be positive, got {value!r}")
        if self.concurrency < 1:
            raise ValueError("need concurrency >= 1")
