"""Telnyx Number Reputation collection: read-only, never billable.

Only list endpoints and the settings/remediation GETs are called. The per-number GET,
``?fresh=true`` and the refresh endpoint are billable (and so is the first GET of a
number without cached data), so they are never used; nor is any POST, PATCH or DELETE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import duckdb
import httpx
import polars as pl

from analytics.collectors import shape
from analytics.collectors import telnyx_records as rec
from analytics.collectors.base import RAW_SCHEMA, RunContext, raw_response, with_account
from analytics.collectors.gather import gather
from analytics.config import TelnyxSettings
from analytics.errors import NotFoundError
from analytics.http import ApiClient, PageNumberPaginator, fetch_all
from analytics.http.transport import ScalingTransport
from analytics.store.landing import Batch

# The documented defaults disagree (10 here, 20 elsewhere); always send the cap.
PAGE_SIZE = 250


@dataclass(frozen=True)
class TelnyxPrior:
    """What a Telnyx run reads from the store first."""

    settled_requests: frozenset[str] = frozenset()  # final, with detail: not fetched again


@dataclass
class _Collected:
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[pl.DataFrame] = field(default_factory=list)
    slim_requests: list[dict[str, Any]] = field(default_factory=list)
    detail_requests: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)


class TelnyxCollector:
    """One Telnyx account's enterprises, their reputation gates, monitored numbers and
    remediation requests."""

    source = "telnyx"

    def __init__(self, settings: TelnyxSettings) -> None:
        self._settings = settings
        self.account = settings.name
        self.limits = settings.limits

    def client(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._settings.base_url,
            headers={
                "Authorization": f"Bearer {self._settings.api_key}",
                "Accept": "application/json",
            },
            transport=transport or ScalingTransport(self.limits.concurrency),
            timeout=self.limits.timeout,
        )

    def secrets(self) -> list[str]:
        return self._settings.secrets()

    def prepare(self, con: duckdb.DuckDBPyConnection) -> TelnyxPrior:
        """This account's requests stored in a final state with their detail: not fetched again."""
        rows = con.execute(
            """
            select request_id from telnyx_remediation_requests
            where status in ('completed', 'failed', 'cancelled') and detail_run_id is not null
              and account = ?
            """,
            [self.account],
        ).fetchall()
        return TelnyxPrior(frozenset(r[0] for r in rows))

    async def collect(self, api: ApiClient, ctx: RunContext[TelnyxPrior]) -> Batch:
        out = _Collected()
        pages = await fetch_all(api, "/enterprises", PageNumberPaginator(PAGE_SIZE))
        for n, page in enumerate(pages, 1):
            out.raw.append(raw_response(ctx, "telnyx", "enterprises", f"page {n}", page.body))
        enterprises = [e for page in pages for e in page.items]
        settled = ctx.prior.settled_requests
        await gather(self._enterprise(api, ctx, e, settled, out) for e in enterprises)
        return with_account(_batch(ctx, out), ctx.account)

    async def _enterprise(
        self,
        api: ApiClient,
        ctx: RunContext[TelnyxPrior],
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

        typer = rec.NumberTyper(enterprise_id, ctx.run_id, ctx.collected_at)
        _, requests = await gather(
            [
                fetch_all(
                    api, f"{base}/numbers", PageNumberPaginator(PAGE_SIZE), on_page=typer.add
                ),
                fetch_all(api, f"{base}/remediation", PageNumberPaginator(PAGE_SIZE)),
            ]
        )
        out.numbers.append(await typer.frame())
        for n, page in enumerate(requests, 1):
            out.raw.append(
                raw_response(
                    ctx, "telnyx", "remediation list", f"{enterprise_id} page {n}", page.body
                )
            )
        listed = [r for page in requests for r in page.items]
        stale = [r for r in listed if isinstance(r, dict) and str(r.get("id")) not in settled]
        details = await gather(
            api.get_json(f"{base}/remediation/{quote(str(r.get('id')), safe='')}") for r in stale
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


def _batch(ctx: RunContext[TelnyxPrior], out: _Collected) -> Batch:
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
