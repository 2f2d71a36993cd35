"""Schema versions: numbered SQL files in ``queries/migrations`` applied in order, once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics.errors import SchemaError
from analytics.resources import queries_dir
from analytics.store.transaction import transaction

_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations(folder: Path | None = None) -> list[tuple[int, Path]]:
    """Every migration file as (version, path), ascending."""
    found = []
    for path in (folder or queries_dir() / "migrations").iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_version() -> int:
    """The schema version this callrep writes."""
    return migrations()[-1][0]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version recorded in the database; 0 for an empty file."""
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    }
    if "schema_version" not in tables:
        if tables:
            raise SchemaError("the database holds tables but no callrep schema_version: not ours")
        return 0
    row = con.execute("select max(version) from schema_version").fetchone()
    return int(row[0] or 0) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> int:
    """Apply every pending migration, each in its own transaction; return the new version.

    ``folder`` replaces ``queries/migrations`` (tests use it to rehearse upgrades).
    """
    version = current_version(con)
    available = migrations(folder)
    newest = available[-1][0]
    if version > newest:
        raise SchemaError(
            f"the database is at schema version {version}, newer than this callrep ({newest}); "
            "upgrade callrep"
        )
    if version == 0:
        con.execute(
            "create table schema_version (version integer not null, applied_at timestamptz)"
        )
    for number, path in available:
        if number <= version:
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_version values (?, ?)", [number, datetime.now(UTC)])
    return newest
