"""``callrep export``: round trips, validation, --since, and atomic writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs
import pytest
from click.testing import CliRunner

from analytics.cli.export import export as export_command
from analytics.errors import InputError
from analytics.export import documented_marts, export_mart
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
