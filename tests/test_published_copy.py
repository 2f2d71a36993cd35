"""Readers know when the published copy is current; damaged databases are never published.

Issue 9 part 7 and issue 10 part 4 (corruption). The writer's leftovers after a SIGKILL are
real: a subprocess is killed while its publish is copying.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.errors import StoreError
from analytics.models import build
from analytics.store.database import connect, open_readonly, published_path, writer
from tests.test_report_fixtures import report_db

BEHIND = "the published copy of callrep.duckdb is behind the database"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A collected, built and published callrep database (a copy of the report fixture's)."""
    path = tmp_path / "callrep.duckdb"
    shutil.copyfile(report_db(), path)
    with writer(path) as store:
        with store.connection() as con:
            build(con)
        store.publish()
    return path


def _partials(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.partial"))


def test_a_freshly_published_copy_gives_no_warning(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_readonly(db).close()
    assert capsys.readouterr().err == ""


def test_a_write_without_publish_makes_readers_warn(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with writer(db) as store, store.connection() as con:
        con.execute("select 1")
    open_readonly(db).close()
    err = capsys.readouterr().err
    assert err.startswith(f"callrep: warning: {BEHIND} (generation 1 < 2)")
    assert "never published" in err and err.count("\n") == 1
    with writer(db) as store:
        store.publish()
    open_readonly(db).close()
    assert capsys.readouterr().err == ""


_KILLED_PUBLISH = """
import sys
from pathlib import Path
from analytics.store.database import writer
path = Path(sys.argv[1])
with writer(path) as store:
    with store.connection() as con:
        con.execute("create or replace table filler as select i, md5(i::varchar) as s "
                    "from range(1500000) t(i)")
    print("publishing", flush=True)
    store.publish()
"""


def _kill_mid_publish(db: Path) -> None:
    """Run a writer in a subprocess and SIGKILL it once its publish has a partial copy."""
    for _attempt in range(5):
        with subprocess.Popen(
            [sys.executable, "-c", _KILLED_PUBLISH, str(db)], stdout=subprocess.PIPE, text=True
        ) as child:
            assert child.stdout is not None and child.stdout.readline() == "publishing\n"
            while child.poll() is None and not _partials(db.parent):
                time.sleep(0.001)
            caught = child.poll() is None
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        if caught:
            return
    pytest.fail("the publish always finished before it could be killed")


def test_a_killed_publish_leaves_a_stale_copy_that_report_and_export_warn_about(
    db: Path, tmp_path: Path
) -> None:
    _kill_mid_publish(db)
    assert _partials(db.parent)  # the killed process's leftover

    result = CliRunner().invoke(
        cli, ["export", "spam_risk_weekly", "--db", str(db), "--out", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 0, result.output
    assert BEHIND in result.stderr
    assert _partials(db.parent) == []  # removed by the next command

    # report would rebuild a stale build; take the writer lock elsewhere so it only warns
    with writer(db):
        result = CliRunner().invoke(
            cli,
            ["report", "--db", str(db), "--out", str(tmp_path / "out"), "--week", "2025-W10"],
        )
    assert result.exit_code == 0, result.output
    assert BEHIND in result.stderr
    [html] = (tmp_path / "out").glob("*.html")
    assert BEHIND in html.read_text(encoding="utf-8")


def test_readers_never_take_the_writer_lock(db: Path) -> None:
    with writer(db) as store, store.connection():
        pass
    with writer(db):  # held by "the cron": a reader must still work, and only warn
        open_readonly(db).close()


def _damage(path: Path) -> None:
    """Overwrite bytes in the middle of the file: a data block of the big table."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(b"\x00\xff" * 2000)


def test_a_damaged_database_is_never_published(tmp_path: Path) -> None:
    # a small database of its own, so that the middle of the file is the filler table's data
    db = tmp_path / "callrep.duckdb"
    with writer(db) as store:
        with store.connection() as con:
            build(con)
        store.publish()
    with writer(db) as store, store.connection() as con:
        con.execute(
            "create table filler as select i, md5(i::varchar) || md5((i * 7)::varchar) as s "
            "from range(400000) t(i)"
        )
        con.execute("checkpoint")
    before = published_path(db).read_bytes()
    _damage(db)
    with pytest.raises(StoreError) as info, writer(db) as store:
        store.publish()
    message = str(info.value)
    assert f"the database {db} is damaged" in message and "checksum" in message
    assert "\n" not in message
    assert published_path(db).read_bytes() == before
    assert _partials(db.parent) == []

    result = CliRunner().invoke(cli, ["build", "--db", str(db)])
    assert result.exit_code != 0
    assert "damaged" in result.stderr and "Traceback" not in result.output
    assert published_path(db).read_bytes() == before


def test_a_copy_is_checked_on_every_table_not_select_1(db: Path) -> None:
    with writer(db) as store, store.connection() as con:
        con.execute("create table filler as select i from range(10) t(i)")
    with writer(db) as store:
        store.publish()
    con = connect(published_path(db), read_only=True)
    try:
        assert con.execute("select count(*) from filler").fetchone() == (10,)
    finally:
        con.close()
