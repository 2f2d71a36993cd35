"""Moving a file store to a DuckLake (``callrep store migrate``), and keeping a lake tidy.

The copy reads the file read-only (it is left exactly as it was), writes every table (the
landing tables with every run, the built models, the build bookkeeping) and every view into
the lake in one transaction, then checks each table's row count on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics.errors import InputError, StoreError
from analytics.store.lake import LAKE, connect_lake, ensure_schema
from analytics.store.location import Lake
from analytics.store.schema import current_version, latest_version
from analytics.store.transaction import first_line, transaction

_SOURCE = "callrep_source"
_SKIP = frozenset({"schema_version", "callrep_generation"})  # the lake keeps its own


@dataclass(frozen=True)
class Copied:
    """What a migration copied: rows per table, and how many views."""

    tables: dict[str, int]
    views: int

    def summary(self) -> str:
        """One line for the command line."""
        runs = self.tables.get("collection_runs", 0)
        rows = sum(self.tables.values())
        return (
            f"copied {len(self.tables)} tables ({rows:,} rows, {runs} runs) and {self.views} views"
        )


def migrate_to_lake(db_path: Path, lake: Lake) -> Copied:
    """Copy the callrep file ``db_path`` into the empty DuckLake ``lake``; verify the counts."""
    if not db_path.is_file():
        raise InputError(f"{db_path}: no such database file")
    if "'" in str(db_path):
        raise InputError(f"{db_path}: a path with a quote cannot be attached; rename it")
    con = connect_lake(lake)
    try:
        ensure_schema(con)
        _require_empty(con, lake)
        con.execute(f"attach '{db_path}' as {_SOURCE} (read_only)")
        version = current_version_of(con)
        if version != latest_version():
            raise InputError(
                f"{db_path} is at schema version {version}, not {latest_version()}: run "
                "`callrep build` on it once with this callrep, then migrate"
            )
        tables = _names(con, "duckdb_tables()")
        views = con.execute(
            "select view_name, sql from duckdb_views() "
            "where database_name = ? and not internal order by view_name",
            [_SOURCE],
        ).fetchall()
        existing = set(_names(con, "duckdb_tables()", LAKE))
        with transaction(con):
            for table in tables:
                source = f"{_SOURCE}.main.{table}"
                if table in existing:
                    con.execute(f"insert into {table} by name select * from {source}")  # noqa: S608
                else:
                    con.execute(f"create table {table} as select * from {source}")  # noqa: S608
            _create_views(con, [sql for _name, sql in views])
        counts = _verify(con, tables)
        con.execute(f"detach {_SOURCE}")
    except duckdb.Error as err:
        raise StoreError(
            f"the migration failed, the lake is unchanged: {first_line(err)}"
        ) from None
    finally:
        con.close()
    return Copied(counts, len(views))


def _create_views(con: duckdb.DuckDBPyConnection, definitions: list[str]) -> None:
    """Create the file's views (their own SQL, unqualified: it binds to the lake), each
    after the views it reads: a view whose dependency is not there yet waits a round."""
    waiting = definitions
    while waiting:
        later = []
        for sql in waiting:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                later.append(sql)
        if len(later) == len(waiting):
            con.execute(later[0])  # no progress: raise the first one's own error
        waiting = later


def current_version_of(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of the attached source file."""
    con.execute(f"use {_SOURCE}")
    try:
        return current_version(con)
    finally:
        con.execute(f"use {LAKE}")


def _names(con: duckdb.DuckDBPyConnection, catalog: str, database: str = _SOURCE) -> list[str]:
    rows = con.execute(
        f"select table_name from {catalog} where database_name = ? and not temporary "  # noqa: S608
        "order by table_name",
        [database],
    ).fetchall()
    return [r[0] for r in rows if r[0] not in _SKIP]


def _require_empty(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    row = con.execute(
        "select (select count(*) from collection_runs) "
        "+ (select count(*) from collection_run_starts)"
    ).fetchone()
    if row and row[0]:
        raise InputError(
            f"the DuckLake {lake.conninfo} already holds runs; migrate into an empty one"
        )


def _verify(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        source = con.execute(f"select count(*) from {_SOURCE}.main.{table}").fetchone()  # noqa: S608
        target = con.execute(f"select count(*) from {LAKE}.main.{table}").fetchone()  # noqa: S608
        if source != target:
            raise StoreError(
                f"the copy of {table} holds {target[0] if target else 0} rows, the file "
                f"{source[0] if source else 0}: the lake is not usable, migrate into a new one"
            )
        counts[table] = int(source[0]) if source else 0
    return counts


def maintain(lake: Lake, keep_days: int) -> list[str]:
    """Merge small files, expire snapshots older than ``keep_days`` and delete the files no
    snapshot needs any more (DuckLake's own functions); one line per step."""
    if not 0 <= keep_days <= 3650:
        raise InputError(f"--keep-days: expected 0 to 3650, got {keep_days}")
    con = connect_lake(lake)
    done = []
    try:
        merged = con.execute(f"call ducklake_merge_adjacent_files('{LAKE}')").fetchall()
        done.append(f"merged {len(merged)} groups of small files")
        older = f"now() - interval {int(keep_days)} day"
        expired = con.execute(
            f"call ducklake_expire_snapshots('{LAKE}', older_than => {older})"
        ).fetchall()
        done.append(f"expired {len(expired)} snapshots older than {keep_days} days")
        removed = con.execute(
            f"call ducklake_cleanup_old_files('{LAKE}', older_than => {older})"
        ).fetchall()
        done.append(f"deleted {len(removed)} files no snapshot needs")
    except duckdb.Error as err:
        raise StoreError(f"maintenance stopped: {first_line(err)}") from None
    finally:
        con.close()
    return done
