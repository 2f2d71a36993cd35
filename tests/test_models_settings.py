"""Settings reach the figures: a changed setting rebuilds every model that reads it, and
``CALLREP_MEMORY_LIMIT`` is checked before DuckDB sees it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.config import Pricing
from analytics.errors import ConfigError
from analytics.models import build, is_stale
from analytics.models.discovery import discover
from analytics.models.runner import memory_limit
from analytics.models.state import settings_read
from tests.test_report_fixtures import report_db

MODEL = """-- {name}
-- purpose: test model
-- grain: one row per day
-- key: day
-- materialized: {materialized}
{extra}
{body}
"""


def _model(root: Path, layer: str, name: str, body: str, materialized: str, extra: str = ""):
    folder = root / layer
    folder.mkdir(parents=True, exist_ok=True)
    text = MODEL.format(name=name, materialized=materialized, extra=extra, body=body)
    (folder / f"{name}.sql").write_text(text.replace("\n\n", "\n"))


def test_settings_read_follows_dependencies(tmp_path):
    _model(tmp_path, "staging", "stg_price", "select telnyx_base_usd from callrep_settings", "view")
    _model(tmp_path, "intermediate", "int_all", "select * from callrep_settings", "view")
    columns = "-- columns:\n--   x: y"
    _model(tmp_path, "marts", "m_price", "select * from stg_price", "table", columns)
    _model(tmp_path, "marts", "m_none", "select 1 as day", "table", columns)
    read = settings_read(discover(tmp_path))
    assert read["stg_price"] == {"telnyx_base_usd"}
    assert read["m_price"] == {"telnyx_base_usd"}
    assert read["int_all"] == {f for f in Pricing.__dataclass_fields__}
    assert read["m_none"] == frozenset()


def test_a_changed_setting_rebuilds_an_incremental_model_fully(con, landing, tmp_path):
    landing.run("2026-03-02T06:00:00")
    _model(
        tmp_path,
        "marts",
        "m_days",
        "select day::date as day, s.telnyx_check_usd as price\n"
        "from (select unnest(generate_series(date '2026-03-01', date '2026-03-03', "
        "interval 1 day)) as day), callrep_settings as s\n"
        "where day::date >= getvariable('callrep_since')",
        "incremental",
        "-- incremental_on: day\n-- columns:\n--   day: d\n--   price: p",
    )
    models = discover(tmp_path)
    assert build(con, Pricing(), models=models).full
    assert not is_stale(con, models, Pricing(plivo_business_usd=1.0))  # a setting it does not read
    assert is_stale(con, models, Pricing(telnyx_check_usd=0.5))
    landing.run("2026-03-03T06:00:00")  # a new run: an incremental build from 2026-03-03 ...
    report = build(con, Pricing(telnyx_check_usd=0.5), models=models)
    assert report.full  # ... unless a setting the model reads changed: then every day is redone
    prices = con.execute("select distinct price from m_days").fetchall()
    assert prices == [(0.5,)]
    assert not is_stale(con, models, Pricing(telnyx_check_usd=0.5))
    assert is_stale(con, models, Pricing(telnyx_check_usd=0.7))
    assert not build(con, Pricing(telnyx_check_usd=0.5), models=models).full


def test_a_pricing_change_in_callrep_toml_reaches_the_report(tmp_path, monkeypatch):
    db = tmp_path / "callrep.duckdb"
    shutil.copyfile(report_db(), db)
    config = tmp_path / "callrep.toml"
    config.write_text("[pricing]\ntelnyx_base_usd = 5000\n")
    for name in ("TELNYX_API_KEY", "PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN", "CALLREP_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CALLREP_CONFIG", str(config))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = next(out.glob("weekly-*.html")).read_text()
    assert "USD 5,000.00 per month while approved" in html  # the note
    with duckdb.connect(str(db), read_only=True) as con:
        (price,) = con.execute("select telnyx_base_usd from callrep_settings").fetchone()
        bases = {r[0] for r in con.execute("select base_usd from telnyx_cost_monthly").fetchall()}
    assert price == 5000.0
    assert bases <= {0.0, 5000.0} and 5000.0 in bases  # the figures
    # a second report with the same settings builds nothing
    again = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(out)])
    assert again.exit_code == 0, again.output
    with duckdb.connect(str(db), read_only=True) as con:
        (builds,) = con.execute("select count(*) from model_builds").fetchone()
    assert builds == 2  # the fixture's build and the one the new price caused


@pytest.mark.parametrize("value", ["0B", "1KB", "99999999TB", "1.5.5GB", "", "MB", "-1GB", "1PB"])
def test_bad_memory_limits_are_one_line_errors(value, con, landing, monkeypatch):
    monkeypatch.setenv("CALLREP_MEMORY_LIMIT", value)
    with pytest.raises(ConfigError, match=r"CALLREP_MEMORY_LIMIT: .*1500MB"):
        memory_limit(value)
    with pytest.raises(ConfigError):
        build(con, Pricing())


@pytest.mark.parametrize("value", ["0B", "1KB", "99999999TB", "1.5.5GB"])
def test_bad_memory_limit_on_the_command_line(value, tmp_path, monkeypatch):
    db = tmp_path / "callrep.duckdb"
    shutil.copyfile(report_db(), db)
    monkeypatch.setenv("CALLREP_MEMORY_LIMIT", value)
    monkeypatch.delenv("CALLREP_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["build", "--db", str(db)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("callrep: error: CALLREP_MEMORY_LIMIT")


@given(st.text(max_size=30))
def test_any_memory_limit_is_accepted_by_duckdb_or_a_config_error(value):
    con = duckdb.connect()
    try:
        setting = memory_limit(value)
    except ConfigError as err:
        assert "CALLREP_MEMORY_LIMIT" in str(err) and "\n" not in str(err)
        return
    con.execute(f"set memory_limit = '{setting}'")
    con.execute("select 1").fetchall()


@given(
    st.decimals(min_value=68, max_value=100_000, places=2),
    st.sampled_from(["MB", "MiB", "mb", " GB", "GiB"]),
)
def test_sizes_in_range_are_kept(number, unit):
    value = f"{number}{unit}"
    setting = memory_limit(value)
    assert setting.endswith("B") and int(setting[:-1]) >= 64 * 2**20
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{setting}'")
