"""Assemble the weekly report for one ISO week and write it as one self-contained file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics.config import Pricing
from analytics.errors import StoreError
from analytics.report import accounts, context, cost, render, sections, sql, verdict
from analytics.report.context import WeeklyReport
from analytics.report.coverage import SOURCES, collected_weeks, missing_sources
from analytics.report.render import render_weekly
from analytics.report.weeks import IsoWeek, choose_week
from analytics.store.files import write_atomic


@dataclass(frozen=True)
class Written:
    path: Path
    week: IsoWeek
    bytes: int
    seconds: float
    notice: str | None = None


def _check_marts(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views()"
        ).fetchall()
    }
    missing = [m for m in sql.models_read() if m not in present]
    if missing:
        raise StoreError(f"the database has no {', '.join(missing)}; run `callrep build` first")


def build_report(
    con: duckdb.DuckDBPyConnection,
    week: IsoWeek | None = None,
    *,
    pricing: Pricing | None = None,
    static: bool = False,
    warnings: Sequence[str] = (),
    now: datetime | None = None,
) -> WeeklyReport:
    """The typed context for ``week``; see :func:`choose_week` for the default and refusals.

    ``now`` (default: the clock) decides which weeks have ended.
    """
    _check_marts(con)
    pricing = pricing or Pricing()
    now = now or datetime.now(UTC)
    weeks = collected_weeks(con)
    choice = choose_week(week, [w for ws in weeks.values() for w in ws], now)
    week = choice.week
    missing = missing_sources(weeks, week)
    present = {s for s in SOURCES if s not in missing}
    # static: a worker process draws each chart's SVG as soon as the chart is built, while the
    # report runs its other queries; it warms up meanwhile
    drawing = render.StaticCharts() if static else None
    send = drawing.send if drawing else None
    # the charts whose queries read no staged table first, so drawing overlaps the stage
    early = context.query_params(week)
    first = [c for c in sections.CHARTS if not sections.needs_stage(c, early)]
    charts = sections.chart_list(con, early, first, missing=missing, sent=send)
    p = context.stage(con, week)
    runs = {
        r[0]: r[1]
        for r in con.execute(
            "select source, max(collected_at) from report_runs where period = 'current' "
            "group by source"
        ).fetchall()
    }
    row = con.execute(
        "select count(*) from remediation_outcomes where created_at < $as_of",
        {"as_of": p["as_of"]},
    ).fetchone()
    has_remediation = bool(row and row[0])
    messages = list(warnings)
    if choice.notice:
        messages.append(choice.notice)
    messages += list(missing.values())
    if not has_remediation and "telnyx" in present:
        messages.append("No remediation request has been made yet.")
    caveats = [
        "Every table and figure is as of the week's last successful collection of each "
        "source; changes compare with the week before.",
        "Cost is as of the week: observed up to the week's end; the week's month and the "
        "frequency what-if are projected from the state at the week's last collection.",
        "Remediation results are the latest the API reported for requests completed by the "
        "week's end.",
    ]
    rest = [c for c in sections.CHARTS if c not in first]
    charts += sections.chart_list(con, p, rest, missing=missing, sent=send)
    headline = sections.headline(con, p, present)
    cost_section = cost.section(con, p, present) if present else None
    report = WeeklyReport(
        week=week,
        previous_week=week.previous(),
        as_of={s: runs.get(s) if s in present else None for s in SOURCES},
        has_telnyx="telnyx" in present,
        has_plivo="plivo" in present,
        has_remediation=has_remediation,
        headline=headline,
        plivo_headline=sections.plivo_headline(con, p) if "plivo" in present else [],
        actions=sections.actions(con, p, missing),
        charts=sections.in_report_order(charts),
        notes=sections.notes(con, p, context.pricing_notes(pricing), caveats),
        rendered_at=datetime.now(UTC),
        static=static,
        messages=messages,
        cost=cost_section,
        missing=missing,
        notice=choice.notice,
        verdict=verdict.sentences(con, p, missing, headline, cost_section),
        accounts=accounts.covered(con),
        scoped=accounts.is_scoped(con),
    )
    # the SVG is waited for last, once every other query has run
    return replace(report, charts=drawing.drawn(report.charts)) if drawing else report


def report_filename(report: WeeklyReport) -> str:
    """``weekly-<week>.html``; a report of chosen accounts names them, so that it never
    overwrites the whole fleet's (many accounts: their count and a digest of the names)."""
    if not report.scoped:
        return f"weekly-{report.week.label}.html"
    names = "+".join(report.accounts)
    if len(names) > 80:
        digest = hashlib.sha256(names.encode()).hexdigest()[:8]
        names = f"{len(report.accounts)}-accounts-{digest}"
    return f"weekly-{report.week.label}-{names}.html"


def write_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    week: IsoWeek | None = None,
    *,
    pricing: Pricing | None = None,
    static: bool = False,
    warnings: Sequence[str] = (),
    now: datetime | None = None,
) -> Written:
    """Render the report for ``week`` into ``out_dir/weekly-<week>.html``.

    ``warnings`` (e.g. a published copy that is behind) head the report's messages.
    """
    started = datetime.now(UTC)
    report = build_report(con, week, pricing=pricing, static=static, warnings=warnings, now=now)
    return write_built(report, out_dir, started)[0]


def write_built(report: WeeklyReport, out_dir: Path, started: datetime) -> tuple[Written, str]:
    """Render a built ``report`` into ``out_dir/weekly-<week>.html``; what was written, and
    the HTML (the mailed report attaches it)."""
    html = render_weekly(report)
    path = out_dir / report_filename(report)
    size = write_atomic(path, html)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return Written(path, report.week, size, seconds, report.notice), html
