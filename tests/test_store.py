"""The store: migrations, the writer lock, atomic landing, the published read-only copy."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics.errors import SchemaError, WriterLockedError
from analytics.store.database import connect, open_readonly, published_path, writer
from analytics.store.landing import Batch, land
from analytics.store.runs import INTERRUPTED, RunCounts, abandon_interrupted, begin_run, list_runs
from analytics.store.schema import current_version, latest_version, migrate, migrations

NOW = datetime(2026, 11, 2, 6, tzinfo=UTC)
COUNTS = RunCounts(1, 0, 1, 0, 0, {})


def _raw_rows(run_id: int, n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "run_id": [run_id] * n,
            "source": ["telnyx"] * n,
            "endpoint": ["enterprises"] * n,
            "resource_key": [f"page {i}" for i in range(n)],
            "body": ["{}"] * n,
        }
    )


def test_new_file_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    with writer(tmp_path / "a.duckdb") as store, store.connection() as con:
        assert current_version(con) == latest_version()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with writer(path) as store, store.connection() as con:
        con.execute("insert into schema_version values (999, now())")
    with (
        pytest.raises(SchemaError, match="newer than this callrep"),
        writer(path) as store,
        store.connection(),
    ):
        pass


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).execute("create table customers (id int)").close()
    with pytest.raises(SchemaError, match="not ours"), writer(path) as store, store.connection():
        pass


def _hold_lock(path: str, ready: multiprocessing.Event, release: multiprocessing.Event) -> None:
    with writer(Path(path), "callrep collect"):
        ready.set()
        release.wait(10)


def test_second_writer_gets_one_line_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold_lock, args=(str(path), ready, release))
    other.start()
    try:
        assert ready.wait(10)
        with pytest.raises(WriterLockedError) as info, writer(path):
            pass
        message = str(info.value)
        assert f"pid {other.pid}" in message and "callrep collect" in message
        assert "\n" not in message
    finally:
        release.set()
        other.join(10)
    with writer(path):  # released when the holder ends
        pass


def test_failed_landing_leaves_nothing_but_the_ledger_row(tmp_path: Path) -> None:
    with writer(tmp_path / "a.duckdb") as store, store.connection() as con:
        run_id = begin_run(con, "telnyx", NOW)
        bad = Batch(
            appends={
                "raw_responses": _raw_rows(run_id, 3),
                "telnyx_number_snapshots": pl.DataFrame({"run_id": [run_id]}),
            }
        )
        with pytest.raises(duckdb.Error):
            land(con, run_id, bad, COUNTS)
        assert con.execute("select count(*) from raw_responses").fetchone() == (0,)
        assert list_runs(con)[0]["status"] == "running"


def test_interrupted_runs_are_marked_on_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with writer(path) as store, store.connection() as con:
        begin_run(con, "telnyx", NOW)  # the process "dies" here
    with writer(path) as store, store.connection() as con:
        assert abandon_interrupted(con) == 1
        run = list_runs(con)[0]
        assert (run["status"], run["error"]) == ("failed", INTERRUPTED)


def test_published_copy_is_readable_while_the_writer_holds_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with writer(path) as store:
        with store.connection() as con:
            run_id = begin_run(con, "telnyx", NOW)
            land(con, run_id, Batch(appends={"raw_responses": _raw_rows(run_id, 2)}), COUNTS)
        store.publish()
        held = connect(path)  # the writer has the main file open
        try:
            reader = open_readonly(path)
            assert reader.execute("select count(*) from raw_responses").fetchone() == (2,)
            reader.close()
        finally:
            held.close()
    assert published_path(path).exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]


def _copy_of_migrations(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for _version, migration in migrations():
        (folder / migration.name).write_text(migration.read_text())
    return folder


def test_an_older_file_is_upgraded_in_place_without_losing_data(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with writer(path) as store, store.connection() as con:
        run_id = begin_run(con, "telnyx", NOW)
        land(con, run_id, Batch(appends={"raw_responses": _raw_rows(run_id, 3)}), COUNTS)
    folder = _copy_of_migrations(tmp_path)
    (folder / "999_add_note.sql").write_text(
        "alter table collection_runs add column note varchar;\n"
        "update collection_runs set note = 'upgraded';\n"
    )
    con = connect(path)
    try:
        assert migrate(con, folder) == 999
        assert current_version(con) == 999
        assert con.execute("select count(*) from raw_responses").fetchone() == (3,)
        assert con.execute("select status, note from collection_runs").fetchall() == [
            ("succeeded", "upgraded")
        ]
    finally:
        con.close()


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with writer(path) as store, store.connection():
        pass
    folder = _copy_of_migrations(tmp_path)
    (folder / "999_broken.sql").write_text(
        "alter table collection_runs add column note varchar;\nselect * from no_such_table;\n"
    )
    con = connect(path)
    try:
        with pytest.raises(duckdb.Error):
            migrate(con, folder)
        assert current_version(con) == latest_version()
        columns = [r[0] for r in con.execute("describe collection_runs").fetchall()]
        assert "note" not in columns
    finally:
        con.close()


def _read_published(path: str, opened: multiprocessing.Event, done: multiprocessing.Event) -> None:
    con = open_readonly(Path(path))
    con.execute("select count(*) from collection_runs").fetchall()
    opened.set()
    done.wait(20)
    con.close()


def test_a_reader_left_open_never_blocks_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with writer(path) as store:
        with store.connection() as con:
            begin_run(con, "telnyx", NOW)
        store.publish()
    ctx = multiprocessing.get_context("fork")
    opened, done = ctx.Event(), ctx.Event()
    reader = ctx.Process(target=_read_published, args=(str(path), opened, done))
    reader.start()
    try:
        assert opened.wait(20)
        with writer(path) as store:  # another process holds the published copy open
            with store.connection() as con:
                run_id = begin_run(con, "telnyx", NOW)
                land(con, run_id, Batch(appends={"raw_responses": _raw_rows(run_id, 1)}), COUNTS)
            store.publish()
        fresh = open_readonly(path)
        assert fresh.execute("select count(*) from raw_responses").fetchone() == (1,)
        fresh.close()
    finally:
        done.set()
        reader.join(20)
