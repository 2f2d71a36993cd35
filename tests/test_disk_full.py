"""A full disk ends in one line naming the cause, with nothing partial left behind.

Two ways to run out of room: a real small tmpfs (needs root to mount; skipped otherwise), and
``RLIMIT_FSIZE`` in a subprocess (any user), which fails writes with EFBIG the same way.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.errors import StoreError
from analytics.models import build
from analytics.store.database import published_path, writer


def _callrep_db(path: Path, filler_rows: int = 0) -> Path:
    with writer(path) as store:
        with store.connection() as con:
            build(con)
            if filler_rows:
                con.execute(
                    "create table filler as select i, md5(i::varchar) as s from range(?) t(i)",
                    [filler_rows],
                )
        store.publish()
    return path


def _partials(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".partial")]


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs, mounted for the test (root only)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_publish_on_a_full_disk_is_one_line_and_leaves_no_partial(
    small_fs: Path, tmp_path: Path
) -> None:
    source = _callrep_db(tmp_path / "big.duckdb", filler_rows=650_000)
    db = small_fs / "callrep.duckdb"
    shutil.copyfile(source, db)
    assert 12.5e6 < db.stat().st_size < 20e6  # fits once, not twice
    for _ in range(2):  # and the next build fails the same clean way, not TransactionException
        result = CliRunner().invoke(cli, ["build", "--db", str(db)])
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left on device" in lines[0], result.stderr
        assert "cannot publish the read-only copy" in lines[0]
        assert _partials(small_fs) == []
        assert not published_path(db).exists()
    with pytest.raises(StoreError, match="No space left on device"), writer(db) as store:
        store.publish()
    assert _partials(small_fs) == []


def test_export_and_report_on_a_full_disk_are_one_line(small_fs: Path, tmp_path: Path) -> None:
    db = _callrep_db(tmp_path / "callrep.duckdb")
    with open(small_fs / "ballast", "wb") as ballast:  # fill the disk
        chunk = b"\0" * (1 << 20)
        try:
            while True:
                ballast.write(chunk)
                ballast.flush()
        except OSError:
            pass
    export = CliRunner().invoke(
        cli, ["export", "score_drift", "--db", str(db), "--out", str(small_fs / "x.csv")]
    )
    report = CliRunner().invoke(
        cli, ["report", "--db", str(db), "--week", "2026-W46", "--out", str(small_fs / "out")]
    )
    for result in (export, report):
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left on device" in lines[0], result.stderr
    assert _partials(small_fs) == []
    assert not (small_fs / "x.csv").exists()


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_write_limit_hit_mid_export_or_report_is_one_line(tmp_path: Path) -> None:
    db = _callrep_db(tmp_path / "callrep.duckdb")
    out = tmp_path / "out"
    for args in (
        ["export", "score_drift", "--format", "json", "--out", str(out / "x.json")],
        ["report", "--week", "2026-W46", "--out", str(out)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "analytics", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            preexec_fn=_limit_file_size,
            env=os.environ,
            check=False,
            timeout=300,
        )
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, done.stderr
        assert len(lines) == 1 and "File too large" in lines[0], done.stderr
        assert _partials(out) == []
    assert not (out / "x.json").exists()
