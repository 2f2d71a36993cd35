"""Build each section of the weekly report from the report's SQL files."""

from __future__ import annotations

from typing import Any

import duckdb

from analytics.report import charts, cost, sql
from analytics.report.context import ActionTable, Chart, Column, Figure, Notes, SourceFreshness

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
        Figure("Share high risk", share(now), share(before), kind="percent", rise_is_bad=True),
        Figure("Newly high", now.get("newly_high"), before.get("newly_high"), rise_is_bad=True),
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
            note=f"stayed clean 30 days after completion; {scope}; "
            f"{now.get('unmonitored', 0):,} unmonitored, never counted clean",
        ),
        Figure(
            "Telnyx remediated label rate",
            now.get("success_rate"),
            before.get("success_rate"),
            kind="percent",
            note=f"the label Telnyx gives at completion; {scope}",
        ),
        Figure(
            "Remediated numbers back to high",
            now.get("came_back_high"),
            before.get("came_back_high"),
            rise_is_bad=True,
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
        return Figure(label, now, before, rise_is_bad=rise_is_bad)

    figures = [
        figure(f"{carrier} {status.lower()}", carrier, status, status != "ACTIVE")
        for carrier in CARRIERS
        for status in STATUSES
    ]
    figures.append(figure("Hidden carrier failures", "any", "HIDDEN_FAILURE", True))
    return figures


_ACTIONS: list[dict[str, Any]] = [
    {
        "slug": "newly-high",
        "sources": ("telnyx",),
        "query": "action_newly_high",
        "title": "Numbers newly high risk",
        "description": "Risk became high during the week (or the number was first seen high). "
        "Still-high numbers with the lowest scores first.",
        "export": "spam_risk_transitions",
        "empty": "No number became high risk this week.",
        "columns": [
            Column("phone_number", "Number", "phone"),
            Column("enterprise_name", "Enterprise"),
            Column("became_high_on", "High since", "date"),
            Column("risk_at_week_end", "Risk at week end", "status"),
            Column("spam_category", "Category"),
            Column("maturity_score", "Maturity", "score"),
            Column("connection_score", "Connection", "score"),
            Column("engagement_score", "Engagement", "score"),
            Column("sentiment_score", "Sentiment", "score"),
        ],
    },
    {
        "slug": "score-drift",
        "sources": ("telnyx",),
        "query": "action_score_drift",
        "title": "Score-drift early warnings",
        "description": "Still low or medium, but a score fell 15 points or more against an "
        "observation at least 7 days earlier. Labels trail behaviour: act before the flag.",
        "export": "score_drift",
        "empty": "No score fell 15 points or more this week.",
        "columns": [
            Column("phone_number", "Number", "phone"),
            Column("enterprise_name", "Enterprise"),
            Column("score", "Score"),
            Column("value_before", "Before", "score"),
            Column("before_on", "Before on", "date"),
            Column("value_now", "Now", "score"),
            Column("observed_on", "Seen on", "date"),
            Column("drop_points", "Drop", "number"),
        ],
    },
    {
        "slug": "hidden-failures",
        "sources": ("plivo",),
        "query": "action_hidden_failures",
        "title": "Plivo hidden carrier failures",
        "description": "A carrier reports FAILED while the merged status still reads ACTIVE or "
        "PENDING; the merged field hides it.",
        "export": "plivo_carrier_status",
        "empty": "No hidden carrier failure.",
        "columns": [
            Column("number", "Number", "phone"),
            Column("ein", "EIN"),
            Column("company_name", "Business"),
            Column("merged_status", "Merged", "status"),
            Column("att_status", "AT&T", "status"),
            Column("tmobile_status", "T-Mobile", "status"),
        ],
    },
    {
        "slug": "stuck-pending",
        "sources": ("plivo",),
        "query": "action_stuck_pending",
        "title": "Registrations stuck in PENDING",
        "description": "PENDING with a carrier for more than 2 US business days. "
        "Longest waiting first.",
        "export": "plivo_carrier_status",
        "empty": "No registration has been pending for more than 2 business days.",
        "columns": [
            Column("number", "Number", "phone"),
            Column("ein", "EIN"),
            Column("company_name", "Business"),
            Column("att_status", "AT&T", "status"),
            Column("att_pending_since", "AT&T pending since", "datetime"),
            Column("tmobile_status", "T-Mobile", "status"),
            Column("tmobile_pending_since", "T-Mobile pending since", "datetime"),
        ],
    },
    {
        "slug": "enterprise-gates",
        "sources": ("telnyx",),
        "query": "action_enterprise_gates",
        "title": "Enterprises not fully approved",
        "description": "Telnyx number reputation needs both the reputation status and the LOA "
        "approved. Rejections first.",
        "export": None,
        "empty": "Every enterprise has both gates approved.",
        "columns": [
            Column("enterprise_id", "Enterprise"),
            Column("enterprise_name", "Name"),
            Column("reputation_enabled", "Reputation enabled"),
            Column("reputation_status", "Reputation status", "status"),
            Column("loa_status", "LOA status", "status"),
            Column("rejection_reasons", "Rejection reasons"),
        ],
    },
    {
        "slug": "remediation-review",
        "sources": ("telnyx",),
        "query": "action_remediation_review",
        "title": "Remediation: numbers needing review or refused",
        "description": "Numbers a remediation request left in requires_review or refused. "
        "Refused first, then the oldest request.",
        "export": "remediation_number_outcomes",
        "empty": "No remediated number is waiting for review or was refused.",
        "columns": [
            Column("phone_number", "Number", "phone"),
            Column("request_id", "Request"),
            Column("enterprise_name", "Enterprise"),
            Column("bucket", "Result", "status"),
            Column("request_status", "Request status"),
            Column("created_at", "Requested", "date"),
            Column("risk_before", "Risk before", "status"),
            Column("risk_after", "Risk after", "status"),
        ],
    },
    {
        "slug": "remediation-history",
        "query": "action_remediation_history",
        "sources": ("telnyx",),
        "title": "Remediation: numbers remediated more than once or back to high",
        "description": "Each number's remediation history as of the week's end, with what to "
        "do next: rotate (back to high after 2 or more remediations), wait (a request of its "
        "enterprise in flight, its 30-day window open, or an ineligible cooldown), review, "
        "resubmit. Rotate first, then the most re-flags.",
        "export": "remediation_number_history",
        "empty": "No number was remediated more than once or came back high.",
        "columns": [
            Column("phone_number", "Number", "phone"),
            Column("enterprise_name", "Enterprise"),
            Column("recommendation", "Next", "status"),
            Column("times_submitted", "Submitted", "number"),
            Column("times_reflagged", "Back to high", "number"),
            Column("bucket_sequence", "Results, oldest first"),
            Column("first_submitted_at", "First", "date"),
            Column("last_submitted_at", "Last", "date"),
            Column("remediation_usd", "USD spent", "usd"),
        ],
    },
    {
        "slug": "registered-but-high",
        "sources": ("telnyx", "plivo"),
        "query": "action_registered_but_high",
        "title": "Registered with a carrier yet high risk",
        "description": "AT&T or T-Mobile shows the number ACTIVE on Plivo while Telnyx rates it "
        "high risk: calls carry a registered identity with a spam reputation.",
        "export": "number_overview",
        "empty": "No carrier-registered number is high risk.",
        "columns": [
            Column("phone_number", "Number", "phone"),
            Column("enterprise_name", "Enterprise"),
            Column("spam_category", "Category"),
            Column("att_status", "AT&T", "status"),
            Column("tmobile_status", "T-Mobile", "status"),
            Column("engagement_score", "Engagement", "score"),
            Column("sentiment_score", "Sentiment", "score"),
            Column("ein", "EIN"),
        ],
    },
]


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
    for spec in _ACTIONS:
        absent = _absent(spec["sources"], missing)
        rows = [] if absent else sql.rows(con, spec["query"], p)
        total = int(rows[0]["total_rows"]) if rows else 0
        tables.append(
            ActionTable(
                slug=spec["slug"],
                title=spec["title"],
                description=spec["description"],
                columns=spec["columns"],
                rows=rows,
                total=total,
                export=spec["export"] or "",
                empty_message=absent or spec["empty"],
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
        spec = build(rows) if rows else None
        out.append(Chart(slug, title, description, spec, absent or empty))

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
