"""Every schema callrep ever shipped upgrades to the current one, data kept.

The historical versions are discovered, not listed: each prefix of ``queries/migrations``
(a database created by the callrep that stopped at that migration), plus each migration as it
shipped before an in-place edit (``tests/fixtures/schema_history``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.orchestration.ingest import ingest
from analytics.store.database import connect, writer
from analytics.store.schema import current_version, latest_version, migrate, migrations

FIXTURES = Path(__file__).parent / "fixtures" / "schema_history"
AUTH_ID = "MASIM0000000000000001"


def _history() -> list[tuple[str, list[Path]]]:
    current = migrations()
    versions = [
        (f"v{number:03d}", [path for n, path in current if n <= number]) for number, _ in current
    ]
    for number, old in migrations(FIXTURES):
        earlier = [path for n, path in current if n < number]
        versions.append((f"v{number:03d}-as-shipped-in-{old.name}", [*earlier, old]))
    return versions


HISTORY = _history()


def _columns(path: Path) -> set[tuple[str, str, str]]:
    con = connect(path, read_only=True)
    try:
        return set(
            con.execute(
                "select table_name, column_name, data_type from information_schema.columns"
                " where table_name not in ('callrep_generation')"
            ).fetchall()
        )
    finally:
        con.close()


def _folder(tmp_path: Path, files: list[Path]) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for file in files:
        (folder / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_history_covers_every_migration_and_the_pre_edit_001() -> None:
    labels = [label for label, _ in HISTORY]
    assert len(labels) == len(migrations()) + len(migrations(FIXTURES))
    assert "v001-as-shipped-in-001_initial.sql" in labels


@pytest.mark.parametrize(("label", "files"), HISTORY, ids=[label for label, _ in HISTORY])
def test_a_database_at_every_historical_version_upgrades(
    tmp_path: Path, label: str, files: list[Path]
) -> None:
    fresh = tmp_path / "fresh.duckdb"
    with writer(fresh) as store, store.connection():
        pass
    old = tmp_path / "old.duckdb"
    con = connect(old)
    try:
        version = migrate(con, _folder(tmp_path, files))
        assert current_version(con) == version
        con.execute(
            "insert into collection_runs (source, started_at, collected_at, status) "
            "values ('plivo', ?, ?, 'succeeded')",
            [datetime(2026, 6, 1, tzinfo=UTC)] * 2,
        )
    finally:
        con.close()

    with writer(old) as store, store.connection() as con:
        assert current_version(con) == latest_version()
        assert con.execute("select count(*) from collection_runs").fetchone() == (1,)
    assert _columns(old) == _columns(fresh)

    spool = tmp_path / "spool.jsonl"
    line = {
        "number": "14155550123",
        "carrier": "att",
        "caller_reputation_status": "ACTIVE",
        "auth_id": AUTH_ID,
        "received_at": "2026-06-17T11:05:02Z",
    }
    spool.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert (
        ingest(spool, old, {AUTH_ID: "default"}).added == 1
    )  # the pre-edit 001 raised BinderException
