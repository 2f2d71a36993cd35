"""Build each section of the weekly report from the report's SQL files."""

from __future__ import annotations

from typing import Any

import duckdb

from analytics.report import charts, cost, spec, sql
from analytics.report.context import ActionTable, Chart, Figure, Notes, SourceFreshness

CARRIERS = ("AT&T", "T-Mobile")
STATUSES = ("ACTIVE", "PENDING", "FAILED")


def headline(
    con: duckdb.DuckDBPyConnection, p: dict[str, Any], providers: set[str]
) -> list[Figure]:
    """Fleet figures for the week with the week before's."""
    risk = {r["iso_week"]: r for r in sql.rows(con, "headline_risk", p)}
    now, before = risk.get(p["week"], {}), risk.get(p["prev_week"], {})

    def share(r: dict[str, Any]) -> float | None:
        return r["numbers_high"] / r["numbers_monitored"] if r.get("numbers_monitored") else None

    rem = {r["period"]: r for r in sql.rows(con, "headline_remediation", p)}
    figures = [
        Figure(
            "Numbers monitored",
            now.get("numbers_monitored"),
            before.get("numbers_monitored"),
            rise_is_bad=None,
        ),
        Figure(
            "Share high risk",
            share(now),
            share(before),
            kind="percent",
            rise_is_bad=True,
            primary=True,
        ),
        Figure(
            "Newly high",
            now.get("newly_high"),
            before.get("newly_high"),
            rise_is_bad=True,
            primary=True,
        ),
        Figure("Cleared from high", now.get("cleared"), before.get("cleared")),
        *remediation_figures(rem.get("current", {}), rem.get("previous", {})),
    ]
    if "telnyx" not in providers:
        figures = []  # no Telnyx collection in the week: no Telnyx figure to state
    figures.extend(cost.figures(con, p, providers))
    return figures


def remediation_figures(now: dict[str, Any], before: dict[str, Any]) -> list[Figure]:
    """Is remediation working: the durable rate next to Telnyx's label rate, and re-flags."""
    requests = now.get("requests", 0)
    scope = f"{requests:,} requests completed in the 12 weeks before the week's end, window closed"
    return [
        Figure(
            "Durable remediation success",
            now.get("durable_success_rate"),
            before.get("durable_success_rate"),
            kind="percent",
            group="remediation",
            primary=True,
            note=f"stayed clean 30 days after completion; {scope}; "
            f"{now.get('unmonitored', 0):,} unmonitored, never counted clean",
        ),
        Figure(
            "Telnyx remediated label rate",
            now.get("success_rate"),
            before.get("success_rate"),
            kind="percent",
            group="remediation",
            note=f"the label Telnyx gives at completion; {scope}",
        ),
        Figure(
            "Remediated numbers back to high",
            now.get("came_back_high"),
            before.get("came_back_high"),
            rise_is_bad=True,
            group="remediation",
            note="high again within 30 days, on data refreshed after completion; requests "
            "completed in the 12 weeks before the week's end",
        ),
    ]


def plivo_headline(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[Figure]:
    """Registrations per carrier and status, and hidden failures, against the week before."""
    counts = {
        (r["period"], r["carrier"], r["status"]): r["numbers"]
        for r in sql.rows(con, "headline_plivo", p)
    }
    if not counts:
        return []
    has_previous = any(k[0] == "previous" for k in counts)

    def figure(label: str, carrier: str, status: str, rise_is_bad: bool) -> Figure:
        now = counts.get(("current", carrier, status), 0)
        before = counts.get(("previous", carrier, status), 0) if has_previous else None
        primary = status == "HIDDEN_FAILURE"
        return Figure(
            label, now, before, rise_is_bad=rise_is_bad, group="registrations", primary=primary
        )

    figures = [
        figure(f"{carrier} {status.lower()}", carrier, status, status != "ACTIVE")
        for carrier in CARRIERS
        for status in STATUSES
    ]
    figures.append(figure("Hidden carrier failures", "any", "HIDDEN_FAILURE", True))
    return figures


def _absent(sources: tuple[str, ...], missing: dict[str, str]) -> str | None:
    """The line saying which of ``sources`` the week has no collection of, or None."""
    lines = [missing[s] for s in sources if s in missing]
    return " ".join(lines) or None


def actions(
    con: duckdb.DuckDBPyConnection, p: dict[str, Any], missing: dict[str, str]
) -> list[ActionTable]:
    """Every action table, in the report's order.

    A table whose source has no collection in the week says so instead of listing nothing
    (an empty list would read as good news).
    """
    tables = []
    for action in spec.actions():
        absent = _absent(action.sources, missing)
        rows = [] if absent else sql.rows(con, action.query, p)
        total = int(rows[0]["total_rows"]) if rows else 0
        tables.append(
            ActionTable(
                slug=action.slug,
                title=action.title,
                description=action.description,
                columns=list(action.columns),
                rows=rows,
                total=total,
                export=action.export or "",
                empty_message=absent or action.empty,
                next_step_rule=action.next_step_rule,
            )
        )
    return tables


def chart_list(
    con: duckdb.DuckDBPyConnection,
    p: dict[str, Any],
    *,
    has_remediation: bool,
    missing: dict[str, str],
) -> list[Chart]:
    """Every chart, in the report's order; an empty aggregate gives a message, not a chart.

    A chart of a source without a collection in the week says so and draws nothing.
    """
    out: list[Chart] = []

    def add(
        slug: str,
        title: str,
        description: str,
        query: Any,
        build: Any,
        empty: str,
        source: str = "telnyx",
    ) -> None:
        absent = _absent((source,), missing)
        rows = [] if absent else query()
        chart_spec = build(rows) if rows else None
        out.append(Chart(slug, title, description, chart_spec, absent or empty))

    add(
        "risk-mix",
        "Risk mix by day",
        "Numbers per spam-risk level over the last 12 weeks.",
        lambda: sql.rows(con, "chart_risk_mix", p),
        charts.risk_mix,
        "No Telnyx reputation data in these 12 weeks.",
    )

    def flagged() -> list[dict[str, Any]]:
        rows = sql.rows(con, "chart_flagged_cleared", p)
        return rows if any(r["numbers"] for r in rows) else []

    add(
        "flagged-cleared",
        "Newly flagged vs cleared",
        "Numbers that became high risk and numbers cleared from high, per week.",
        flagged,
        charts.flagged_cleared,
        "No number was flagged or cleared in these 12 weeks.",
    )
    add(
        "median-scores",
        "Median scores over time",
        "The typical value of each Telnyx score per day (medians per enterprise and risk "
        "level, weighted by the numbers they cover).",
        lambda: sql.rows(con, "chart_median_scores", p),
        charts.median_scores,
        "No scores in these 12 weeks.",
    )
    add(
        "remediation",
        "Remediation results and turnaround",
        "The latest 30 requests: numbers per result bucket, and days to completion.",
        lambda: sql.rows(con, "chart_remediation", p) if has_remediation else [],
        charts.remediation,
        "No remediation request yet.",
    )
    add(
        "plivo-status",
        "Plivo status per carrier",
        "Registration status of each Plivo number with AT&T and T-Mobile.",
        lambda: sql.rows(con, "chart_plivo_status", p),
        charts.plivo_status,
        "No Plivo numbers collected.",
        "plivo",
    )
    cost_rows = sql.rows(con, "chart_cost", p)
    add(
        "cost-telnyx",
        "Telnyx cost per month",
        "Cost per enterprise per month (base fee, checks, remediation), as of the week: the "
        "week's month is observed to the week's end plus its projected rest.",
        lambda: [r for r in cost_rows if r["provider"] == "Telnyx"],
        lambda rows: charts.cost(rows, "Telnyx", "Enterprise"),
        "No Telnyx cost data.",
    )
    add(
        "cost-plivo",
        "Plivo registration cost per month",
        "Registration charges per EIN per month, as of the week: the week's month is "
        "observed to the week's end plus its projected rest.",
        lambda: [r for r in cost_rows if r["provider"] == "Plivo"],
        lambda rows: charts.cost(rows, "Plivo", "EIN"),
        "No Plivo registration charges.",
        "plivo",
    )
    return out


def notes(
    con: duckdb.DuckDBPyConnection, p: dict[str, Any], pricing: list, caveats: list[str]
) -> Notes:
    """Data freshness and pricing assumptions."""
    freshness = [SourceFreshness(**r) for r in sql.rows(con, "notes_freshness", p)]
    refresh = sql.rows(con, "notes_telnyx_refresh", p)[0]
    orphans = sql.rows(con, "notes_orphan_callbacks", p)[:5]  # callbacks for unknown numbers
    if orphans:
        shown = ", ".join(r["phone_number"] for r in orphans)
        more = orphans[0]["total_numbers"] - len(orphans)
        caveats = [
            *caveats,
            f"Plivo status callbacks arrived for {orphans[0]['total_numbers']:,} numbers in no "
            f"Plivo snapshot: {shown}" + (f" and {more:,} more." if more > 0 else "."),
        ]
    return Notes(
        freshness=freshness,
        oldest_refresh=refresh["oldest_refresh"],
        stale_numbers=int(refresh["stale_numbers"] or 0),
        never_refreshed=int(refresh["never_refreshed"] or 0),
        pricing=pricing,
        caveats=caveats,
    )
