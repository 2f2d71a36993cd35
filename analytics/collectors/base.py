"""What every provider collector provides to the run orchestration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import duckdb
import httpx
import polars as pl

from analytics.collectors.shape import as_json
from analytics.config import Limits, Settings
from analytics.http import ApiClient
from analytics.store.landing import Batch


@dataclass(frozen=True)
class RunContext:
    """One run of one source: its ledger id, observation time and prior state."""

    run_id: int
    collected_at: datetime
    known: dict[str, Any] = field(default_factory=dict)


RAW_SCHEMA = {
    "run_id": pl.Int64,
    "source": pl.Utf8,
    "endpoint": pl.Utf8,
    "resource_key": pl.Utf8,
    "body": pl.Utf8,
}


def raw_response(
    ctx: RunContext, source: str, endpoint: str, key: str, body: Any
) -> dict[str, Any]:
    """A small API response kept whole in ``raw_responses``."""
    return {
        "run_id": ctx.run_id,
        "source": source,
        "endpoint": endpoint,
        "resource_key": key,
        "body": as_json(body),
    }


class Collector(Protocol):
    """A provider's read-only collection, split so the network phase holds no database."""

    name: str

    def configured(self, settings: Settings) -> bool:
        """Whether this provider's credentials are set."""

    def client(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None
    ) -> httpx.AsyncClient:
        """An AsyncClient with base URL, auth and timeout; ``transport`` None = the network."""

    def limits(self, settings: Settings) -> Limits:
        """Client-side pacing for this provider."""

    def secrets(self, settings: Settings) -> list[str]:
        """Credential values to redact from every message."""

    def prepare(self, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        """Read what the run needs from the store (before the network phase)."""

    async def collect(self, api: ApiClient, ctx: RunContext) -> Batch:
        """Fetch everything and return the rows to land."""
