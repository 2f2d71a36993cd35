"""The models' layering: landing tables are read by staging only, marts read staging and
intermediate relations only, the report reads no landing table, and each flag rule is stated
in one model. Every historical schema version upgrades and builds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.config import Pricing
from analytics.models import build, models
from analytics.models.discovery import RUNNER_RELATIONS, body_words
from analytics.resources import queries_dir
from analytics.store.database import connect
from analytics.store.schema import current_version, migrate, migrations
from tests.conftest import Landing

LATEST_VIEWS = {"latest_runs", "telnyx_enterprises", "plivo_profiles"}


def _landing_relations(tmp_path: Path) -> set[str]:
    with connect(tmp_path / "fresh.duckdb") as con:
        migrate(con)
        rows = con.execute(
            "select table_name from duckdb_tables() union select view_name from duckdb_views() "
            "where not internal"
        ).fetchall()
    return {r[0] for r in rows} - {"schema_version"}


def _body(sql: str) -> set[str]:
    return body_words(sql.split("\n", 1)[1])


def test_marts_read_only_staging_and_intermediate_relations(tmp_path):
    landing = _landing_relations(tmp_path)
    assert "collection_runs" in landing and not LATEST_VIEWS & landing
    by_layer = {m.name: m.layer for m in models()}
    for model in models():
        if model.is_mart:
            layers = {by_layer[d] for d in model.depends_on}
            assert layers <= {"staging", "intermediate"}, (model.name, model.depends_on)
            assert not _body(model.sql) & landing, model.name


def test_the_report_reads_no_landing_table(tmp_path):
    landing = _landing_relations(tmp_path) | LATEST_VIEWS
    for path in sorted((queries_dir() / "report").glob("*.sql")):
        assert not _body(path.read_text()) & landing, path.name


FLAGS = ("registered_but_high", "not_monitored", "stale")


@pytest.mark.parametrize("flag", FLAGS)
def test_each_flag_rule_is_stated_in_one_model(flag):
    stating = [m.name for m in models() if re.search(rf"\)\s*as\s+{flag}\b|\bas {flag},", m.sql)]
    assert stating == ["int_number_overview_flags"]


def _at_version(tmp_path: Path, version: int) -> Path:
    folder = tmp_path / f"migrations_{version}"
    folder.mkdir()
    for number, path in migrations():
        if number <= version:
            (folder / path.name).write_text(path.read_text())
    return folder


@pytest.mark.parametrize("version", [number for number, _ in migrations()])
def test_a_database_at_every_schema_version_upgrades_and_builds(tmp_path, version):
    path = tmp_path / "old.duckdb"
    with connect(path) as con:
        assert migrate(con, _at_version(tmp_path, version)) == version
        landing = Landing(con)
        telnyx = landing.run("2026-11-10T06:00:00")
        landing.telnyx_enterprise(telnyx)
        landing.telnyx_risks(telnyx, {"+12025550101": "high"})
        plivo = landing.run("2026-11-10T06:05:00", source="plivo")
        landing.plivo_numbers(plivo, [{"number": "+12025550101", "att_status": "ACTIVE"}])
    with connect(path) as con:
        migrate(con)
        assert current_version(con) == migrations()[-1][0]
        views = {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}
        assert not views & LATEST_VIEWS
        build(con, Pricing())
        assert con.execute(
            "select phone_number, registered_but_high from number_overview"
        ).fetchall() == [("+12025550101", True)]
        fingerprinted = {r[0] for r in con.execute("select name from model_versions").fetchall()}
        assert {"stg_callrep__runs", "stg_callrep__latest_runs"} <= fingerprinted
        latest = con.execute("select source, run_id from stg_callrep__latest_runs order by 1")
        assert latest.fetchall() == [("plivo", plivo), ("telnyx", telnyx)]


def test_runner_relations_are_not_landing_tables(tmp_path):
    assert not set(RUNNER_RELATIONS) & _landing_relations(tmp_path)
