"""Plivo Caller Reputation collection: read-only, GET only.

Never the Update Account Phone Number endpoint (it enables or changes registrations and
charges), nor any other POST or DELETE. The numbers list does not document the Caller
Reputation fields, so each number gets one ``GET .../Number/{number}/``, concurrently under
the client's rate limiter, unless its list item already carries them.

A number missing from the list has been released: it is simply absent from this run's
snapshot (``per_entity["released_since_last_run"]`` counts them), never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import duckdb
import httpx

from analytics.collectors import plivo_records as rec
from analytics.collectors import shape
from analytics.collectors.base import RAW_SCHEMA, RunContext, raw_response, with_account
from analytics.collectors.gather import gather
from analytics.config import PlivoSettings
from analytics.errors import NotFoundError
from analytics.http import ApiClient, OffsetPaginator, fetch_all
from analytics.http.transport import ScalingTransport
from analytics.store.landing import Batch

PAGE_LIMIT = 20  # Plivo's cap for every list endpoint


@dataclass(frozen=True)
class PlivoPrior:
    """What a Plivo run reads from the store first."""

    previous_numbers: frozenset[str] = frozenset()  # the last successful run's, to count releases


@dataclass
class _Collected:
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad_numbers: list[dict[str, Any]] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)
    caller_ids: list[dict[str, Any]] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)
    details_fetched: int = 0


class PlivoCollector:
    """One Plivo (sub)account's numbers with their per-carrier registration, business
    profiles and verified caller IDs."""

    source = "plivo"

    def __init__(self, settings: PlivoSettings) -> None:
        self._settings = settings
        self.account = settings.name
        self.limits = settings.limits

    def client(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        plivo = self._settings
        return httpx.AsyncClient(
            # The account-scoped prefix lives in the base URL (collect() sees no settings);
            # every path below is relative to it and ends with `/`, as Plivo requires.
            base_url=f"{plivo.base_url}/Account/{quote(plivo.auth_id, safe='')}/",
            auth=httpx.BasicAuth(plivo.auth_id, plivo.auth_token),
            headers={"Accept": "application/json"},
            transport=transport or ScalingTransport(plivo.limits.concurrency),
            timeout=plivo.limits.timeout,
        )

    def secrets(self) -> list[str]:
        return self._settings.secrets()

    def prepare(self, con: duckdb.DuckDBPyConnection) -> PlivoPrior:
        """This account's numbers in its last successful run, to count releases (not to skip
        any GET)."""
        rows = con.execute(
            """
            select distinct number from plivo_number_snapshots
            where number is not null and account = $account and run_id = (
                select max(run_id) from collection_runs
                where source = 'plivo' and status = 'succeeded' and account = $account
            )
            """,
            {"account": self.account},
        ).fetchall()
        return PlivoPrior(frozenset(r[0] for r in rows))

    async def collect(self, api: ApiClient, ctx: RunContext[PlivoPrior]) -> Batch:
        out = _Collected()
        number_pages, profile_pages, caller_id_pages = await gather(
            [
                fetch_all(api, "Number/", OffsetPaginator(PAGE_LIMIT, "objects")),
                fetch_all(api, "Profile/", OffsetPaginator(PAGE_LIMIT, "profiles")),
                fetch_all(api, "VerifiedCallerId/", OffsetPaginator(PAGE_LIMIT, "objects")),
            ]
        )
        for n, page in enumerate(profile_pages):
            out.raw.append(raw_response(ctx, "plivo", "profiles", _page_key(page, n), page.body))
            out.profiles.extend(
                rec.profile_row(p, ctx.run_id, ctx.collected_at) for p in page.items
            )
        for n, page in enumerate(caller_id_pages):
            out.raw.append(
                raw_response(ctx, "plivo", "verified caller ids", _page_key(page, n), page.body)
            )
            out.caller_ids.extend(
                rec.caller_id_row(v, ctx.run_id, ctx.collected_at) for v in page.items
            )
        items = [item for page in number_pages for item in page.items]
        rows = await gather(self._number(api, ctx, item, out) for item in items)
        for row in rows:
            if row.get("number"):
                out.numbers[row["number"]] = row  # concurrent offset pages may overlap
            else:
                out.bad_numbers.append(row)
        return with_account(_batch(ctx, out), ctx.account)

    async def _number(
        self, api: ApiClient, ctx: RunContext[PlivoPrior], item: Any, out: _Collected
    ) -> dict[str, Any]:
        """One number's row: the list item, plus its detail GET when the item lacks it."""
        if rec.carries_reputation(item) or not isinstance(item, dict):
            return rec.number_row(item, None, ctx.run_id, ctx.collected_at)
        number = item.get("number")
        if not isinstance(number, str) or not number:
            return rec.number_row(item, None, ctx.run_id, ctx.collected_at)
        try:
            detail = await api.get_json(f"Number/{quote(number, safe='')}/")
        except NotFoundError:
            # Released between the list and this GET: keep what the list said, flagged.
            reason = "detail: 404, released while this run was collecting"
            return rec.number_row(item, None, ctx.run_id, ctx.collected_at, detail_error=reason)
        out.details_fetched += 1
        return rec.number_row(item, detail, ctx.run_id, ctx.collected_at)


def _page_key(page: Any, n: int) -> str:
    meta = page.body.get("meta")
    offset = meta.get("offset") if isinstance(meta, dict) else None
    return f"offset {offset}" if isinstance(offset, int) else f"page {n + 1}"


def _batch(ctx: RunContext[PlivoPrior], out: _Collected) -> Batch:
    numbers = [*out.numbers.values(), *out.bad_numbers]
    previous = ctx.prior.previous_numbers
    released = len(previous - out.numbers.keys()) if previous else 0
    rows = [*numbers, *out.profiles, *out.caller_ids]
    failed = {
        f"{carrier}_failed": sum(1 for r in numbers if r.get(f"{carrier}_status") == "FAILED")
        for carrier in rec.CARRIERS
    }
    return Batch(
        appends={
            "plivo_number_snapshots": shape.frame(numbers, rec.NUMBER_SCHEMA),
            "plivo_profile_snapshots": shape.frame(out.profiles, rec.PROFILE_SCHEMA),
            "plivo_verified_caller_ids": shape.frame(out.caller_ids, rec.CALLER_ID_SCHEMA),
            "raw_responses": shape.frame(out.raw, RAW_SCHEMA),
        },
        records=len(rows),
        flagged=sum(1 for r in rows if r.get("flags")),
        per_entity={
            "numbers": len(numbers),
            "number_details_fetched": out.details_fetched,
            "released_since_last_run": released,
            "profiles": len(out.profiles),
            "verified_caller_ids": len(out.caller_ids),
            **failed,
        },
    )
