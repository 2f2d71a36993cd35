"""US federal holidays (observed dates) for the business-day count of the Plivo models.

The SQL models read a small table ``us_federal_holidays(day date, name varchar)``; the model
runner fills it before building, for every year the data spans (plus one on each side, so a
deadline that crosses New Year is still counted right)::

    from analytics.models.calendar import write_holidays
    write_holidays(con)  # years taken from collection_runs

Dates come from the maintained ``holidays`` package: the federal (public) calendar with
observed dates, so a holiday on a Saturday is also observed on the Friday before and one on
a Sunday on the Monday after (``Independence Day (observed)`` on 2026-07-03).

The table's comment records the ``holidays`` version and the years it covers; a build whose
years and version are those is kept as it is (recomputing it was a visible part of a daily
build).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import holidays


def holiday_rows(years: Iterable[int]) -> list[tuple[date, str]]:
    """Every US federal holiday and observed day in ``years``, as (day, name), by day."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    calendar = holidays.country_holidays("US", years=wanted, observed=True)
    return sorted((day, str(name)) for day, name in calendar.items())


def data_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years of every collection and Plivo carrier status change, widened by one year on
    each side (empty without runs)."""
    row = con.execute(
        """
        select year(timezone('UTC', min(first))), year(timezone('UTC', max(last)))
        from (
            -- plain min/max per column, the year only of the extremes (year is monotonic in
            -- time): converting every snapshot row's time zone made this a visible part of a build
            select min(collected_at) as first, max(collected_at) as last from collection_runs
            union all
            select
                least(min(att_updated_at), min(tmobile_updated_at)),
                greatest(max(att_updated_at), max(tmobile_updated_at)),
            from plivo_number_snapshots
        )
        """
    ).fetchone()
    if row is None or row[0] is None:
        return []
    return list(range(int(row[0]) - 1, int(row[1]) + 2))


def calendar_mark(years: Iterable[int]) -> str:
    """What ``us_federal_holidays`` was computed from: the package version and the years."""
    wanted = sorted(set(years))
    span = f"{wanted[0]}-{wanted[-1]}" if wanted else "none"
    return f"holidays {holidays.__version__}; years {span}"


def _current_mark(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select comment from duckdb_tables() where table_name = 'us_federal_holidays' "
        "and not temporary and database_name = current_database() and schema_name = 'main'"
    ).fetchone()
    return row[0] if row else None


def write_holidays(con: duckdb.DuckDBPyConnection, years: Iterable[int] | None = None) -> int:
    """(Re)create ``us_federal_holidays`` for ``years`` (default: :func:`data_years`), unless
    it already holds them from the same ``holidays`` version; return its row count."""
    wanted = sorted(set(data_years(con) if years is None else years))
    mark = calendar_mark(wanted)
    if _current_mark(con) == mark:
        row = con.execute("select count(*) from us_federal_holidays").fetchone()
        return int(row[0]) if row else 0
    rows = holiday_rows(wanted)
    con.execute(
        "create or replace table us_federal_holidays (day date not null, name varchar not null)"
    )
    if rows:  # one statement: executemany costs a round of failed optional imports per row
        days, names = zip(*rows, strict=True)
        con.execute(
            "insert into us_federal_holidays select unnest(?::date[]), unnest(?::varchar[])",
            [list(days), list(names)],
        )
    quoted = mark.replace("'", "''")  # DuckDB's COMMENT ON takes no parameter
    con.execute(f"comment on table us_federal_holidays is '{quoted}'")
    return len(rows)
