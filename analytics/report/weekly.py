"""Assemble the weekly report for one ISO week and write it as one self-contained file."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics.config import Pricing
from analytics.errors import FileHeldError, StoreError, StorePathError, WriterLockedError
from analytics.models import build, is_stale
from analytics.report import context, sections
from analytics.report.context import WeeklyReport
from analytics.report.render import render_weekly
from analytics.report.weeks import IsoWeek, default_week
from analytics.store.database import connect, published_path, writer
from analytics.store.files import write_atomic

REQUIRED = (
    "spam_risk_daily",
    "spam_risk_transitions",
    "spam_risk_weekly",
    "score_drift",
    "remediation_outcomes",
    "remediation_number_outcomes",
    "remediation_outcomes_weekly",
    "remediation_number_history_weekly",
    "telnyx_cost_monthly",
    "plivo_ein_cost_monthly",
)


@dataclass(frozen=True)
class Written:
    path: Path
    week: IsoWeek
    bytes: int
    seconds: float


def latest_collection(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest successful collection time over all sources."""
    row = con.execute(
        "select max(collected_at) from collection_runs where status = 'succeeded'"
    ).fetchone()
    return row[0] if row else None


def _check_marts(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views()"
        ).fetchall()
    }
    missing = [m for m in REQUIRED if m not in present]
    if missing:
        raise StoreError(f"the database has no {', '.join(missing)}; run `callrep build` first")


def build_report(
    con: duckdb.DuckDBPyConnection,
    week: IsoWeek | None = None,
    *,
    pricing: Pricing | None = None,
    static: bool = False,
    warnings: Sequence[str] = (),
) -> WeeklyReport:
    """The typed context for ``week`` (default: the last week ended before the latest run)."""
    _check_marts(con)
    pricing = pricing or Pricing()
    latest = latest_collection(con)
    week = week or default_week(latest)
    p = context.stage(con, week)
    runs = {
        r[0]: r[1]
        for r in con.execute(
            "select source, collected_at from report_runs where period = 'current'"
        ).fetchall()
    }
    row = con.execute(
        "select count(*) from remediation_outcomes where created_at < $as_of",
        {"as_of": p["as_of"]},
    ).fetchone()
    has_remediation = bool(row and row[0])
    messages = list(warnings)
    if not runs:
        messages.append(
            f"No successful collection before the end of {week.label}: there is nothing to "
            "report for this week yet."
        )
    else:
        for source, name in (("telnyx", "Telnyx"), ("plivo", "Plivo")):
            if source not in runs:
                messages.append(
                    f"No {name} data was collected by the end of {week.label}; "
                    f"the {name} sections are empty."
                )
        if not has_remediation and "telnyx" in runs:
            messages.append("No remediation request has been made yet.")
    caveats = [
        "Every table and figure is as of the week's last successful collection of each "
        "source; changes compare with the week before.",
        "Cost projections come from the models' projection at the latest snapshot "
        f"({latest:%Y-%m-%d %H:%M} UTC)."
        if latest
        else "No snapshot yet, so no projection.",
        "Remediation results are the latest the API reported for requests completed by the "
        "week's end.",
    ]
    return WeeklyReport(
        week=week,
        previous_week=week.previous(),
        as_of={"telnyx": runs.get("telnyx"), "plivo": runs.get("plivo")},
        has_telnyx="telnyx" in runs,
        has_plivo="plivo" in runs,
        has_remediation=has_remediation,
        headline=sections.headline(con, p, set(runs)) if runs else [],
        plivo_headline=sections.plivo_headline(con, p) if "plivo" in runs else [],
        actions=sections.actions(con, p),
        charts=sections.chart_list(con, p, has_remediation=has_remediation, providers=set(runs)),
        notes=sections.notes(con, p, context.pricing_notes(pricing), caveats),
        rendered_at=datetime.now(UTC),
        static=static,
        messages=messages,
    )


def report_filename(week: IsoWeek) -> str:
    return f"weekly-{week.label}.html"


def write_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    week: IsoWeek | None = None,
    *,
    pricing: Pricing | None = None,
    static: bool = False,
    warnings: Sequence[str] = (),
) -> Written:
    """Render the report for ``week`` into ``out_dir/weekly-<week>.html``.

    ``warnings`` (e.g. a published copy that is behind) head the report's messages.
    """
    started = datetime.now(UTC)
    report = build_report(con, week, pricing=pricing, static=static, warnings=warnings)
    html = render_weekly(report)
    path = out_dir / report_filename(report.week)
    size = write_atomic(path, html)
    return Written(path, report.week, size, (datetime.now(UTC) - started).total_seconds())


def ensure_built(db_path: Path, pricing: Pricing) -> bool:
    """Build the models first when a collection ran since the last build; True if it built.

    Staleness is read from the published copy, never the main file (a build in progress holds
    it). Takes the writer lock, builds, then publishes; when another callrep process holds the
    lock, says so on stderr and leaves the report to the published copy as it stands.
    """
    copy = published_path(db_path)
    source = copy if copy.exists() else db_path
    if not source.exists():
        return False
    try:
        con = connect(source, read_only=True)
    except FileHeldError:
        return False
    try:
        if not is_stale(con):
            return False
    finally:
        con.close()
    try:
        with writer(db_path, "report") as store:
            with store.connection() as con:
                build(con, pricing)
            store.publish()
    except (WriterLockedError, StorePathError) as busy:
        print(f"callrep: warning: not rebuilding first: {busy}", file=sys.stderr)
        return False
    return True
