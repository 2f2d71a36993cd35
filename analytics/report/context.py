"""The typed context the weekly template receives, built from the report's SQL aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from analytics.config import Pricing
from analytics.report import sql
from analytics.report.weeks import IsoWeek

ROW_LIMIT = 500
# The questions the tiles answer, in the report's order.
QUESTIONS = {
    "burning": "What is burning?",
    "remediation": "Is remediation working?",
    "registrations": "Are registrations going through?",
    "cost": "What will it cost?",
}
CHART_WEEKS = 12


@dataclass(frozen=True)
class Figure:
    """One headline number with its value the week before."""

    label: str
    value: float | None
    previous: float | None = None
    kind: str = "count"  # count | percent | usd | text
    note: str = ""
    # True when a rise is bad news (so the change reads as a warning, in words, not colour alone)
    rise_is_bad: bool | None = False  # None: neither direction is good or bad news
    compare: bool = True  # False: no week-before figure makes sense (say nothing about it)
    group: str = "burning"  # the question it answers: a key of QUESTIONS
    primary: bool = False  # one of the few that matter most: drawn larger

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """``up``, ``down``, ``flat`` or ``none`` (for CSS and the words next to the arrow)."""
        change = self.change
        if change is None:
            return "none"
        return "up" if change > 0 else "down" if change < 0 else "flat"

    @property
    def verdict(self) -> str:
        """``worse``, ``better`` or ``""``: the words that carry the meaning of the colour."""
        if self.trend in ("none", "flat") or self.rise_is_bad is None:
            return ""
        worse = (self.trend == "up") == self.rise_is_bad
        return "worse" if worse else "better"


@dataclass(frozen=True)
class TileGroup:
    """The tiles that answer one question, the primary ones first."""

    key: str
    question: str
    figures: list[Figure]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | number | usd | phone | date | datetime | status | score
    title: str | None = None  # the column whose value goes in the cell's title (e.g. a full id)


@dataclass(frozen=True)
class ActionTable:
    """One action list: the most severe rows first, capped at :data:`ROW_LIMIT`."""

    slug: str
    title: str
    description: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: int
    export: str  # the mart that lists them all: `callrep export <export>`
    empty_message: str
    next_step_rule: str = ""  # how the next_step column is decided (the SQL header's rule)

    @property
    def hidden(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass(frozen=True)
class Chart:
    """A chart spec built from a small aggregate, or the reason there is none."""

    slug: str
    title: str
    description: str
    spec: dict[str, Any] | None
    empty_message: str
    svg: str | None = None


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    last_success_at: datetime | None
    succeeded_in_week: int
    failed_in_week: int
    last_error: str | None


@dataclass(frozen=True)
class Notes:
    freshness: list[SourceFreshness]
    oldest_refresh: datetime | None
    stale_numbers: int
    never_refreshed: int
    pricing: list[tuple[str, str]]
    caveats: list[str]


@dataclass(frozen=True)
class CostLine:
    """One part of a provider's cost as of the week (a Telnyx component or a Plivo EIN)."""

    provider: str
    part: str
    to_date_usd: float
    same_days_before_usd: float
    projected_month_usd: float
    last_month_usd: float


@dataclass(frozen=True)
class WhatIf:
    """One Telnyx enterprise: its current check frequency against the cheapest weekly one."""

    enterprise_id: str
    enterprise_name: str
    monitored_numbers: int
    current_frequency: str
    current_usd: float
    advice: str  # what to do, with its trade-off, in words
    saving_usd: float | None  # per month; None when there is no saving to take


@dataclass(frozen=True)
class CostSection:
    """The cost breakdown as of the week, and the Telnyx frequency what-if."""

    month: str  # the week's month, e.g. "November 2026"
    previous_month: str
    to_date_label: str  # e.g. "1-15 November"
    lines: list[CostLine]
    what_if: list[WhatIf]
    what_if_month: str  # the projected month the what-if compares, e.g. "December 2026"


@dataclass(frozen=True)
class WeeklyReport:
    """Everything ``weekly.html`` shows."""

    week: IsoWeek
    previous_week: IsoWeek
    as_of: dict[str, datetime | None]  # source -> the week's last successful collection
    has_telnyx: bool
    has_plivo: bool
    has_remediation: bool
    headline: list[Figure]
    plivo_headline: list[Figure]
    actions: list[ActionTable]
    charts: list[Chart]
    notes: Notes
    rendered_at: datetime
    static: bool = False
    vega_js: str = ""
    messages: list[str] = field(default_factory=list)
    cost: CostSection | None = None
    # source -> "No Plivo collection in 2026-W48; latest 2026-W47." for each source the week lacks
    missing: dict[str, str] = field(default_factory=dict)
    notice: str | None = None  # why the default week is older than the last calendar week
    verdict: list[str] = field(default_factory=list)  # the opening sentences
    accounts: list[str] = field(default_factory=list)  # the accounts the report covers
    scoped: bool = False  # ``--account`` chose them (the file name then names them)

    @property
    def tile_groups(self) -> list[TileGroup]:
        """The headline tiles grouped by question, in :data:`QUESTIONS` order."""
        figures = [*self.headline, *self.plivo_headline]
        groups = []
        for key, question in QUESTIONS.items():
            mine = [f for f in figures if f.group == key]
            if mine:
                mine.sort(key=lambda f: not f.primary)
                groups.append(TileGroup(key, question, mine))
        return groups

    @property
    def is_empty(self) -> bool:
        return not (self.has_telnyx or self.has_plivo)


def query_params(week: IsoWeek) -> dict[str, Any]:
    """The named parameters every report query may use."""
    prev = week.previous()
    return {
        "week": week.label,
        "prev_week": prev.label,
        "week_start": week.start,
        "week_end": week.end,
        "as_of": week.end_exclusive,
        "prev_as_of": prev.end_exclusive,
        "limit": ROW_LIMIT,
        "window_days": CHART_WEEKS * 7,
        "weeks": CHART_WEEKS,
    }


def _run_ids(con: duckdb.DuckDBPyConnection, source: str, periods: list[str]) -> list[int]:
    """The run ids of ``report_runs`` for ``source`` in ``periods`` (each account's), ascending."""
    rows = con.execute(
        "select run_id from report_runs where source = $source "
        "and list_contains($periods, period) order by run_id",
        {"source": source, "periods": periods},
    ).fetchall()
    return [r[0] for r in rows]


def stage(con: duckdb.DuckDBPyConnection, week: IsoWeek) -> dict[str, Any]:
    """Create the as-of-the-week temp tables the other queries read; return the parameters."""
    params = query_params(week)
    sql.run(con, "_stage_runs", params)
    # run ids as constants, so DuckDB reads only those runs' snapshot rows; both weeks' Plivo
    # runs, as the status stage keeps the week before's for the change columns
    params["telnyx_run_ids"] = _run_ids(con, "telnyx", ["current"])
    params["plivo_run_ids"] = _run_ids(con, "plivo", ["current", "previous"])
    sql.run(con, "_stage_enterprises", params)
    sql.run(con, "_stage_overview", params)
    sql.run(con, "_stage_remediation_history", params)
    sql.run(con, "_stage_next_steps", params)
    sql.run(con, "_stage_plivo_status", params)
    sql.run(con, "_stage_cost", params)
    return params


def pricing_notes(pricing: Pricing) -> list[tuple[str, str]]:
    """The pricing assumptions the cost figures use, as label/value pairs."""
    anchor = {
        "calendar": "charged in the approval month, then on the 1st of every following month",
        "anniversary": "charged in the approval month, then every month on the approval day",
    }.get(pricing.plivo_billing_anchor, pricing.plivo_billing_anchor)
    return [
        ("Telnyx base fee", f"USD {pricing.telnyx_base_usd:,.2f} per month while approved"),
        ("Telnyx reputation check", f"USD {pricing.telnyx_check_usd:,.2f} per scheduled refresh"),
        ("Telnyx remediation", f"USD {pricing.telnyx_remediation_usd:,.2f} per submitted number"),
        ("Plivo registration", f"USD {pricing.plivo_business_usd:,.2f} per business per month"),
        ("Plivo billing anchor", f"{pricing.plivo_billing_anchor}: {anchor}; not prorated"),
        ("Projection horizon", f"{pricing.projection_months} months from the latest snapshot"),
    ]
