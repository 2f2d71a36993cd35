"""Charts built before the report's stage (so that a static report draws them while the stage
runs) read exactly what they would read after it."""

from __future__ import annotations

from datetime import UTC

import duckdb
import pytest

from analytics.report import context, sections, sql
from analytics.report.coverage import latest_collection
from analytics.report.weeks import IsoWeek
from analytics.store.database import connect
from tests.test_report_fixtures import report_db


def _temp_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from duckdb_tables() where temporary").fetchall()
    return {r[0] for r in rows}


@pytest.fixture(scope="module")
def week() -> IsoWeek:
    with connect(report_db(), read_only=True) as con:
        return IsoWeek.of(latest_collection(con).astimezone(UTC).date())


def test_the_staged_tables_are_the_temp_tables_the_stage_creates(week):
    with connect(report_db(), read_only=True) as con:
        before = _temp_tables(con)
        context.stage(con, week)
        created = _temp_tables(con) - before
    assert created and sections.staged_tables() == created


def test_a_chart_built_before_the_stage_reads_what_it_would_after_it(week):
    early = context.query_params(week)
    first = [c for c in sections.CHARTS if not sections.needs_stage(c, early)]
    assert first, "no chart can be drawn while the stage runs"
    with connect(report_db(), read_only=True) as con:
        before = {c.slug: sql.rows(con, c.query, early) for c in first}
    with connect(report_db(), read_only=True) as con:
        p = context.stage(con, week)
        after = {c.slug: sql.rows(con, c.query, p) for c in first}
    assert before == after
    assert any(before.values())  # the fixture has data for them: not an empty comparison


def test_a_chart_reading_a_staged_table_waits_for_the_stage(week):
    early = context.query_params(week)
    for plan in sections.CHARTS:
        reads = sql.report_sql(plan.query).lower()
        if any(name in reads for name in sections.staged_tables()):
            assert sections.needs_stage(plan, early), plan.slug
