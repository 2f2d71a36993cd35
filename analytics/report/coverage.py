"""Which weeks each source was collected in: what the report and the alerts judge a week by.

Kept apart from the report's rendering so that reading coverage (the alerts do, after every
collection) never imports the charting libraries.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from analytics.report import sql
from analytics.report.weeks import IsoWeek

SOURCES = {"telnyx": "Telnyx", "plivo": "Plivo"}


def latest_collection(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest successful collection time over all sources."""
    row = con.execute(
        "select max(collected_at) from stg_callrep__runs where status = 'succeeded'"
    ).fetchone()
    return row[0] if row else None


def collected_weeks(con: duckdb.DuckDBPyConnection) -> dict[str, list[IsoWeek]]:
    """Per source, the ISO weeks (UTC) with at least one successful collection, ascending."""
    weeks: dict[str, list[IsoWeek]] = {}
    for row in sql.rows(con, "weeks_collected", {}):
        weeks.setdefault(row["source"], []).append(IsoWeek.of(row["week_start"]))
    return weeks


def missing_sources(weeks: dict[str, list[IsoWeek]], week: IsoWeek) -> dict[str, str]:
    """Each source without a successful collection in ``week``, with the line that says so."""
    missing = {}
    for source, name in SOURCES.items():
        have = weeks.get(source, [])
        if week in have:
            continue
        before = [w for w in have if w < week]
        latest = f"latest {before[-1]}" if before else "none before it"
        missing[source] = f"No {name} collection in {week}; {latest}."
    return missing
