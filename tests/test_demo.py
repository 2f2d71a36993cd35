"""The demo: everything from simulator to report, in a folder it owns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.errors import InputError
from analytics.export.marts import documented_marts
from analytics.orchestration.demo import MARKER, DemoResult, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo") / "out", days=10)


def test_demo_collects_builds_reports_and_exports(demo: DemoResult) -> None:
    con = duckdb.connect(str(demo.db_path), read_only=True)
    runs = con.execute(
        "select source, count(*) filter (where status = 'succeeded'), count(*) "
        "from collection_runs group by 1 order by 1"
    ).fetchall()
    assert runs == [("plivo", 10, 10), ("telnyx", 10, 10)]
    days = con.execute("select count(distinct collected_at::date) from telnyx_number_snapshots")
    assert days.fetchone() == (10,)
    con.close()
    assert demo.report is not None and demo.report.name == "weekly-2026-W36.html"
    assert demo.report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert set(demo.exports) == {f"{m.name}.csv" for m in documented_marts()}
    assert all((demo.out / "exports" / name).stat().st_size > 0 for name in demo.exports)


def test_demo_refuses_to_wipe_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(InputError, match="not made by `callrep demo`"):
        run_demo(tmp_path, days=1)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_demo_recreates_its_own_folder(tmp_path: Path) -> None:
    out = tmp_path / "d"
    result = CliRunner().invoke(cli, ["demo", "--days", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (out / "stale.txt").write_text("from an earlier run")
    again = CliRunner().invoke(cli, ["demo", "--days", "2", "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert (out / MARKER).exists() and not (out / "stale.txt").exists()
    [line] = again.output.splitlines()  # not a terminal: one summary line, true paths
    assert line.startswith("demo: 2 days collected")
    assert f"report {(out / 'reports').resolve()}/weekly-" in line
    assert f"database {(out / 'callrep.duckdb').resolve()}" in line
