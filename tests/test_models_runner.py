"""The model runner: discovery, headers, dependency order, materialisation, bookkeeping."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.config import Pricing
from analytics.models import build, is_stale, last_build, marts, models, runs_since_build
from analytics.models.discovery import ModelError, discover, parse

HEADER = """-- {name}
-- purpose: test model
-- grain: one row
-- key: id
-- materialized: {materialized}
"""


def write_model(
    root: Path, layer: str, name: str, body: str, materialized: str = "view", extra: str = ""
) -> None:
    folder = root / layer
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(
        HEADER.format(name=name, materialized=materialized) + extra + body
    )


def test_discovers_every_model_in_dependency_order():
    found = models()
    names = [m.name for m in found]
    assert len(names) == len(set(names))
    position = {n: i for i, n in enumerate(names)}
    for model in found:
        for dep in model.depends_on:
            assert position[dep] < position[model.name], (model.name, dep)
    telnyx = {
        "spam_risk_daily",
        "spam_risk_transitions",
        "spam_risk_weekly",
        "score_drift",
        "remediation_outcomes",
        "remediation_number_outcomes",
    }
    assert telnyx <= {m.name for m in marts()}


def test_header_parsing(tmp_path):
    write_model(
        tmp_path,
        "marts",
        "m1",
        "select 1 as id\n",
        "table",
        "-- columns:\n--   id: the id\n--     continued here\n",
    )
    model = parse(tmp_path / "marts" / "m1.sql", "marts")
    assert model.purpose == "test model"
    assert model.key == ("id",)
    assert model.columns == (("id", "the id continued here"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- wrong\n", "first line"),
        (
            "-- m2\n-- purpose: x\n-- grain: g\n-- key: k\n-- materialized: snapshot\n",
            "materialized",
        ),
        ("-- m2\n-- purpose: x\n-- grain: g\n-- key: k\n", "materialized"),
        (
            "-- m2\n-- purpose: x\n-- grain: g\n-- key: k\n-- materialized: incremental\n",
            "incremental_on",
        ),
    ],
)
def test_bad_headers_name_the_file(tmp_path, text, message):
    (tmp_path / "m2.sql").write_text(text + "select 1\n")
    with pytest.raises(ModelError, match=message):
        parse(tmp_path / "m2.sql", "staging")


def test_cycles_are_refused(tmp_path):
    write_model(tmp_path, "staging", "aa", "select * from bb\n")
    write_model(tmp_path, "staging", "bb", "select * from aa\n")
    with pytest.raises(ModelError, match="cycle"):
        discover(tmp_path)


def test_names_in_comments_and_strings_are_not_dependencies(tmp_path):
    write_model(tmp_path, "staging", "aa", "select 1 as id\n")
    write_model(tmp_path, "staging", "bb", "\n-- aa is mentioned here\nselect 'aa' as id\n")
    assert {m.name: m.depends_on for m in discover(tmp_path)}["bb"] == ()


def test_settings_relation_comes_from_pricing(con, build_models, rows):
    build_models(Pricing(telnyx_check_usd=0.25, plivo_billing_anchor="anniversary"))
    (got,) = rows("select * from callrep_settings")
    assert got["telnyx_check_usd"] == 0.25
    assert got["plivo_billing_anchor"] == "anniversary"
    assert got["projection_months"] == 3


def test_build_is_recorded_and_staleness_follows_new_runs(con, landing, build_models):
    assert last_build(con) is None and is_stale(con)
    landing.telnyx_risks(landing.run("2026-03-02T06:00:00"), {"+12025550101": "low"})
    report = build_models()
    assert report.full and not is_stale(con)
    assert last_build(con).run_id == 1  # type: ignore[union-attr]
    landing.run("2026-03-03T06:00:00", status="failed")
    assert not is_stale(con)  # failed runs do not count
    landing.telnyx_risks(landing.run("2026-03-03T07:00:00"), {"+12025550101": "high"})
    assert runs_since_build(con) == 1 and is_stale(con)
    report = build_models()
    assert not report.full
    assert {m.name: m.mode for m in report.models}["spam_risk_daily"] == "incremental"
    assert not is_stale(con)


def test_changed_models_make_the_marts_stale(con, landing, build_models):
    landing.telnyx_risks(landing.run("2026-03-02T06:00:00"), {"+12025550101": "low"})
    build_models()
    assert not is_stale(con)
    # what an upgraded callrep looks like: a model whose SQL differs from the one built
    con.execute("update model_versions set sql_sha256 = 'old' where name = 'number_overview'")
    assert is_stale(con)
    build_models()
    assert not is_stale(con)


def test_a_changed_incremental_model_forces_a_full_build(con, landing, build_models, tmp_path):
    landing.telnyx_risks(landing.run("2026-03-02T06:00:00"), {"+12025550101": "low"})
    build_models()
    con.execute(
        "update model_versions set sql_sha256 = 'old' where name = 'int_telnyx_number_days'"
    )
    assert build(con, Pricing()).full


def test_a_failing_model_names_itself(con, tmp_path):
    write_model(tmp_path, "staging", "broken", "select * from no_such_table\n")
    with pytest.raises(Exception, match="no_such_table"):
        build(con, Pricing(), models=discover(tmp_path))


def test_unchanged_views_are_kept_and_a_changed_materialization_replaces_the_relation(
    con, tmp_path
):
    write_model(tmp_path, "staging", "aa", "select 1 as id\n")
    write_model(tmp_path, "intermediate", "bb", "select id from aa\n", materialized="table")
    build(con, Pricing(), models=discover(tmp_path))
    report = build(con, Pricing(), models=discover(tmp_path))
    assert {m.name: m.mode for m in report.models} == {"aa": "kept", "bb": "table"}
    # an upgrade that turns the table into a view, and later back into a table
    write_model(tmp_path, "intermediate", "bb", "select id + 1 as id from aa\n")
    assert build(con, Pricing(), models=discover(tmp_path)).models[1].mode == "view"
    assert con.execute("select id from bb").fetchall() == [(2,)]
    write_model(
        tmp_path, "intermediate", "bb", "select id + 2 as id from aa\n", materialized="table"
    )
    assert build(con, Pricing(), models=discover(tmp_path)).models[1].mode == "table"
    assert con.execute("select id from bb").fetchall() == [(3,)]
    kinds = con.execute(
        "select table_name, 'table' from duckdb_tables() where table_name = 'bb' union all "
        "select view_name, 'view' from duckdb_views() where view_name in ('aa', 'bb')"
    ).fetchall()
    assert sorted(kinds) == [("aa", "view"), ("bb", "table")]
