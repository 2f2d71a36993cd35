"""number_overview: one row per number across Telnyx and Plivo, with the flags a user acts on."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from analytics.collectors.telnyx_records import phone_key
from analytics.config import Pricing
from analytics.simulator.synth import synthesize
from tests.test_models_cost import assert_telnyx_cost_data_tests
from tests.test_models_plivo import (
    add_number,
    add_profile,
    add_run,
    assert_plivo_data_tests,
    build,
    rows,
    ts,
)


def telnyx_number(
    con,
    run_id: int,
    number: str,
    *,
    enterprise_id: str = "ent-1",
    risk: str | None = "low",
    refreshed: str | None = "2026-06-09 00:00",
    score: int = 50,
) -> None:
    con.execute(
        """
        insert into telnyx_number_snapshots (run_id, collected_at, enterprise_id, phone_number,
            phone_key, has_reputation_data, spam_risk, maturity_score, connection_score,
            engagement_score, sentiment_score, last_refreshed_at)
        select run_id, collected_at, ?, ?, ?, true, ?, ?, ?, ?, ?, ?
        from collection_runs where run_id = ?
        """,
        [
            enterprise_id,
            number,
            phone_key(number),
            risk,
            score,
            score + 1,
            score + 2,
            score + 3,
            ts(refreshed) if refreshed else None,
            run_id,
        ],
    )


def caller_id(con, run_id: int, number: str) -> None:
    con.execute(
        """
        insert into plivo_verified_caller_ids (run_id, collected_at, phone_number)
        select run_id, collected_at, ? from collection_runs where run_id = ?
        """,
        [number, run_id],
    )


def overview(con) -> dict[str, dict]:
    return {r["phone_number"]: r for r in rows(con, "from number_overview")}


@pytest.fixture
def both_providers(con) -> duckdb.DuckDBPyConnection:
    old = add_run(con, "2026-06-01 10:00", source="telnyx")
    telnyx_number(con, old, "+14155550009", risk="high")  # not in the latest Telnyx run
    telnyx = add_run(con, "2026-06-10 10:00", source="telnyx")
    add_run(con, "2026-06-11 10:00", source="telnyx", status="failed")
    telnyx_number(con, telnyx, "+14155550001", risk="high", refreshed="2026-06-09 00:00")
    telnyx_number(con, telnyx, "+14155550002", risk="high", refreshed="2026-06-03 10:00")
    telnyx_number(con, telnyx, "+14155550003", risk="HIGH", refreshed="2026-06-03 09:59")
    telnyx_number(con, telnyx, "+14155550004", risk=None, refreshed=None)
    telnyx_number(
        con, telnyx, "+14155550005", enterprise_id="ent-2", refreshed="2026-06-08 00:00", score=20
    )
    telnyx_number(con, telnyx, "+14155550005", enterprise_id="ent-1", refreshed="2026-06-01 00:00")
    plivo = add_run(con, "2026-06-10 12:00")
    add_profile(con, plivo, "p1", "12-3456789")
    add_number(con, plivo, "+14155550001", att="ACTIVE", tmobile="FAILED")
    add_number(con, plivo, "+14155550002", att="PENDING", tmobile="PENDING")
    add_number(con, plivo, "+14155550007", att="ACTIVE", tmobile="ACTIVE")
    caller_id(con, plivo, "+14155550008")
    caller_id(con, plivo, "14155550001")  # also a Plivo number, without the +
    build(con)
    return con


def test_one_row_per_number_across_providers(both_providers):
    found = overview(both_providers)
    assert sorted(found) == [f"+1415555000{i}" for i in (1, 2, 3, 4, 5, 7, 8)]
    first = found["+14155550001"]
    assert (first["telnyx_enterprise_id"], first["spam_risk"], first["ein"]) == (
        "ent-1",
        "high",
        "123456789",
    )
    assert (first["plivo_merged_status"], first["att_status"], first["tmobile_status"]) == (
        "ACTIVE",
        "ACTIVE",
        "FAILED",
    )
    assert (first["in_telnyx"], first["in_plivo"], first["is_verified_caller_id"]) == (
        True,
        True,
        True,
    )


def test_spam_risk_outside_the_contract_is_unknown(both_providers):
    found = overview(both_providers)
    assert found["+14155550003"]["spam_risk"] == "unknown"
    assert found["+14155550004"]["spam_risk"] == "unknown"
    assert found["+14155550007"]["spam_risk"] is None  # Telnyx does not monitor it


def test_a_number_monitored_by_two_enterprises_shows_the_freshest(both_providers):
    row = overview(both_providers)["+14155550005"]
    assert (row["telnyx_enterprise_id"], row["telnyx_enterprises"], row["maturity_score"]) == (
        "ent-2",
        2,
        20,
    )


def test_registered_but_high(both_providers):
    flagged = {n for n, r in overview(both_providers).items() if r["registered_but_high"]}
    assert flagged == {"+14155550001"}  # 0002 is high but only PENDING


def test_not_monitored(both_providers):
    flagged = {n for n, r in overview(both_providers).items() if r["not_monitored"]}
    assert flagged == {"+14155550007", "+14155550008"}


def test_stale_is_more_than_7_days_before_the_latest_telnyx_collection(both_providers):
    flagged = {n for n, r in overview(both_providers).items() if r["stale"]}
    # latest Telnyx collection 2026-06-10 10:00: 0002 refreshed exactly 7 days before is not stale
    assert flagged == {"+14155550003", "+14155550004"}


def test_overview_data_tests(both_providers):
    db = both_providers
    assert (
        db.execute(
            "select phone_number from number_overview group by 1 having count(*) > 1"
        ).fetchall()
        == []
    )
    assert (
        db.execute(
            """
        select * from number_overview
        where phone_number is null
           or registered_but_high is null or not_monitored is null or stale is null
           or spam_risk not in ('low', 'medium', 'high', 'unknown')
           or (in_telnyx and not_monitored)
           or not (in_telnyx or in_plivo or is_verified_caller_id)
        """
        ).fetchall()
        == []
    )


def test_empty_database_builds_empty_marts(con):
    build(con)
    for mart in (
        "number_overview",
        "plivo_carrier_status",
        "plivo_ein_registrations",
        "plivo_ein_cost_monthly",
        "telnyx_cost_monthly",
        "telnyx_cost_what_if",
    ):
        assert con.execute(f"select count(*) from {mart}").fetchone() == (0,), mart


def test_same_data_same_marts(both_providers):
    db = both_providers
    before = db.execute("select * from number_overview order by phone_number").fetchall()
    build(db)
    assert db.execute("select * from number_overview order by phone_number").fetchall() == before


@pytest.mark.parametrize("anchor", ["calendar", "anniversary"])
def test_data_tests_on_a_synthetic_history(anchor):
    db = duckdb.connect()
    synthesize(db, numbers=400, days=45, start=datetime(2026, 10, 20, tzinfo=UTC).date())
    build(db, Pricing(plivo_billing_anchor=anchor))
    assert_plivo_data_tests(db)
    assert_telnyx_cost_data_tests(db)
    counts = db.execute(
        """
        select
            (select count(*) from plivo_carrier_status),
            (select count(*) from telnyx_cost_monthly where kind = 'projected'),
            (select count(*) from number_overview where in_telnyx and in_plivo)
        """
    ).fetchone()
    assert all(counts), counts


def test_overview_weeks_keep_each_week_as_it_was(both_providers):
    """int_number_overview_weeks: each ISO week as its last runs saw it; the mart is the latest."""
    weeks = rows(
        both_providers,
        "select week_start, phone_number, spam_risk, in_plivo from int_number_overview_weeks "
        "where week_start = '2026-06-01'",
    )
    assert weeks == [
        {
            "week_start": datetime(2026, 6, 1).date(),
            "phone_number": "+14155550009",
            "spam_risk": "high",
            "in_plivo": False,
        }
    ]
    columns = ", ".join(overview(both_providers)["+14155550001"])
    latest = rows(
        both_providers,
        f"select {columns} from int_number_overview_weeks "
        "where week_start = '2026-06-08' order by phone_number",
    )
    assert latest == rows(both_providers, "from number_overview order by phone_number")
