"""Landing a source's run: every row it collected, committed in one transaction.

Landing only ever appends (concurrent DuckLake writers never conflict on appends); a row
that supersedes an earlier one (a remediation request seen again) is resolved in staging.

Rows arrive as polars frames and go in through Arrow (``insert ... by name``), never a
row-at-a-time loop. Table and column names come from this package's own constants;
values only ever travel as data.
"""

from __future__ import annotations

import importlib
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


@dataclass
class Batch:
    """What one run of one source collected, ready to land."""

    appends: dict[str, pl.DataFrame] = field(default_factory=dict)
    records: int = 0
    flagged: int = 0
    per_entity: dict[str, int] = field(default_factory=dict)


def preload() -> None:
    """Import what landing a first batch needs, e.g. on a thread while a network phase waits
    for its first answers: DuckDB imports ``pyarrow.dataset`` (~0.1 s of CPU) the first time
    it reads an Arrow table, which otherwise lands on the clock after the network phase."""
    importlib.import_module("pyarrow.dataset")


def land(con: duckdb.DuckDBPyConnection, run_id: int, batch: Batch, counts: RunCounts) -> None:
    """Append the batch and the run's ledger row, all or nothing."""
    with transaction(con):
        for table, rows in batch.appends.items():
            _append(con, table, rows)
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


def append_new(con: duckdb.DuckDBPyConnection, table: str, key: str, rows: pl.DataFrame) -> int:
    """Append the rows whose ``key`` ``table`` does not hold yet (once each); return how many.

    No constraint backs this (DuckLake has none): two processes appending the same key at
    the same moment may both add it, and staging keeps one.
    """
    _check(table)
    if key not in rows.columns:
        raise ValueError(f"{table}: the rows have no {key} column")
    if rows.height == 0:
        return 0
    con.register("_landing_rows", rows.to_arrow())
    try:
        added = con.execute(
            f"insert into {table} by name select * from _landing_rows as n "  # noqa: S608
            f'where not exists (select 1 from {table} as o where o."{key}" = n."{key}") '
            f'qualify row_number() over (partition by n."{key}") = 1'
        ).fetchone()
    finally:
        con.unregister("_landing_rows")
    return int(added[0]) if added else 0
