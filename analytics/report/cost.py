"""The report's cost figures, as of the week: tiles, breakdown and the Telnyx frequency what-if.

Every figure comes from ``report_cost`` (``queries/report/_stage_cost.sql``), which keeps only
what was known at the week's end, so a past week's cost never changes when later data arrives.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import duckdb

from analytics.report import sql
from analytics.report.context import CostLine, CostSection, Figure, WhatIf

# How old the data can get at each frequency: the trade-off of checking less often.
STALENESS = {
    "daily": "data at most a day old",
    "business_daily": "data up to 3 days old over a weekend",
    "weekly": "data up to 7 days old",
}


def _month_name(day: date) -> str:
    return f"{day:%B %Y}"


def _previous_month(day: date) -> date:
    first = day.replace(day=1)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


def _days(month: date, last: int) -> str:
    """``1 November`` or ``1–15 November``: the first ``last`` days of ``month``."""
    return f"1 {month:%B}" if last == 1 else f"1–{last} {month:%B}"


def _last_collection(con: duckdb.DuckDBPyConnection, source: str) -> Any:
    row = con.execute(
        "select max(collected_at) from report_runs where period = 'current' and source = ?",
        [source],
    ).fetchone()
    return row[0] if row else None


def figures(con: duckdb.DuckDBPyConnection, p: dict[str, Any], providers: set[str]) -> list[Figure]:
    """Two tiles per provider: month to date against the same days of the month before, and the
    projected month against the last full month."""
    week_end: date = p["week_end"]
    month, before = week_end.replace(day=1), _previous_month(week_end)
    days_before = calendar.monthrange(before.year, before.month)[1]
    same_day = min(week_end.day, days_before)
    out = []
    for row in sql.rows(con, "headline_cost", p):
        provider = row["provider"]
        if provider.lower() not in providers:
            continue
        compared = f"same days, {_days(before, same_day)}"
        seen_before = row["same_days_observed"]
        if seen_before == 0:
            compared += ": not observed"
        else:
            compared += f": USD {row['same_days_before_usd']:,.2f}"
            if seen_before is not None and seen_before < same_day:
                compared += f", observed on {seen_before} of them"
        out.append(
            Figure(
                f"{provider} cost, {month:%B} to date",
                row["to_date_usd"],
                kind="usd",
                rise_is_bad=None,
                compare=False,
                group="cost",
                note=f"{_days(month, week_end.day)}; {compared}",
            )
        )
        collected = _last_collection(con, provider.lower())
        note = (
            f"observed to {week_end.day} {week_end:%B} plus the rest of the month at the "
            f"week's last collection ({collected:%Y-%m-%d})"
            if collected
            else "observed only"
        )
        note += f"; last full month ({_month_name(before)}): USD {row['last_month_usd']:,.2f}"
        seen = row["last_month_days_observed"]
        if seen is not None and seen < days_before:
            note += f", observed on {seen} of its {days_before} days"
        out.append(
            Figure(
                f"{provider} projected for {month:%B}",
                row["projected_month_usd"],
                kind="usd",
                rise_is_bad=None,
                compare=False,
                group="cost",
                primary=True,
                note=note,
            )
        )
    return out


def _advice(row: dict[str, Any]) -> tuple[str, float | None]:
    current, cheapest = row["current_frequency"], row["cheapest_frequency"]
    if current == "never":
        return (
            "monitoring off: no checks are billed and the reputation data is never refreshed",
            None,
        )
    if cheapest is None:
        return "no projection", None
    saving = float(row["saving_usd"])
    if current not in STALENESS:
        return (
            f"refreshes less often than weekly; {cheapest} checks would cost "
            f"USD {-saving:,.2f} more per month",
            None,
        )
    if cheapest == current or saving <= 0:
        return "already the cheapest schedule that refreshes at least weekly", None
    return (
        f"switch to {cheapest}: saves USD {saving:,.2f} per month; trade-off: staler data "
        f"({STALENESS[cheapest]}, against {STALENESS[current]} now)",
        saving,
    )


def section(con: duckdb.DuckDBPyConnection, p: dict[str, Any], providers: set[str]) -> CostSection:
    """The cost breakdown per provider part, and the what-if per Telnyx enterprise."""
    week_end: date = p["week_end"]
    lines = [
        CostLine(**r)
        for r in sql.rows(con, "cost_breakdown", p)
        if r["provider"].lower() in providers
    ]
    rows = sql.rows(con, "cost_what_if", p) if "telnyx" in providers else []
    what_if = []
    for row in rows:
        advice, saving = _advice(row)
        what_if.append(
            WhatIf(
                enterprise_id=row["enterprise_id"],
                enterprise_name=row["enterprise_name"],
                monitored_numbers=int(row["monitored_numbers"] or 0),
                current_frequency=row["current_frequency"],
                current_usd=float(row["current_usd"] or 0),
                advice=advice,
                saving_usd=saving,
            )
        )
    return CostSection(
        month=_month_name(week_end),
        previous_month=_month_name(_previous_month(week_end)),
        to_date_label=_days(week_end, week_end.day),
        lines=lines,
        what_if=what_if,
        what_if_month=_month_name(rows[0]["month"]) if rows else "",
    )
