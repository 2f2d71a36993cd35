"""Hostile paths and files give one line and exit status 2 (issue 10 parts 4 and 7)."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from analytics.cli import cli
from analytics.models import build
from analytics.store.database import writer
from tests.test_report_fixtures import report_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A built, published, empty callrep database."""
    path = tmp_path / "callrep.duckdb"
    with writer(path) as store:
        with store.connection() as con:
            build(con)
        store.publish()
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callrep: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_export_to_dev_null_leaves_the_device(db: Path) -> None:
    for fmt in ("csv", "parquet", "json"):
        result = run("export", "spam_risk_weekly", "--db", str(db), "--format", fmt,
                     "--out", "/dev/null")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_export_to_dev_full_and_proc_is_one_line(db: Path) -> None:
    line = one_line(run("export", "spam_risk_weekly", "--db", str(db), "--out", "/dev/full"))
    assert "No space left on device" in line
    line = one_line(run("export", "spam_risk_weekly", "--db", str(db), "--out", "/proc/x.csv"))
    assert "/proc/x.csv" in line


def test_export_to_stdout_keeps_the_summary_off_it(
    db: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    result = run("export", "spam_risk_weekly", "--db", str(db), "--out", "-")
    assert result.exit_code == 0
    written = capfd.readouterr().out  # DuckDB writes to the process's own stdout
    assert written.startswith("account,iso_week,") and "rows" not in written + result.stdout
    assert "rows -> -" in result.stderr
    assert not Path("-").exists()


def test_export_through_a_dangling_symlink_creates_nothing(db: Path, tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "nonexistent" / "nowhere.csv")
    line = one_line(run("export", "spam_risk_weekly", "--db", str(db), "--out", str(link)))
    assert "does not exist" in line
    assert not (tmp_path / "nonexistent").exists()


def test_report_somewhere_unwritable_is_one_line() -> None:
    db = report_db()  # a week with a collection, so the report gets as far as writing
    line = one_line(run("report", "--db", str(db), "--week", "2025-W10", "--out", "/proc/reports"))
    assert "cannot create /proc/reports" in line


def test_collect_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "callrep.duckdb"
    result = CliRunner().invoke(cli, ["collect", "--db", str(missing)], env={"TELNYX_API_KEY": "k"})
    assert "no such folder" in one_line(result)
    assert not (tmp_path / "absent").exists()
    result = CliRunner().invoke(
        cli, ["collect", "--db", "/proc/callrep.duckdb"], env={"TELNYX_API_KEY": "k"}
    )
    assert "lock file /proc/callrep.duckdb.lock" in one_line(result)


def test_a_symlink_at_the_lock_path_is_refused_and_its_target_kept(db: Path) -> None:
    victim = db.with_name("precious.txt")
    victim.write_text("keep me")
    lock = db.with_name(db.name + ".lock")
    lock.unlink()
    lock.symlink_to(victim)
    assert "the lock path is a symlink" in one_line(run("build", "--db", str(db)))
    assert victim.read_text() == "keep me"


def test_a_folder_at_the_lock_path_is_one_line(db: Path) -> None:
    lock = db.with_name(db.name + ".lock")
    lock.unlink()
    lock.mkdir()
    assert "the lock path is a folder" in one_line(run("build", "--db", str(db)))


def test_runs_and_export_on_a_duckdb_file_that_is_not_callreps(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("create table customers (id int)").close()
    for args in (["runs"], ["export", "spam_risk_weekly"]):
        line = one_line(run(*args, "--db", str(other)))
        assert "is not a callrep database" in line


class _Listener:
    """A loopback HTTP proxy that only counts connection attempts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def test_a_sqlite_file_as_db_is_one_line_and_fetches_no_extension(tmp_path: Path) -> None:
    lite = tmp_path / "data.sqlite"
    sqlite3.connect(lite).execute("create table t (a)").connection.commit()
    home = tmp_path / "home"
    home.mkdir()
    proxy = _Listener()
    try:
        for args in (["runs"], ["export", "spam_risk_weekly"], ["build"]):
            done = subprocess.run(
                [sys.executable, "-m", "analytics", *args, "--db", str(lite)],
                capture_output=True,
                text=True,
                env={
                    **os.environ,
                    "HOME": str(home),
                    "http_proxy": f"http://127.0.0.1:{proxy.port}",
                    "HTTP_PROXY": f"http://127.0.0.1:{proxy.port}",
                    "https_proxy": f"http://127.0.0.1:{proxy.port}",
                },
                timeout=120,
            )
            assert done.returncode == 2, done.stderr
            assert done.stderr.strip().splitlines() == [
                f"callrep: error: {lite} is not a callrep database: it is a SQLite file "
                "(callrep opens only its own DuckDB files)"
            ]
    finally:
        proxy.close()
    assert proxy.connections == 0
    assert not (home / ".duckdb").exists()  # no extension was installed or even looked up
