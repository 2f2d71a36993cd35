"""Telnyx Number Reputation collection: read-only, never billable.

Only list endpoints and the settings/remediation GETs are called. The per-number GET,
``?fresh=true`` and the refresh endpoint are billable (and so is the first GET of a
number without cached data), so they are never used; nor is any POST, PATCH or DELETE.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import duckdb
import httpx
import polars as pl

from analytics.collectors import shape
from analytics.collectors import telnyx_records as rec
from analytics.collectors.base import RAW_SCHEMA, RunContext, raw_response
from analytics.config import Limits, Settings
from analytics.errors import NotFoundError
from analytics.http import ApiClient, PageNumberPaginator, fetch_all
from analytics.store.landing import Batch

# The documented defaults disagree (10 here, 20 elsewhere); always send the cap.
PAGE_SIZE = 250


@dataclass
class _Collected:
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[pl.DataFrame] = field(default_factory=list)
    slim_requests: list[dict[str, Any]] = field(default_factory=list)
    detail_requests: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)


class TelnyxCollector:
    """Enterprises, their reputation gates, monitored numbers and remediation requests."""

    name = "telnyx"

    def configured(self, settings: Settings) -> bool:
        return settings.telnyx is not None

    def client(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None
    ) -> httpx.AsyncClient:
        assert settings.telnyx is not None
        # A pool as large as the concurrency: httpx keeps only 20 idle connections by default,
        # so above 20 in flight it closed and reopened connections on every request (the
        # slowdown from c=16 to c=64 the bench measured; encode/httpx#3215).
        size = settings.telnyx.limits.concurrency
        return httpx.AsyncClient(
            base_url=settings.telnyx.base_url,
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            headers={
                "Authorization": f"Bearer {settings.telnyx.api_key}",
                "Accept": "application/json",
            },
            transport=transport,
            timeout=settings.telnyx.limits.timeout,
        )

    def limits(self, settings: Settings) -> Limits:
        assert settings.telnyx is not None
        return settings.telnyx.limits

    def secrets(self, settings: Settings) -> list[str]:
        return [settings.telnyx.api_key] if settings.telnyx else []

    def prepare(self, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        """Requests already stored in a final state with their detail: no need to fetch again."""
        rows = con.execute(
            """
            select request_id from telnyx_remediation_requests
            where status in ('completed', 'failed', 'cancelled') and detail_run_id is not null
            """
        ).fetchall()
        return {"settled_requests": frozenset(r[0] for r in rows)}

    async def collect(self, api: ApiClient, ctx: RunContext) -> Batch:
        out = _Collected()
        pages = await fetch_all(api, "/enterprises", PageNumberPaginator(PAGE_SIZE))
        for n, page in enumerate(pages, 1):
            out.raw.append(raw_response(ctx, "telnyx", "enterprises", f"page {n}", page.body))
        enterprises = [e for page in pages for e in page.items]
        settled = ctx.known.get("settled_requests", frozenset())
        await asyncio.gather(*(self._enterprise(api, ctx, e, settled, out) for e in enterprises))
        return _batch(ctx, out)

    async def _enterprise(
        self,
        api: ApiClient,
        ctx: RunContext,
        enterprise: Any,
        settled: frozenset[str],
        out: _Collected,
    ) -> None:
        if not isinstance(enterprise, dict):  # kept, flagged, and nothing to fetch for it
            out.enterprises.append(
                rec.enterprise_row(enterprise, None, ctx.run_id, ctx.collected_at)
            )
            return
        enterprise_id = str(enterprise.get("id"))
        base = f"/enterprises/{quote(enterprise_id, safe='')}/reputation"
        try:
            body = await api.get_json(base)
        except NotFoundError:
            body = None  # reputation disabled for this enterprise: a state, not a failure
        settings = body.get("data") if isinstance(body, dict) else None
        out.raw.append(raw_response(ctx, "telnyx", "reputation settings", enterprise_id, body))
        out.enterprises.append(
            rec.enterprise_row(enterprise, settings, ctx.run_id, ctx.collected_at)
        )
        gates = (settings or {}).get("status"), (settings or {}).get("loa_status")
        if gates != ("approved", "approved"):
            return  # numbers and remediation exist only behind both approved gates

        def parse(items: list[Any]) -> pl.DataFrame:
            return rec.numbers_frame(items, enterprise_id, ctx.run_id, ctx.collected_at)

        numbers, requests = await asyncio.gather(
            fetch_all(api, f"{base}/numbers", PageNumberPaginator(PAGE_SIZE), parse=parse),
            fetch_all(api, f"{base}/remediation", PageNumberPaginator(PAGE_SIZE)),
        )
        out.numbers.extend(page.parsed for page in numbers)
        for n, page in enumerate(requests, 1):
            out.raw.append(
                raw_response(
                    ctx, "telnyx", "remediation list", f"{enterprise_id} page {n}", page.body
                )
            )
        listed = [r for page in requests for r in page.items]
        stale = [r for r in listed if isinstance(r, dict) and str(r.get("id")) not in settled]
        details = await asyncio.gather(
            *(api.get_json(f"{base}/remediation/{quote(str(r.get('id')), safe='')}") for r in stale)
        )
        fetched = set()
        for body in details:
            item = body.get("data") if isinstance(body, dict) else body
            row = rec.request_row(item, enterprise_id, ctx.run_id, ctx.collected_at, detail=True)
            results, flags = rec.result_rows(item, ctx.run_id)
            if flags:
                row["flags"] = [*(row.get("flags") or []), *flags]
                row["raw"] = shape.as_json(item)
            out.detail_requests.append(row)
            out.results.extend(results)
            out.raw.append(
                raw_response(ctx, "telnyx", "remediation detail", row["request_id"], body)
            )
            fetched.add(row["request_id"])
        for item in listed:
            row = rec.request_row(item, enterprise_id, ctx.run_id, ctx.collected_at, detail=False)
            if row["request_id"] not in fetched:
                out.slim_requests.append(row)


def _numbers(pages: list[pl.DataFrame]) -> pl.DataFrame:
    """All pages' rows; a number listed twice (pages shift while new numbers arrive) once."""
    frame = pl.concat(pages) if pages else pl.DataFrame(schema=rec.NUMBER_SCHEMA)
    typed = frame.filter(pl.col("phone_number").is_not_null())
    untyped = frame.filter(pl.col("phone_number").is_null())
    deduped = typed.unique(
        subset=["enterprise_id", "phone_number"], keep="last", maintain_order=True
    )
    return pl.concat([deduped, untyped])


def _batch(ctx: RunContext, out: _Collected) -> Batch:
    numbers = _numbers(out.numbers)
    details = out.detail_requests
    slim_schema = {k: rec.REQUEST_SCHEMA[k] for k in rec.SLIM_REQUEST_COLUMNS}
    rows = [*out.enterprises, *details, *out.slim_requests]
    flagged = sum(1 for r in rows if r.get("flags")) + numbers["flags"].is_not_null().sum()
    return Batch(
        appends={
            "telnyx_enterprise_snapshots": shape.frame(out.enterprises, rec.ENTERPRISE_SCHEMA),
            "telnyx_number_snapshots": numbers,
            "raw_responses": shape.frame(out.raw, RAW_SCHEMA),
            # detail rows carry every column, slim ones only theirs: staging merges the two
            "telnyx_remediation_requests": pl.concat(
                [
                    shape.frame(details, rec.REQUEST_SCHEMA),
                    shape.frame(out.slim_requests, slim_schema),
                ],
                how="diagonal",
            ),
            "telnyx_remediation_results": shape.frame(out.results, rec.RESULT_SCHEMA),
        },
        records=len(rows) + numbers.height,
        flagged=flagged,
        per_entity={
            "enterprises": len(out.enterprises),
            "numbers": numbers.height,
            "remediation_requests": len(details) + len(out.slim_requests),
            "remediation_details_fetched": len(details),
            "remediation_results": len(out.results),
        },
    )
