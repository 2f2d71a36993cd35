"""``callrep export``: round trips, validation, --since, and atomic writes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs
import pytest
from click.testing import CliRunner, Result

from analytics.cli import cli
from analytics.cli.export import export as export_command
from analytics.errors import InputError
from analytics.export.marts import documented_marts, export_mart
from analytics.models import marts
from analytics.models.discovery import ModelError, parse
from analytics.store.database import connect
from tests.test_report_fixtures import report_db

READERS = {
    "csv": "read_csv($p, header = true)",
    "parquet": "read_parquet($p)",
    "json": "read_json($p)",
}


@pytest.fixture(scope="module")
def con():
    connection = connect(report_db(), read_only=True)
    yield connection
    connection.close()


def _frame(con, sql: str, params: dict | None = None) -> pl.DataFrame:
    frame = con.execute(sql, params or {}).pl()
    return frame.select(pl.all().cast(pl.String)).sort(pl.all())


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
@pytest.mark.parametrize("mart", ["plivo_carrier_status", "plivo_ein_cost_monthly"])
def test_round_trip(con, tmp_path: Path, fmt: str, mart: str):
    out = tmp_path / f"{mart}.{fmt}"
    rows = export_mart(con, mart, out, fmt)
    expected = _frame(con, f'select * from "{mart}"')
    assert rows == expected.height
    back = _frame(con, f"select * from {READERS[fmt]}", {"p": str(out)})
    assert back.columns == expected.columns
    if fmt == "parquet":
        assert back.equals(expected)
    else:
        # text formats: compare values after the same round trip through DuckDB's readers
        again = tmp_path / f"again.{fmt}"
        con.execute(
            f"copy (select * from {READERS[fmt]}) to $o (format {fmt})",
            {"p": str(out), "o": str(again)},
        )
        assert back.height == expected.height
        assert _frame(con, f"select * from {READERS[fmt]}", {"p": str(again)}).equals(back)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_parquet_keeps_types(con, tmp_path: Path):
    out = tmp_path / "daily.parquet"
    export_mart(con, "plivo_carrier_status", out, "parquet")
    utc = cs.datetime(time_zone="*")
    original = con.execute("select * from plivo_carrier_status order by phone_number").pl()
    original = original.with_columns(utc.dt.convert_time_zone("UTC"))
    back = pl.read_parquet(out).sort("phone_number").with_columns(utc.dt.convert_time_zone("UTC"))
    assert back.schema == original.schema
    assert back.equals(original)


def test_since_filters_the_date_column(con, tmp_path: Path):
    out = tmp_path / "cost.csv"
    rows = export_mart(con, "plivo_ein_cost_monthly", out, "csv", since=date(2025, 3, 1))
    expected = con.execute(
        "select count(*) from plivo_ein_cost_monthly where month >= date '2025-03-01'"
    ).fetchone()[0]
    assert rows == expected
    with pytest.raises(InputError, match="no date column"):
        export_mart(con, "plivo_carrier_status", tmp_path / "x.csv", "csv", since=date(2025, 1, 1))


SINCE_MARTS = [d for d in documented_marts() if d.since_column]


def test_since_columns_come_from_the_mart_headers():
    # every mart with a date-like key or time column says which one --since filters on
    names = {d.name for d in SINCE_MARTS}
    assert {"spam_risk_daily", "score_drift", "telnyx_cost_monthly", "number_overview"} <= names
    assert "plivo_carrier_status" not in names and "dim_enterprises" not in names


@pytest.mark.parametrize("doc", SINCE_MARTS, ids=lambda d: d.name)
def test_since_filters_every_mart_on_its_header_column(con, tmp_path: Path, doc):
    latest = con.execute(
        "select max(observed_on) from stg_callrep__runs where status = 'succeeded'"
    ).fetchone()[0]
    since = latest - timedelta(days=30)
    rows = export_mart(con, doc.name, tmp_path / "x.parquet", "parquet", since=since)
    column = doc.since_column
    kind = {r[0]: r[1] for r in con.execute(f'describe "{doc.name}"').fetchall()}[column]
    if kind == "VARCHAR":  # an ISO week label
        iso = since.isocalendar()
        value: object = f"{iso.year}-W{iso.week:02d}"
    else:
        value = since
    expected = con.execute(
        f'select count(*) from "{doc.name}" where "{column}"::varchar >= $v::varchar'
        if kind == "VARCHAR"
        else f'select count(*) from "{doc.name}" where "{column}"::date >= $v',
        {"v": value},
    ).fetchone()[0]
    assert rows == expected
    assert rows == pl.read_parquet(tmp_path / "x.parquet").height


def test_a_since_column_that_is_not_a_column_is_refused(tmp_path: Path):
    bad = tmp_path / "marts" / "bad_mart.sql"
    bad.parent.mkdir()
    bad.write_text(
        "-- bad_mart\n-- purpose: p\n-- grain: g\n-- since_column: nope\n-- key: day\n"
        "-- materialized: view\n-- columns:\n--   day: a day\nselect current_date as day\n"
    )
    with pytest.raises(ModelError, match="since_column 'nope'"):
        parse(bad, "marts")


def test_unknown_mart_lists_the_documented_ones(tmp_path: Path):
    result = CliRunner().invoke(
        export_command, ["collection_runs; drop table x", "--db", str(report_db())]
    )
    # the `callrep` group turns CallrepError into one line and its exit_code (2 for InputError)
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2
    assert "\n" not in str(result.exception)
    names = [m.name for m in documented_marts()]
    assert "plivo_carrier_status" in names
    assert all(name in str(result.exception) for name in names)


def test_list_names_every_mart():
    result = CliRunner().invoke(export_command, ["--list"])
    assert result.exit_code == 0
    for doc in documented_marts():
        assert doc.name in result.output


def test_failed_export_leaves_the_old_file(con, tmp_path: Path):
    out = tmp_path / "keep.csv"
    out.write_text("old\n")
    with pytest.raises(duckdb.Error):
        # a since value DuckDB cannot cast makes COPY fail half-way through planning
        export_mart(con, "plivo_ein_cost_monthly", out, "csv", since="not a date")  # type: ignore[arg-type]
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_cli_writes_default_name(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        export_command, ["plivo_ein_registrations", "--db", str(report_db()), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plivo_ein_registrations.json").exists()


def _export(*args: str) -> Result:
    return CliRunner().invoke(cli, ["export", "--db", str(report_db()), *args])


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_format_comes_from_the_out_extension(con, tmp_path: Path, fmt: str):
    out = tmp_path / f"risk.{fmt.upper() if fmt == 'csv' else fmt}"
    result = _export("spam_risk_daily", "--out", str(out))
    assert result.exit_code == 0, result.output
    back = con.execute(f"select count(*) from {READERS[fmt]}", {"p": str(out)}).fetchone()[0]
    assert back == con.execute("select count(*) from spam_risk_daily").fetchone()[0]
    if fmt == "parquet":
        assert out.read_bytes()[:4] == b"PAR1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json", "--out", "x.csv"], "--format json contradicts --out x.csv"),
        (["--format", "csv", "--out", "x.parquet"], "--format csv contradicts"),
        (["--out", "x.txt"], "cannot tell the format from .txt"),
    ],
)
def test_a_contradiction_is_one_line_and_writes_nothing(tmp_path: Path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export", "spam_risk_daily", "--db", str(report_db()), *args])
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("callrep: error: ") and message in line
    assert list(tmp_path.iterdir()) == []


def _to_stdout(*args: str) -> subprocess.CompletedProcess[str]:
    """``callrep export ... --out -`` in a process of its own: DuckDB writes to fd 1 itself."""
    command = [sys.executable, "-m", "analytics", "export", "--db", str(report_db()), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result


def test_out_dash_writes_rows_in_key_order_to_stdout(con):
    result = _to_stdout("spam_risk_daily", "--out", "-")
    header, *lines = result.stdout.splitlines()
    columns = header.split(",")
    key = next(m.key for m in marts() if m.name == "spam_risk_daily")
    expected = con.execute(
        f"select {', '.join(key)} from spam_risk_daily order by {', '.join(key)}"
    ).fetchall()
    got = [tuple(line.split(",")[columns.index(k)] for k in key) for line in lines]
    assert got == [tuple("" if v is None else str(v) for v in row) for row in expected]
    assert "rows -> -" in result.stderr  # the count goes to stderr, never into the data


def test_out_dash_takes_the_format(con):
    result = _to_stdout("plivo_ein_registrations", "--format", "json", "--out", "-")
    rows = json.loads(result.stdout)
    count = con.execute("select count(*) from plivo_ein_registrations").fetchone()[0]
    assert isinstance(rows, list) and len(rows) == count
