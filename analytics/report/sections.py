"""Build each section of the weekly report from the report's SQL files."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb

from analytics.models.discovery import body_words
from analytics.report import charts, cost, spec, sql
from analytics.report.context import ActionTable, Chart, Figure, Notes, SourceFreshness
from analytics.resources import queries_dir

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


def _every(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return rows


def _any_change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return rows if any(r["numbers"] for r in rows) else []


def _provider(name: str) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    return lambda rows: [r for r in rows if r["provider"] == name]


@dataclass(frozen=True)
class ChartPlan:
    """One chart card: the report SQL file its rows come from and how they become a spec."""

    slug: str
    title: str
    description: str
    query: str  # queries/report/<query>.sql; charts naming the same file run it once
    build: Callable[[list[dict[str, Any]]], dict[str, Any]]
    empty: str  # the message in place of a chart without rows
    source: str = "telnyx"
    pick: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] = _every  # the rows drawn


# every chart, in the report's order
CHARTS = (
    ChartPlan(
        "risk-mix",
        "Risk mix by day",
        "Numbers per spam-risk level over the last 12 weeks.",
        "chart_risk_mix",
        charts.risk_mix,
        "No Telnyx reputation data in these 12 weeks.",
    ),
    ChartPlan(
        "flagged-cleared",
        "Newly flagged vs cleared",
        "Numbers that became high risk and numbers cleared from high, per week.",
        "chart_flagged_cleared",
        charts.flagged_cleared,
        "No number was flagged or cleared in these 12 weeks.",
        pick=_any_change,
    ),
    ChartPlan(
        "median-scores",
        "Median scores over time",
        "The typical value of each Telnyx score per day (medians per enterprise and risk "
        "level, weighted by the numbers they cover).",
        "chart_median_scores",
        charts.median_scores,
        "No scores in these 12 weeks.",
    ),
    ChartPlan(
        "remediation",
        "Remediation results and turnaround",
        "The latest 30 requests: numbers per result bucket, and days to completion.",
        "chart_remediation",
        charts.remediation,
        "No remediation request yet.",
    ),
    ChartPlan(
        "plivo-status",
        "Plivo status per carrier",
        "Registration status of each Plivo number with AT&T and T-Mobile.",
        "chart_plivo_status",
        charts.plivo_status,
        "No Plivo numbers collected.",
        "plivo",
    ),
    ChartPlan(
        "cost-telnyx",
        "Telnyx cost per month",
        "Cost per enterprise per month (base fee, checks, remediation), as of the week: the "
        "week's month is observed to the week's end plus its projected rest.",
        "chart_cost",
        lambda rows: charts.cost(rows, "Telnyx", "Enterprise"),
        "No Telnyx cost data.",
        pick=_provider("Telnyx"),
    ),
    ChartPlan(
        "cost-plivo",
        "Plivo registration cost per month",
        "Registration charges per EIN per month, as of the week: the week's month is "
        "observed to the week's end plus its projected rest.",
        "chart_cost",
        lambda rows: charts.cost(rows, "Plivo", "EIN"),
        "No Plivo registration charges.",
        "plivo",
        pick=_provider("Plivo"),
    ),
)

_CREATES = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?temp(?:orary)?\s+table\s+(\w+)", re.I)


@cache
def staged_tables() -> frozenset[str]:
    """The temp tables the report's ``_stage_*`` files create (``context.stage`` runs them)."""
    paths = sorted((queries_dir() / "report").glob("_stage_*.sql"))
    return frozenset(n.lower() for p in paths for n in _CREATES.findall(p.read_text("utf-8")))


def needs_stage(plan: ChartPlan, params: dict[str, Any]) -> bool:
    """Whether ``plan``'s query must wait for ``context.stage``: it reads a staged table (one
    that may also shadow a model of the same name) or a parameter missing from ``params``.

    Read from the SQL itself, so a chart whose query comes to read the stage moves after it.
    """
    text = sql.report_sql(plan.query)
    return bool(body_words(text) & staged_tables()) or not sql.parameters_of(text) <= set(params)


def chart_list(
    con: duckdb.DuckDBPyConnection,
    p: dict[str, Any],
    plans: Sequence[ChartPlan] = CHARTS,
    *,
    missing: dict[str, str],
    sent: Callable[[Chart], None] | None = None,
) -> list[Chart]:
    """The charts of ``plans``, in their order; an empty aggregate gives a message, not a chart.

    A chart of a source without a collection in the week says so and draws nothing. Each
    chart goes to ``sent`` (e.g. to be drawn to SVG meanwhile) as soon as it is built.
    """
    rows_of: dict[str, list[dict[str, Any]]] = {}
    out: list[Chart] = []
    for plan in plans:
        absent = _absent((plan.source,), missing)
        if not absent and plan.query not in rows_of:
            rows_of[plan.query] = sql.rows(con, plan.query, p)
        rows = [] if absent else plan.pick(rows_of[plan.query])
        chart_spec = plan.build(rows) if rows else None
        out.append(Chart(plan.slug, plan.title, plan.description, chart_spec, absent or plan.empty))
        if sent:
            sent(out[-1])
    return out


def in_report_order(built: Sequence[Chart]) -> list[Chart]:
    """``built`` (charts of :data:`CHARTS`, in any order) in the report's order."""
    rank = {plan.slug: i for i, plan in enumerate(CHARTS)}
    return sorted(built, key=lambda c: rank[c.slug])


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
