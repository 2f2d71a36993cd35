"""The holiday calendar is kept between builds while its years and ``holidays`` version hold."""

from __future__ import annotations

import duckdb
import holidays

from analytics.models.calendar import calendar_mark, holiday_rows, write_holidays


def _comment(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "select comment from duckdb_tables() where table_name = 'us_federal_holidays'"
    ).fetchone()
    assert row is not None
    return row[0]


def test_the_calendar_is_kept_while_its_years_and_version_hold():
    con = duckdb.connect()
    assert write_holidays(con, range(2025, 2028)) == len(holiday_rows(range(2025, 2028)))
    assert _comment(con) == calendar_mark([2025, 2026, 2027])
    assert holidays.__version__ in _comment(con)
    con.execute("delete from us_federal_holidays where month(day) = 12")  # a marker
    kept = write_holidays(con, [2027, 2026, 2025])
    assert kept == con.execute("select count(*) from us_federal_holidays").fetchone()[0]
    assert kept < len(holiday_rows(range(2025, 2028))), "the same years keep the table"
    assert write_holidays(con, range(2025, 2029)) == len(holiday_rows(range(2025, 2029)))
    assert _comment(con) == calendar_mark(range(2025, 2029))


def test_a_table_without_the_mark_is_rebuilt():
    con = duckdb.connect()
    con.execute("create table us_federal_holidays (day date not null, name varchar not null)")
    assert write_holidays(con, [2026]) == len(holiday_rows([2026]))


def test_no_years_give_an_empty_calendar():
    con = duckdb.connect()
    assert write_holidays(con, []) == 0
    assert _comment(con) == calendar_mark([])
