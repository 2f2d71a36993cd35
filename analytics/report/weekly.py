"""Assemble the weekly report for one ISO week and write it as one self-contained file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics.config import Pricing
from analytics.errors import StoreError
from analytics.models import build, is_stale
from analytics.report import context, cost, sections
from analytics.report.context import WeeklyReport
from analytics.report.render import render_weekly
from analytics.report.weeks import IsoWeek, default_week
from analytics.store.database import connect, writer

REQUIRED = (
    "spam_risk_daily",
    "spam_risk_transitions",
    "spam_risk_weekly",
    "score_drift",
    "remediation_outcomes",
    "remediation_number_outcomes",
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
    messages = []
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
        "Cost is as of the week: observed up to the week's end; the week's month and the "
        "frequency what-if are projected from the state at the week's last collection.",
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
        cost=cost.section(con, p, set(runs)) if runs else None,
    )


def report_filename(week: IsoWeek) -> str:
    return f"weekly-{week.label}.html"


def write_atomic(path: Path, text: str) -> int:
    """Write ``text`` to a temp file next to ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    data = text.encode("utf-8")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return len(data)


def write_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    week: IsoWeek | None = None,
    *,
    pricing: Pricing | None = None,
    static: bool = False,
) -> Written:
    """Render the report for ``week`` into ``out_dir/weekly-<week>.html``."""
    started = datetime.now(UTC)
    report = build_report(con, week, pricing=pricing, static=static)
    html = render_weekly(report)
    path = out_dir / report_filename(report.week)
    size = write_atomic(path, html)
    return Written(path, report.week, size, (datetime.now(UTC) - started).total_seconds())


def ensure_built(db_path: Path, pricing: Pricing) -> bool:
    """Build the models first when they are stale (a collection ran since the last build, or
    the models or the settings they read changed); True if it built.

    Takes the writer lock, builds, then publishes the read-only copy readers open.
    """
    if not db_path.exists():
        return False
    con = connect(db_path, read_only=True)
    try:
        if not is_stale(con, pricing=pricing):
            return False
    finally:
        con.close()
    with writer(db_path, "report") as store:
        with store.connection() as con:
            build(con, pricing)
        store.publish()
    return True
