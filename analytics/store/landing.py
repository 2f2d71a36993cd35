"""Landing a source's run: every row it collected, committed in one transaction.

Rows arrive as polars frames and go in through Arrow (``insert ... by name``), never a
row-at-a-time loop. Table and column names come from this package's own constants;
values only ever travel as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from analytics.store.runs import RunCounts, complete_run
from analytics.store.transaction import transaction

_TABLES = frozenset(
    {
        "raw_responses",
        "telnyx_enterprise_snapshots",
        "telnyx_number_snapshots",
        "telnyx_remediation_requests",
        "telnyx_remediation_results",
        "plivo_number_snapshots",
        "plivo_profile_snapshots",
        "plivo_verified_caller_ids",
        "plivo_status_callbacks",
    }
)


@dataclass(frozen=True)
class Upsert:
    """Insert ``rows`` into ``table``; on a ``key`` clash update the frame's other columns."""

    table: str
    key: str
    rows: pl.DataFrame


@dataclass(frozen=True)
class Replace:
    """Delete the rows of ``table`` whose ``key`` appears in ``keys``, then append ``rows``."""

    table: str
    key: str
    keys: list[str]
    rows: pl.DataFrame


@dataclass
class Batch:
    """What one run of one source collected, ready to land."""

    appends: dict[str, pl.DataFrame] = field(default_factory=dict)
    upserts: list[Upsert] = field(default_factory=list)
    replaces: list[Replace] = field(default_factory=list)
    records: int = 0
    flagged: int = 0
    per_entity: dict[str, int] = field(default_factory=dict)


def land(con: duckdb.DuckDBPyConnection, run_id: int, batch: Batch, counts: RunCounts) -> None:
    """Write the batch and mark the run succeeded, all or nothing."""
    with transaction(con):
        for table, rows in batch.appends.items():
            _append(con, table, rows)
        for replace in batch.replaces:
            _check(replace.table)
            con.execute(
                f'delete from {replace.table} where "{replace.key}" in (select unnest(?))',  # noqa: S608
                [replace.keys],
            )
            _append(con, replace.table, replace.rows)
        for upsert in batch.upserts:
            _upsert(con, upsert)
        complete_run(con, run_id, counts)


def _check(table: str) -> None:
    if table not in _TABLES:
        raise ValueError(f"not a landing table: {table}")


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    _check(table)
    if rows.height == 0:
        return
    con.register("_landing_rows", rows.to_arrow())
    try:
        con.execute(f"insert into {table} by name select * from _landing_rows")  # noqa: S608
    finally:
        con.unregister("_landing_rows")


def append_new(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> int:
    """Insert the rows whose primary key ``table`` does not hold yet; return how many."""
    _check(table)
    if rows.height == 0:
        return 0
    con.register("_landing_rows", rows.to_arrow())
    try:
        added = con.execute(
            f"insert into {table} by name select * from _landing_rows "  # noqa: S608
            "on conflict do nothing"
        ).fetchone()
    finally:
        con.unregister("_landing_rows")
    return int(added[0]) if added else 0


def _upsert(con: duckdb.DuckDBPyConnection, upsert: Upsert) -> None:
    _check(upsert.table)
    if upsert.rows.height == 0:
        return
    columns = [c for c in upsert.rows.columns if c != upsert.key]
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in columns)
    con.register("_landing_rows", upsert.rows.to_arrow())
    try:
        con.execute(
            f"insert into {upsert.table} by name select * from _landing_rows "  # noqa: S608
            f'on conflict ("{upsert.key}") do update set {assignments}'
        )
    finally:
        con.unregister("_landing_rows")
