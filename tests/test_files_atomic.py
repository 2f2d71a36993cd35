"""Files like a database would write them: analytics.store.files and analytics.store.transaction."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.errors import InputError, StoreError
from analytics.store.database import connect
from analytics.store.files import atomic_path, remove_orphaned_partials, write_atomic
from analytics.store.transaction import transaction


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


@given(st.binary(max_size=4096))
def test_write_atomic_replaces_a_regular_file_with_exactly_the_bytes(data: bytes) -> None:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"callrep-atomic-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    target = folder / "out.bin"
    target.write_bytes(b"old")
    assert write_atomic(target, data) == len(data)
    assert target.read_bytes() == data
    assert _leftovers(folder) == []


def test_special_files_are_written_in_place_never_replaced() -> None:
    assert write_atomic(Path("/dev/null"), "x" * 1000) == 1000
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(InputError, match="cannot write /dev/full: No space left on device"):
        write_atomic("/dev/full", "x" * 100_000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_dash_is_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    write_atomic("-", "hello\n")
    assert capfd.readouterr().out == "hello\n"


def test_a_dangling_symlink_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "nowhere" / "deeper" / "x.csv")
    with pytest.raises(InputError, match=r"is a symlink to .* which does not exist"):
        write_atomic(link, "x")
    assert not (tmp_path / "nowhere").exists()


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text() == "new"


def test_a_symlink_to_a_file_writes_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_folder_or_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        write_atomic(tmp_path, "x")
    with pytest.raises(InputError, match=r"cannot write /proc/x\.csv"):
        write_atomic("/proc/x.csv", "x")
    with pytest.raises(InputError, match="cannot create /proc/reports"):
        write_atomic("/proc/reports/a.html", "x")


def test_a_failed_write_leaves_the_old_file_and_nothing_partial(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous")
    with pytest.raises(InputError, match="No space left"), atomic_path(target) as temp:
        temp.write_text("half")
        raise OSError(28, "No space left on device")
    assert target.read_text() == "previous"
    assert _leftovers(tmp_path) == []


def test_partials_of_dead_processes_are_removed_live_ones_kept(tmp_path: Path) -> None:
    dead_pid = _dead_pid()
    dead = tmp_path / f".callrep.readonly.duckdb.{dead_pid}.partial"
    live = tmp_path / f".callrep.readonly.duckdb.{os.getpid()}.partial"
    other = tmp_path / "notes.partial"
    for path in (dead, live, other):
        path.write_text("x")
    assert remove_orphaned_partials(tmp_path) == [dead]
    assert live.exists() and other.exists() and not dead.exists()


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_failed_commit_names_its_cause_not_the_rollback() -> None:
    con = connect(":memory:")
    con.execute("create table t (id integer primary key)")
    other = con.cursor()
    with pytest.raises(StoreError) as info, transaction(con):
        con.execute("insert into t values (1)")
        other.execute("insert into t values (1)")  # commits first: ours fails at commit
    message = str(info.value)
    assert "commit failed" in message and 'duplicate key "1"' in message
    assert "no transaction is active" not in message
    assert con.execute("select count(*) from t").fetchone() == (1,)  # the other's row


def test_an_error_in_the_block_is_the_error_raised_and_nothing_is_kept() -> None:
    con = connect(":memory:")
    con.execute("create table t (id integer primary key)")
    with pytest.raises(duckdb.ConstraintException), transaction(con):
        con.execute("insert into t values (1)")
        con.execute("insert into t values (1)")
    assert con.execute("select count(*) from t").fetchone() == (0,)
    with transaction(con):
        con.execute("insert into t values (2)")
    assert con.execute("select id from t").fetchall() == [(2,)]
