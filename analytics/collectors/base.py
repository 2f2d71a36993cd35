"""What every provider collector provides to the run orchestration."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import duckdb
import httpx
import polars as pl

from analytics.collectors.shape import as_json
from analytics.http import ApiClient, ProviderLimits
from analytics.store.landing import Batch

P = TypeVar("P")  # what a collector reads from the store before its run (its "prior")


@dataclass(frozen=True)
class RunContext(Generic[P]):
    """One run of one account: its ledger id, observation time, account and prior state."""

    run_id: int
    collected_at: datetime
    account: str
    prior: P


RAW_SCHEMA = {
    "run_id": pl.Int64,
    "source": pl.Utf8,
    "endpoint": pl.Utf8,
    "resource_key": pl.Utf8,
    "body": pl.Utf8,
}


def raw_response(
    ctx: RunContext[Any], source: str, endpoint: str, key: str, body: Any
) -> dict[str, Any]:
    """A small API response kept whole in ``raw_responses``."""
    return {
        "run_id": ctx.run_id,
        "source": source,
        "endpoint": endpoint,
        "resource_key": key,
        "body": as_json(body),
    }


def with_account(batch: Batch, account: str) -> Batch:
    """``batch`` with every frame carrying the ``account`` column: each landed row says whose."""

    def stamp(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.lit(account, dtype=pl.Utf8).alias("account"))

    return replace(batch, appends={table: stamp(rows) for table, rows in batch.appends.items()})


class Collector(Protocol[P]):
    """One account's read-only collection, split so the network phase holds no database.

    Built from the account's own settings (see :mod:`analytics.collectors.factory`).
    """

    source: str  # the provider: telnyx | plivo
    account: str  # the account's name, unique per provider
    limits: ProviderLimits  # client-side pacing and the run's caps

    def client(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        """An AsyncClient with base URL, auth and timeout; ``transport`` None = the network."""

    def secrets(self) -> list[str]:
        """Credential values to redact from every message."""

    def prepare(self, con: duckdb.DuckDBPyConnection) -> P:
        """Read what the run needs from the store (before the network phase)."""

    async def collect(self, api: ApiClient, ctx: RunContext[P]) -> Batch:
        """Fetch everything and return the rows to land."""
