"""Telnyx cost marts: telnyx_cost_monthly and telnyx_cost_what_if, on hand-written rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.config import Pricing
from tests.test_models_plivo import build, rows

FREQUENCIES = {"business_daily", "daily", "weekly", "biweekly", "monthly", "never"}


def telnyx_run(con, at: datetime, *, status: str = "succeeded") -> int:
    row = con.execute(
        "insert into collection_runs (run_id, source, account, started_at, collected_at, status) "
        "select coalesce(max(run_id), 0) + 1, 'telnyx', 'default', ?, ?, ? from collection_runs "
        "returning run_id",
        [at, at, status],
    ).fetchone()
    return int(row[0])


def enterprise(
    con,
    run_id: int,
    enterprise_id: str,
    *,
    frequency: str | None,
    status: str = "approved",
    numbers: int = 0,
) -> None:
    con.execute(
        """
        insert into telnyx_enterprise_snapshots (run_id, collected_at, enterprise_id,
            reputation_enabled, status, check_frequency)
        select run_id, collected_at, ?, true, ?, ? from collection_runs where run_id = ?
        """,
        [enterprise_id, status, frequency, run_id],
    )
    con.execute(
        """
        insert into telnyx_number_snapshots (run_id, collected_at, enterprise_id, phone_number,
            phone_key, has_reputation_data)
        select run_id, collected_at, ?, printf('+1415%07d', i), 14150000000 + i, true
        from collection_runs, range(?) as t(i) where run_id = ?
        """,
        [enterprise_id, numbers, run_id],
    )


def remediation(
    con, request_id: str, enterprise_id: str, created_at: datetime, submitted: int
) -> None:
    con.execute(
        """
        insert into telnyx_remediation_requests (request_id, enterprise_id, status, created_at,
            phone_numbers_count, phone_numbers_submitted, has_results, last_seen_run_id,
            collected_at, account)
        values (?, ?, 'pending', ?, ?, ?, false, 1, ?, 'default')
        """,
        [request_id, enterprise_id, created_at, submitted + 1, submitted, created_at],
    )


def daily(con, first: date, last: date, enterprise_id: str = "ent-1", **kwargs) -> None:
    """One successful run at 06:00 UTC each day from first to last."""
    day = first
    while day <= last:
        run = telnyx_run(con, datetime(day.year, day.month, day.day, 6, tzinfo=UTC))
        enterprise(con, run, enterprise_id, **kwargs)
        day += timedelta(days=1)


def monthly(con, kind: str = "observed", enterprise_id: str = "ent-1") -> dict[date, dict]:
    found = rows(
        con,
        "from telnyx_cost_monthly where kind = ? and enterprise_id = ? order by month",
        [kind, enterprise_id],
    )
    return {r["month"]: r for r in found}


def test_weekly_refresh_counts_one_check_per_number_each_monday(con):
    daily(con, date(2026, 3, 1), date(2026, 3, 31), frequency="weekly", numbers=10)
    build(con)
    march = monthly(con)[date(2026, 3, 1)]
    # Mondays of March 2026: the 2nd, 9th, 16th, 23rd and 30th
    assert (march["checks"], march["checks_usd"], march["base_usd"]) == (50, 5.0, 100.0)
    assert (march["days"], march["monitored_numbers"], march["check_frequency"]) == (
        31,
        10,
        "weekly",
    )
    assert march["total_usd"] == 105.0


@pytest.mark.parametrize(
    ("frequency", "checks"),
    [
        ("business_daily", 22),
        ("daily", 31),
        ("weekly", 5),
        ("biweekly", 3),
        ("monthly", 1),
        ("never", 0),
    ],
)
def test_checks_per_frequency_in_a_fully_observed_month(con, frequency, checks):
    daily(con, date(2026, 3, 1), date(2026, 3, 31), frequency=frequency, numbers=3)
    build(con)
    assert monthly(con)[date(2026, 3, 1)]["checks"] == 3 * checks


def test_days_without_a_run_count_nothing_and_failed_runs_are_ignored(con):
    daily(con, date(2026, 3, 2), date(2026, 3, 4), frequency="daily", numbers=4)  # Mon-Wed
    failed = telnyx_run(con, datetime(2026, 3, 5, 6, tzinfo=UTC), status="failed")
    enterprise(con, failed, "ent-1", frequency="daily", numbers=400)
    # a later run on the same day replaces the day's earlier one
    late = telnyx_run(con, datetime(2026, 3, 4, 20, tzinfo=UTC))
    enterprise(con, late, "ent-1", frequency="daily", numbers=6)
    build(con)
    march = monthly(con)[date(2026, 3, 1)]
    assert (march["days"], march["checks"]) == (3, 4 + 4 + 6)


def test_base_fee_needs_an_approved_status(con):
    daily(con, date(2026, 3, 30), date(2026, 3, 31), frequency="daily", status="pending", numbers=0)
    daily(con, date(2026, 4, 1), date(2026, 4, 2), frequency="daily", numbers=2)
    build(con)
    observed = monthly(con)
    assert observed[date(2026, 3, 1)]["base_usd"] == 0.0
    assert observed[date(2026, 4, 1)]["base_usd"] == 100.0


def test_remediation_is_charged_in_the_month_the_request_was_created(con):
    daily(con, date(2026, 3, 30), date(2026, 4, 2), frequency="never", numbers=1)
    remediation(con, "r-1", "ent-1", datetime(2026, 3, 31, 23, 30, tzinfo=UTC), 7)
    remediation(con, "r-2", "ent-1", datetime(2026, 4, 1, 0, 30, tzinfo=UTC), 2)
    remediation(con, "r-3", "ent-1", datetime(2026, 2, 10, 12, tzinfo=UTC), 5)  # before any run
    build(con)
    observed = monthly(con)
    got = {m: (r["remediation_numbers"], r["remediation_usd"]) for m, r in observed.items()}
    assert got == {
        date(2026, 2, 1): (5, 5.0),
        date(2026, 3, 1): (7, 7.0),
        date(2026, 4, 1): (2, 2.0),
    }
    assert observed[date(2026, 2, 1)]["total_usd"] == 5.0
    assert all(r["remediation_numbers"] == 0 for r in monthly(con, "projected").values())


def test_projection_at_the_current_fleet_and_frequency(con):
    daily(con, date(2026, 3, 30), date(2026, 3, 31), frequency="daily", numbers=1)
    # the latest run (31 March) changes the frequency and the fleet: the projection follows it
    last = telnyx_run(con, datetime(2026, 3, 31, 23, tzinfo=UTC))
    enterprise(con, last, "ent-1", frequency="weekly", numbers=10)
    build(con)
    projected = monthly(con, "projected")
    # Mondays: April 6/13/20/27, May 4/11/18/25, June 1/8/15/22/29
    assert {m: r["checks"] for m, r in projected.items()} == {
        date(2026, 4, 1): 40,
        date(2026, 5, 1): 40,
        date(2026, 6, 1): 50,
    }
    assert {r["base_usd"] for r in projected.values()} == {100.0}
    assert {r["check_frequency"] for r in projected.values()} == {"weekly"}
    assert [r["total_usd"] for r in projected.values()] == [104.0, 104.0, 105.0]


def test_projection_covers_the_rest_of_the_latest_month_without_a_second_base_fee(con):
    daily(con, date(2026, 4, 13), date(2026, 4, 15), frequency="business_daily", numbers=2)
    build(con, Pricing(projection_months=1))
    projected = monthly(con, "projected")
    assert list(projected) == [date(2026, 4, 1), date(2026, 5, 1)]
    rest = projected[date(2026, 4, 1)]
    # 16-30 April: 15 days of which 11 are weekdays
    assert (rest["days"], rest["checks"], rest["base_usd"]) == (15, 22, 0.0)
    assert projected[date(2026, 5, 1)]["checks"] == 2 * 21
    observed = monthly(con)[date(2026, 4, 1)]
    assert (observed["days"], observed["checks"], observed["base_usd"]) == (3, 6, 100.0)


def test_what_if_projects_every_frequency(con):
    daily(con, date(2026, 3, 30), date(2026, 3, 31), frequency="weekly", numbers=10)
    build(con, Pricing(projection_months=1))
    found = rows(con, "from telnyx_cost_what_if order by check_frequency")
    april = {r["check_frequency"]: r for r in found if r["month"] == date(2026, 4, 1)}
    assert set(april) == FREQUENCIES
    assert {f: r["checks"] for f, r in april.items()} == {
        "business_daily": 220,
        "daily": 300,
        "weekly": 40,
        "biweekly": 20,  # every other Monday from 1970-01-05: 13 and 27 April 2026
        "monthly": 10,
        "never": 0,
    }
    assert [f for f, r in april.items() if r["is_current_frequency"]] == ["weekly"]
    assert april["daily"]["difference_usd"] == pytest.approx(26.0)
    assert april["never"]["difference_usd"] == pytest.approx(-4.0)
    assert april["weekly"]["difference_usd"] == 0
    current = monthly(con, "projected")[date(2026, 4, 1)]
    assert current["total_usd"] == april["weekly"]["total_usd"]


def test_an_undocumented_frequency_counts_no_checks_but_keeps_its_rows(con):
    daily(con, date(2026, 3, 30), date(2026, 3, 31), frequency="hourly", numbers=10)
    build(con, Pricing(projection_months=1))
    assert monthly(con)[date(2026, 3, 1)]["checks"] == 0
    projected = monthly(con, "projected")[date(2026, 4, 1)]
    assert (projected["check_frequency"], projected["checks"], projected["base_usd"]) == (
        "hourly",
        0,
        100.0,
    )
    frequencies = {r["check_frequency"] for r in rows(con, "from telnyx_cost_what_if")}
    assert frequencies == FREQUENCIES | {"hourly"}


def test_prices_come_from_the_settings(con):
    daily(con, date(2026, 3, 2), date(2026, 3, 2), frequency="daily", numbers=3)
    remediation(con, "r-1", "ent-1", datetime(2026, 3, 2, 12, tzinfo=UTC), 4)
    build(con, Pricing(telnyx_base_usd=50, telnyx_check_usd=0.25, telnyx_remediation_usd=2))
    march = monthly(con)[date(2026, 3, 1)]
    assert (
        march["base_usd"],
        march["checks_usd"],
        march["remediation_usd"],
        march["total_usd"],
    ) == (
        50.0,
        0.75,
        8.0,
        58.75,
    )


def test_telnyx_cost_data_tests(con):
    for k, frequency in enumerate(sorted(FREQUENCIES)):
        daily(
            con,
            date(2026, 1, 20),
            date(2026, 3, 10),
            f"ent-{k}",
            frequency=frequency,
            numbers=k + 1,
        )
        remediation(con, f"r-{k}", f"ent-{k}", datetime(2026, 2, k + 1, tzinfo=UTC), k)
    build(con)
    assert_telnyx_cost_data_tests(con)


def assert_telnyx_cost_data_tests(db, pricing: Pricing | None = None) -> None:
    pricing = pricing or Pricing()

    def none(sql: str) -> None:
        assert db.execute(sql).fetchall() == [], sql

    none(
        """
        select month, enterprise_id, kind from telnyx_cost_monthly
        group by all having count(*) > 1
        """
    )
    none(
        """
        select * from telnyx_cost_monthly
        where month is null or enterprise_id is null or kind is null
        """
    )
    none("select * from telnyx_cost_monthly where kind not in ('observed', 'projected')")
    none("select * from telnyx_cost_monthly where month <> date_trunc('month', month)")
    none(f"select * from telnyx_cost_monthly where base_usd not in (0, {pricing.telnyx_base_usd})")
    none(
        f"""
        select * from telnyx_cost_monthly
        where abs(checks_usd - checks * {pricing.telnyx_check_usd}) > 1e-6
        """
    )
    none(
        f"""
        select * from telnyx_cost_monthly
        where abs(remediation_usd - remediation_numbers * {pricing.telnyx_remediation_usd}) > 1e-6
        """
    )
    none(
        """
        select * from telnyx_cost_monthly
        where abs(total_usd - base_usd - checks_usd - remediation_usd) > 1e-6
        """
    )
    none(
        "select * from telnyx_cost_monthly where checks < 0 or remediation_numbers < 0 or days < 0"
    )
    none(
        "select month, enterprise_id, check_frequency from telnyx_cost_what_if "
        "group by all having count(*) > 1"
    )
    none(
        "select month, enterprise_id from telnyx_cost_what_if group by all "
        "having count(*) filter (where is_current_frequency) <> 1"
    )
    # the current-frequency what-if rows are exactly the projected rows
    none(
        """
        select month, enterprise_id, total_usd from telnyx_cost_monthly where kind = 'projected'
        except
        select month, enterprise_id, total_usd from telnyx_cost_what_if where is_current_frequency
        """
    )
