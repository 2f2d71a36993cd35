"""The remediation models built day by day equal one full build, and the self-reading
``int_remediation_numbers`` is emptied whenever its previous rows cannot be trusted.

``int_remediation_numbers`` reads its own previous rows and recomputes only what new runs
touched (see its header); a build from scratch is the reference for every remediation model.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.config import Pricing
from analytics.models import build
from analytics.models.discovery import discover
from analytics.simulator.synth import synthesize
from analytics.store.schema import migrate

SMALL = {"numbers": 120, "seed": 3, "start": date(2026, 1, 5), "enterprises": 2}
DAYS = 36
REMEDIATION = [m.name for m in discover() if "remediation" in m.name]
NUMBERS = "int_remediation_numbers"
A = "+12025550101"
START = datetime(2026, 3, 2)  # a Monday


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every remediation model's rows, sorted (float columns rounded)."""
    out = {}
    for name in REMEDIATION:
        rows = con.execute(f"select * from {name}").fetchall()
        rounded = [tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows]
        out[name] = sorted(rounded, key=repr)
    return out


def full_rebuild(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    build(con, Pricing(), full=True)
    return snapshot(con)


def test_the_self_reading_model_documents_its_real_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "cols.duckdb"))
    migrate(con)
    build(con, Pricing())
    model = next(m for m in discover() if m.name == NUMBERS)
    assert model.reads_itself
    real = [d[0] for d in con.execute(f"select * from {NUMBERS} limit 0").description]
    assert [name for name, _ in model.columns] == real


@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    builds=st.sets(st.integers(min_value=11, max_value=DAYS - 1), min_size=3, max_size=7),
    late=st.integers(min_value=12, max_value=DAYS - 2),
)
def test_day_by_day_builds_equal_a_full_build(tmp_path_factory, builds, late):
    """Builds after some of the days (a few days may land between builds), and a second run
    of an already built day landing late, give the rows of one build from scratch."""
    con = duckdb.connect(str(tmp_path_factory.mktemp("rem") / "inc.duckdb"))
    migrate(con)
    synthesize(con, days=10, **SMALL)
    assert build(con, Pricing()).full
    for day in range(10, DAYS):
        synthesize(con, days=1, days_from=day, **SMALL)
        if day == late:
            build(con, Pricing())
            # the same day collected again, later and with other data
            synthesize(con, days=1, days_from=day, **{**SMALL, "seed": 4})
        if day in builds:
            report = build(con, Pricing())
            assert not report.full
            modes = {m.name: m.mode for m in report.models}
            assert modes[NUMBERS] == "incremental"
    build(con, Pricing())
    incremental = snapshot(con)
    assert incremental[NUMBERS], "the synthetic history should hold remediation requests"
    assert incremental == full_rebuild(con)
    con.close()


def at(day: int, hour: int) -> datetime:
    return START + timedelta(days=day, hours=hour)


def test_a_late_run_recomputes_a_request_from_the_history(con, landing, build_models, rows):
    """A run collected late on an already built day, before a request created after it: the
    request's last observation before it is the late run's, found in the whole history."""
    for day in range(3):
        landing.telnyx_risks(landing.run(at(day, 14)), {A: "low"}, last_refreshed_at=at(day, 6))
    created = landing.run(at(3, 2))
    landing.remediation_request("req-1", created, created_at=at(3, 2), tier2_completed_at=at(3, 3))
    landing.remediation_results("req-1", created, {"remediated": [A]})
    build_models()
    before = rows(f"select risk_before, observed_before_at from {NUMBERS}")
    assert [(r["risk_before"], r["observed_before_at"].hour) for r in before] == [("low", 14)]
    landing.telnyx_risks(landing.run(at(2, 20)), {A: "high"}, last_refreshed_at=at(2, 19))
    for day in range(3, 6):
        landing.telnyx_risks(landing.run(at(day, 14)), {A: "low"}, last_refreshed_at=at(day, 6))
    report = build_models()
    assert {m.name: m.mode for m in report.models}[NUMBERS] == "incremental"
    after = rows(f"select risk_before, observed_before_at, risk_after from {NUMBERS}")
    assert [(r["risk_before"], r["observed_before_at"].hour) for r in after] == [("high", 20)]
    assert after[0]["risk_after"] == "low"
    incremental = snapshot(con)
    assert incremental == full_rebuild(con)


def _count(con: duckdb.DuckDBPyConnection, where: str) -> int:
    row = con.execute(f"select count(*) from {NUMBERS} where {where}").fetchone()
    return int(row[0]) if row else 0


def _tampered(con: duckdb.DuckDBPyConnection) -> int:
    """Set a wrong, old risk_after on every previous row (which an increment keeps as is)."""
    con.execute(f"update {NUMBERS} set risk_after = 'tampered'")
    return _count(con, "risk_after = 'tampered'")


def _collect(con: duckdb.DuckDBPyConnection, days: range) -> None:
    for day in days:
        synthesize(con, days=1, days_from=day, **SMALL)


def test_an_increment_keeps_previous_rows_and_a_full_build_empties_them(tmp_path):
    con = duckdb.connect(str(tmp_path / "full.duckdb"))
    migrate(con)
    synthesize(con, days=30, **SMALL)
    build(con, Pricing())
    settled = _count(con, "observed_after_at is not null")
    assert settled and _tampered(con)
    _collect(con, range(30, 31))
    build(con, Pricing())
    assert _count(con, "risk_after = 'tampered'") > 0, "an increment reads its previous rows"
    report = build(con, Pricing(), full=True)
    assert {m.name: m.mode for m in report.models}[NUMBERS] == "full"
    assert _count(con, "risk_after = 'tampered'") == 0
    con.close()


def test_a_changed_definition_empties_the_self_reading_table(tmp_path):
    con = duckdb.connect(str(tmp_path / "changed.duckdb"))
    migrate(con)
    synthesize(con, days=30, **SMALL)
    build(con, Pricing())
    expected = snapshot(con)
    assert _tampered(con)
    _collect(con, range(30, 31))
    changed = [
        dataclasses.replace(m, sql=m.sql + "\n-- a new version\n") if m.name == NUMBERS else m
        for m in discover()
    ]
    report = build(con, Pricing(), models=changed)
    assert not report.full
    assert {m.name: m.mode for m in report.models}[NUMBERS] == "full"
    assert _count(con, "risk_after = 'tampered'") == 0
    assert snapshot(con) == full_rebuild(con)
    assert expected[NUMBERS]


def test_a_changed_dependency_empties_the_self_reading_table(tmp_path):
    con = duckdb.connect(str(tmp_path / "dep.duckdb"))
    migrate(con)
    synthesize(con, days=30, **SMALL)
    build(con, Pricing())
    assert _tampered(con)
    changed = [
        dataclasses.replace(m, sql=m.sql + "\n-- a new version\n")
        if m.name == "stg_telnyx__remediation_results"
        else m
        for m in discover()
    ]
    report = build(con, Pricing(), models=changed)
    assert {m.name: m.mode for m in report.models}[NUMBERS] == "full"
    assert _count(con, "risk_after = 'tampered'") == 0


def test_the_risk_before_a_request_may_be_weeks_old(con, landing, build_models, rows):
    """A number not observed in the 7 days before its request: its last observation before
    it is found in the rest of its history, on a first build and on a later one."""
    landing.telnyx_risks(landing.run(at(0, 14)), {A: "high"}, last_refreshed_at=at(0, 6))
    landing.telnyx_risks(landing.run(at(1, 14)), {A: "medium"}, last_refreshed_at=at(1, 6))
    build_models()
    created = landing.run(at(12, 2))
    landing.remediation_request(
        "req-1", created, created_at=at(12, 2), tier2_completed_at=at(12, 3)
    )
    landing.remediation_results("req-1", created, {"remediated": [A]})
    landing.telnyx_risks(landing.run(at(13, 14)), {A: "low"}, last_refreshed_at=at(13, 6))
    build_models()
    found = rows(f"select risk_before, observed_before_at, risk_after from {NUMBERS}")
    assert [(r["risk_before"], r["observed_before_at"]) for r in found] == [
        ("medium", at(1, 14).replace(tzinfo=found[0]["observed_before_at"].tzinfo))
    ]
    assert found[0]["risk_after"] == "low"
    incremental = snapshot(con)
    assert incremental == full_rebuild(con)
