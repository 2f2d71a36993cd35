"""Plivo marts: carrier status, EIN registrations and per-EIN cost, on hand-written rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.config import Pricing
from analytics.models import build as build_models
from analytics.models.calendar import holiday_rows, write_holidays
from analytics.store.schema import migrate

# --- helpers -----------------------------------------------------------------------------------


def build(con: duckdb.DuckDBPyConnection, pricing: Pricing | None = None) -> None:
    """Build every model with the shared runner (holidays first, until the runner writes them)."""
    write_holidays(con)
    build_models(con, pricing or Pricing(), full=True)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_run(con, at: str | datetime, *, source: str = "plivo", status: str = "succeeded") -> int:
    when = ts(at) if isinstance(at, str) else at
    row = con.execute(
        "insert into collection_runs (run_id, source, account, started_at, collected_at, status) "
        "select coalesce(max(run_id), 0) + 1, ?, 'default', ?, ?, ? from collection_runs "
        "returning run_id",
        [source, when, when, status],
    ).fetchone()
    return int(row[0])


def add_number(
    con,
    run_id: int,
    number: str,
    profile_uuid: str | None = "p1",
    *,
    enabled: bool = True,
    att: str | None = "ACTIVE",
    tmobile: str | None = "ACTIVE",
    merged: str | None = None,
    att_updated: str | None = None,
    tmobile_updated: str | None = None,
) -> None:
    if merged is None:
        ranked = [s for s in ("ACTIVE", "PENDING", "FAILED") if s in (att, tmobile)]
        merged = ranked[0] if ranked else "NOT_ENROLLED"
    con.execute(
        """
        insert into plivo_number_snapshots (run_id, collected_at, number, profile_uuid,
            caller_reputation, merged_status, att_status, att_updated_at, tmobile_status,
            tmobile_updated_at)
        select run_id, collected_at, ?, ?, ?, ?, ?, ?, ?, ?
        from collection_runs where run_id = ?
        """,
        [
            number,
            profile_uuid,
            "enabled" if enabled else "disabled",
            merged,
            att,
            ts(att_updated) if att_updated else None,
            tmobile,
            ts(tmobile_updated) if tmobile_updated else None,
            run_id,
        ],
    )


def add_profile(con, run_id: int, profile_uuid: str, ein: str | None) -> None:
    con.execute(
        """
        insert into plivo_profile_snapshots (run_id, collected_at, profile_uuid, ein)
        select run_id, collected_at, ?, ? from collection_runs where run_id = ?
        """,
        [profile_uuid, ein, run_id],
    )


def rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def status_of(con, number: str) -> dict:
    found = rows(con, "select * from plivo_carrier_status where phone_number = ?", [number])
    assert len(found) == 1, found
    return found[0]


# --- plivo_carrier_status ----------------------------------------------------------------------


def test_merged_status_hiding_a_carrier_failure(con):
    run = add_run(con, "2026-06-01 12:00")
    add_profile(con, run, "p1", "123456789")
    add_number(con, run, "+14155550001", att="FAILED", tmobile="ACTIVE")
    add_number(con, run, "+14155550002", att="PENDING", tmobile="FAILED")
    add_number(con, run, "+14155550003", att="FAILED", tmobile="FAILED")
    add_number(con, run, "+14155550004", att="ACTIVE", tmobile="ACTIVE")
    add_number(con, run, "+14155550005", att="FAILED", tmobile=None, merged="ACTIVE")
    build(con)
    hidden = {
        r["phone_number"]: r["hidden_failure"] for r in rows(con, "from plivo_carrier_status")
    }
    assert hidden == {
        "+14155550001": True,
        "+14155550002": True,
        "+14155550003": False,  # merged reads FAILED: nothing hidden
        "+14155550004": False,
        "+14155550005": True,
    }


def test_pending_since_prefers_updated_at_then_first_collection_of_the_streak(con):
    r1 = add_run(con, "2026-06-01 12:00")
    add_run(con, "2026-06-02 12:00", status="failed")  # failed runs never count
    r2 = add_run(con, "2026-06-03 12:00")
    r3 = add_run(con, "2026-06-04 12:00")
    add_profile(con, r1, "p1", "123456789")
    # A: PENDING with updated_at -> updated_at
    for run in (r1, r2, r3):
        add_number(con, run, "+14155550001", att="PENDING", att_updated="2026-05-30 08:00")
    # B: NOT_ENROLLED, then PENDING without updated_at -> first collection that saw it PENDING
    add_number(con, r1, "+14155550002", tmobile="NOT_ENROLLED")
    add_number(con, r2, "+14155550002", tmobile="PENDING")
    add_number(con, r3, "+14155550002", tmobile="PENDING")
    # C: PENDING, absent from a collection (released), PENDING again -> the new streak
    add_number(con, r1, "+14155550003", att="PENDING")
    add_number(con, r3, "+14155550003", att="PENDING")
    # D: PENDING, FAILED, PENDING -> the new streak
    add_number(con, r1, "+14155550004", att="PENDING")
    add_number(con, r2, "+14155550004", att="FAILED")
    add_number(con, r3, "+14155550004", att="PENDING")
    build(con)
    assert status_of(con, "+14155550001")["att_pending_since"] == ts("2026-05-30 08:00")
    assert status_of(con, "+14155550001")["tmobile_pending_since"] is None
    assert status_of(con, "+14155550002")["tmobile_pending_since"] == ts("2026-06-03 12:00")
    assert status_of(con, "+14155550003")["att_pending_since"] == ts("2026-06-04 12:00")
    assert status_of(con, "+14155550004")["att_pending_since"] == ts("2026-06-04 12:00")


def test_released_numbers_are_not_in_the_latest_snapshot(con):
    r1 = add_run(con, "2026-06-01 12:00")
    r2 = add_run(con, "2026-06-02 12:00")
    add_number(con, r1, "+14155550001")
    add_number(con, r1, "+14155550002")
    add_number(con, r2, "14155550002")  # without the +: normalised to E.164
    build(con)
    assert [r["phone_number"] for r in rows(con, "from plivo_carrier_status")] == ["+14155550002"]


@pytest.mark.parametrize(
    ("pending_since", "latest", "stuck", "deadline"),
    [
        # Friday + 2 business days = Tuesday, same time (weekend skipped)
        ("2026-11-06 10:00", "2026-11-10 09:59", False, "2026-11-10 10:00"),
        ("2026-11-06 10:00", "2026-11-10 10:01", True, "2026-11-10 10:00"),
        # Thanksgiving (Thu 2026-11-26) and the weekend: Wednesday noon -> Monday noon
        ("2026-11-25 12:00", "2026-11-30 11:00", False, "2026-11-30 12:00"),
        ("2026-11-24 10:00", "2026-11-30 11:00", True, "2026-11-27 10:00"),
        # July 4th 2026 is a Saturday, observed Friday 2026-07-03: Thursday -> Tuesday
        ("2026-07-02 09:00", "2026-07-06 12:00", False, "2026-07-07 09:00"),
        # a start on a day off counts from the next business day: Sat -> end of Tuesday
        ("2026-11-07 10:00", "2026-11-10 23:00", False, "2026-11-11 00:00"),
        ("2026-11-07 10:00", "2026-11-11 00:01", True, "2026-11-11 00:00"),
        # Veterans Day (Wed 2026-11-11): Tuesday -> Friday
        ("2026-11-10 10:00", "2026-11-13 09:00", False, "2026-11-13 10:00"),
        # a start at midnight on a business day ends at the end of the next business day
        ("2026-11-09 00:00", "2026-11-11 12:00", True, "2026-11-11 00:00"),
    ],
)
def test_stuck_pending_counts_us_business_days(con, pending_since, latest, stuck, deadline):
    run = add_run(con, latest)
    add_profile(con, run, "p1", "123456789")
    add_number(con, run, "+14155550001", att="PENDING", att_updated=pending_since, tmobile="ACTIVE")
    build(con)
    row = status_of(con, "+14155550001")
    assert row["pending_deadline"] == ts(deadline)
    assert row["stuck_pending"] is stuck


def test_stuck_pending_uses_the_latest_collection_never_the_wall_clock(con):
    run = add_run(con, "2020-01-02 12:00")
    add_number(con, run, "+14155550001", att="PENDING", tmobile="PENDING")
    build(con)
    row = status_of(con, "+14155550001")
    assert row["att_pending_since"] == ts("2020-01-02 12:00")
    assert row["stuck_pending"] is False


def test_every_run_keeps_the_rules_as_of_its_own_collection(con):
    """int_plivo_carrier_status_runs: each run judged at its own time; the mart is the latest."""
    fri = add_run(con, "2026-11-06 10:00")
    mon = add_run(con, "2026-11-09 10:00")
    wed = add_run(con, "2026-11-11 10:00")
    thu = add_run(con, "2026-11-12 10:00")
    add_profile(con, fri, "p1", "123456789")
    for run in (fri, mon, wed):
        add_number(con, run, "+14155550001", att="PENDING", tmobile="FAILED")
    add_number(con, thu, "+14155550001", att="ACTIVE", tmobile="FAILED")
    build(con)
    got = rows(
        con,
        "select run_id, att_pending_since, pending_deadline, stuck_pending, hidden_failure "
        "from int_plivo_carrier_status_runs order by run_seq",
    )
    start, deadline = ts("2026-11-06 10:00"), ts("2026-11-10 10:00")
    assert got == [
        {
            "run_id": fri,
            "att_pending_since": start,
            "pending_deadline": deadline,
            "stuck_pending": False,
            "hidden_failure": True,
        },
        {
            "run_id": mon,
            "att_pending_since": start,
            "pending_deadline": deadline,
            "stuck_pending": False,
            "hidden_failure": True,
        },
        {
            "run_id": wed,
            "att_pending_since": start,
            "pending_deadline": deadline,
            "stuck_pending": True,
            "hidden_failure": True,
        },
        {
            "run_id": thu,
            "att_pending_since": None,
            "pending_deadline": None,
            "stuck_pending": False,
            "hidden_failure": True,
        },
    ]
    latest = status_of(con, "+14155550001")
    assert latest["att_status"] == "ACTIVE" and latest["stuck_pending"] is False
    # no callback arrived after the latest collection: the mart is that run's rows
    mart = rows(
        con,
        "select * exclude (collected_at, att_callback_status, tmobile_callback_status) "
        "from plivo_carrier_status",
    )
    same = rows(
        con,
        "select * exclude (run_id, run_seq, collected_at, att_pending_deadline, "
        "tmobile_pending_deadline) rename (number as phone_number) "
        "from int_plivo_carrier_status_runs where run_id = ?",
        [thu],
    )
    assert mart == same


def _reference_deadline(start: datetime, off: set[date]) -> datetime:
    """Python reference: walk forward, consuming 48 hours of business-day time."""
    remaining = timedelta(days=2)
    cursor = start
    while True:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), UTC)
        if cursor.weekday() < 5 and cursor.date() not in off:
            if cursor + remaining <= midnight:
                return cursor + remaining
            remaining -= midnight - cursor
        cursor = midnight


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.datetimes(min_value=datetime(2025, 11, 1), max_value=datetime(2027, 1, 31)),
        min_size=1,
        max_size=25,
    )
)
def test_business_day_deadline_matches_a_python_reference(starts):
    db = duckdb.connect()
    migrate(db)
    run = add_run(db, "2027-03-01 00:00")
    for i, start in enumerate(starts):
        add_number(db, run, f"+1415555{i:04d}", att="PENDING", att_updated=start.isoformat())
    build(db)
    off = {day for day, _ in holiday_rows(range(2024, 2029))}
    got = dict(
        db.execute("select phone_number, pending_deadline from plivo_carrier_status").fetchall()
    )
    for i, start in enumerate(starts):
        expected = _reference_deadline(start.replace(tzinfo=UTC), off)
        assert got[f"+1415555{i:04d}"] == expected, start


# --- business key -------------------------------------------------------------------------------


def test_ein_business_key(con):
    run = add_run(con, "2026-06-01 12:00")
    profiles = {
        "p-dash": "12-3456789",
        "p-space": " 12 345 6789",
        "p-odd": "12-34567",
        "p-none": None,
        "p-blank": "  ",
        "p-same": "123456789",
    }
    for i, (uuid, ein) in enumerate(profiles.items()):
        add_profile(con, run, uuid, ein)
        add_number(con, run, f"+1415555000{i}", uuid)
    add_number(con, run, "+14155550099", "p-unknown")
    build(con)
    keys = {
        r["profile_uuid"]: (r["ein"], r["ein_status"])
        for r in rows(con, "from plivo_carrier_status")
    }
    assert keys == {
        "p-dash": ("123456789", "valid"),
        "p-space": ("123456789", "valid"),
        "p-odd": ("12-34567", "odd"),
        "p-none": ("p-none", "missing"),
        "p-blank": ("p-blank", "missing"),
        "p-same": ("123456789", "valid"),
        "p-unknown": ("p-unknown", "no_profile"),
    }
    # two profiles with one EIN are one business: one registration
    regs = rows(con, "select ein, registration_seq from plivo_ein_registrations order by ein")
    assert [r["ein"] for r in regs] == ["12-34567", "123456789", "p-blank", "p-none", "p-unknown"]


# --- plivo_ein_registrations --------------------------------------------------------------------


def _release_and_reenable(con) -> None:
    """EIN 123456789: active, released, re-enabled and active again, all in January 2026."""
    r1 = add_run(con, "2026-01-02 12:00")
    r2 = add_run(con, "2026-01-03 12:00")
    r3 = add_run(con, "2026-01-10 12:00")
    r4 = add_run(con, "2026-01-15 12:00")
    r5 = add_run(con, "2026-01-16 12:00")
    add_profile(con, r1, "p1", "12-3456789")
    add_number(con, r1, "+14155550001", att="PENDING", tmobile="PENDING")
    add_number(
        con, r2, "+14155550001", att="ACTIVE", att_updated="2026-01-03 08:00", tmobile="PENDING"
    )
    # r3: the last number is released
    add_number(con, r4, "+14155550002", att="PENDING", tmobile="PENDING")
    add_number(con, r5, "+14155550002", att="PENDING", tmobile="ACTIVE")  # no updated_at
    _ = r3


def test_release_and_re_enable_in_one_month_is_two_registrations_and_two_charges(con):
    _release_and_reenable(con)
    build(con)
    regs = rows(con, "from plivo_ein_registrations order by registration_seq")
    assert [(r["ein"], r["registration_seq"], r["approved_at"], r["ended_at"]) for r in regs] == [
        ("123456789", 1, ts("2026-01-03 08:00"), ts("2026-01-10 12:00")),
        ("123456789", 2, ts("2026-01-16 12:00"), None),
    ]
    assert [r["is_live"] for r in regs] == [False, True]
    cost = rows(con, "from plivo_ein_cost_monthly where kind = 'observed'")
    assert [(r["month"], r["registrations_charged"], r["charge_usd"]) for r in cost] == [
        (date(2026, 1, 1), 2, 24.0)
    ]


def test_disabled_numbers_end_a_registration_and_failed_carriers_do_not(con):
    r1 = add_run(con, "2026-03-02 12:00")
    r2 = add_run(con, "2026-03-03 12:00")
    r3 = add_run(con, "2026-03-04 12:00")
    add_number(con, r1, "+14155550001", "p1", att="ACTIVE", tmobile="ACTIVE")
    add_number(con, r2, "+14155550001", "p1", att="FAILED", tmobile="FAILED")  # still enabled
    add_number(con, r3, "+14155550001", "p1", enabled=False, att=None, tmobile=None)
    build(con)
    regs = rows(con, "from plivo_ein_registrations")
    assert [(r["ein"], r["approved_at"], r["ended_at"]) for r in regs] == [
        ("p1", ts("2026-03-02 12:00"), ts("2026-03-04 12:00"))
    ]


def test_approval_is_never_before_the_previous_collection_that_saw_no_active_carrier(con):
    r1 = add_run(con, "2026-03-02 12:00")
    r2 = add_run(con, "2026-03-03 12:00")
    add_number(con, r1, "+14155550001", "p1", att="PENDING", tmobile="PENDING")
    # an updated_at earlier than a collection that saw PENDING is clamped to that collection
    add_number(con, r2, "+14155550001", "p1", att="ACTIVE", att_updated="2026-02-01 00:00")
    build(con)
    assert rows(con, "select approved_at from plivo_ein_registrations") == [
        {"approved_at": ts("2026-03-02 12:00")}
    ]


def test_a_business_never_active_is_never_registered(con):
    r1 = add_run(con, "2026-03-02 12:00")
    add_number(con, r1, "+14155550001", "p1", att="PENDING", tmobile="FAILED")
    build(con)
    assert rows(con, "from plivo_ein_registrations") == []


# --- plivo_ein_cost_monthly ---------------------------------------------------------------------


def _ended_mid_march(con) -> None:
    """Approved 2026-01-20 10:00, last number released (seen gone 2026-03-10); latest run April."""
    r1 = add_run(con, "2026-01-20 12:00")
    r2 = add_run(con, "2026-03-09 12:00")
    add_run(con, "2026-03-10 12:00")
    add_profile(con, r1, "p1", "123456789")
    add_number(con, r1, "+14155550001", att="ACTIVE", att_updated="2026-01-20 10:00")
    add_number(con, r2, "+14155550001", att="ACTIVE", att_updated="2026-01-20 10:00")
    add_run(con, "2026-04-02 12:00")


def _charges(con, kind: str = "observed") -> dict[date, int]:
    found = rows(con, "from plivo_ein_cost_monthly where kind = ? order by month", [kind])
    return {r["month"]: r["registrations_charged"] for r in found}


def test_calendar_anchor_charges_the_approval_month_then_every_first(con):
    _ended_mid_march(con)
    build(con, Pricing(plivo_billing_anchor="calendar"))
    assert _charges(con) == {
        date(2026, 1, 1): 1,
        date(2026, 2, 1): 1,
        date(2026, 3, 1): 1,  # live on March 1st, nothing refunded on the 10th
        date(2026, 4, 1): 0,
    }
    assert set(_charges(con, "projected").values()) == {0}


def test_anniversary_anchor_charges_on_the_approval_day(con):
    _ended_mid_march(con)
    build(con, Pricing(plivo_billing_anchor="anniversary"))
    assert _charges(con) == {
        date(2026, 1, 1): 1,
        date(2026, 2, 1): 1,  # Feb 20th
        date(2026, 3, 1): 0,  # ended on the 10th, before the 20th
        date(2026, 4, 1): 0,
    }
    anchors = {r["billing_anchor"] for r in rows(con, "from plivo_ein_cost_monthly")}
    assert anchors == {"anniversary"}


def test_anniversary_on_the_31st_is_charged_in_short_months(con):
    r1 = add_run(con, "2026-01-31 12:00")
    add_number(con, r1, "+14155550001", "p1", att="ACTIVE", att_updated="2026-01-31 10:00")
    r2 = add_run(con, "2026-04-05 12:00")
    add_number(con, r2, "+14155550001", "p1", att="ACTIVE", att_updated="2026-01-31 10:00")
    build(con, Pricing(plivo_billing_anchor="anniversary"))
    assert _charges(con) == {date(2026, m, 1): 1 for m in (1, 2, 3, 4)}


def test_projection_of_live_and_pending_businesses(con):
    run = add_run(con, "2026-05-14 12:00")
    add_profile(con, run, "p-live", "111111111")
    add_profile(con, run, "p-pending", "222222222")
    add_profile(con, run, "p-failed", "333333333")
    add_number(con, run, "+14155550001", "p-live", att="ACTIVE", tmobile="PENDING")
    add_number(con, run, "+14155550002", "p-pending", att="PENDING", tmobile="PENDING")
    add_number(con, run, "+14155550003", "p-pending", att="PENDING", tmobile="FAILED")
    add_number(con, run, "+14155550004", "p-failed", att="FAILED", tmobile="FAILED")
    build(con, Pricing(projection_months=2))
    found = rows(con, "from plivo_ein_cost_monthly order by ein, kind, month")
    got = [
        (r["ein"], r["month"], r["kind"], r["charge_usd"], r["charge_usd_if_pending_approved"])
        for r in found
    ]
    assert got == [
        ("111111111", date(2026, 5, 1), "observed", 12.0, None),
        ("111111111", date(2026, 6, 1), "projected", 12.0, 12.0),
        ("111111111", date(2026, 7, 1), "projected", 12.0, 12.0),
        ("222222222", date(2026, 6, 1), "projected", 0.0, 12.0),
        ("222222222", date(2026, 7, 1), "projected", 0.0, 12.0),
    ]


def test_prices_come_from_the_settings(con):
    _release_and_reenable(con)
    build(con, Pricing(plivo_business_usd=15.5, projection_months=1))
    assert rows(
        con, "select month, kind, charge_usd from plivo_ein_cost_monthly order by month"
    ) == [
        {"month": date(2026, 1, 1), "kind": "observed", "charge_usd": 31.0},
        {"month": date(2026, 2, 1), "kind": "projected", "charge_usd": 15.5},
    ]


# --- data tests on random histories -------------------------------------------------------------

_STATUS = st.sampled_from(["ACTIVE", "PENDING", "FAILED", "NOT_ENROLLED", None, "WEIRD"])
_NUMBER_STATE = st.one_of(
    st.none(),  # absent: released
    st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.booleans(), _STATUS, _STATUS),
)


@settings(max_examples=10, deadline=None)
@given(
    history=st.lists(st.lists(_NUMBER_STATE, min_size=4, max_size=4), min_size=1, max_size=8),
    gaps=st.lists(st.integers(min_value=1, max_value=20), min_size=8, max_size=8),
    anchor=st.sampled_from(["calendar", "anniversary"]),
)
def test_invariants_on_random_histories(history, gaps, anchor):
    db = duckdb.connect()
    migrate(db)
    when = ts("2026-01-05 12:00")
    for run_states, gap in zip(history, gaps, strict=False):
        run = add_run(db, when)
        add_profile(db, run, "p1", "12-3456789")
        add_profile(db, run, "p2", "12-3456789")  # same business as p1
        add_profile(db, run, "p3", "odd")
        for i, state in enumerate(run_states):
            if state is not None:
                profile, enabled, att, tmobile = state
                add_number(
                    db, run, f"+1415555000{i}", profile, enabled=enabled, att=att, tmobile=tmobile
                )
        when += timedelta(days=gap, hours=gap)
    build(db, Pricing(plivo_billing_anchor=anchor))
    assert_plivo_data_tests(db)


def assert_plivo_data_tests(db: duckdb.DuckDBPyConnection, unit: float = 12.0) -> None:
    def none(sql: str) -> None:
        assert db.execute(sql).fetchall() == [], sql

    # keys unique and not null
    none("select phone_number from plivo_carrier_status group by phone_number having count(*) > 1")
    none("select * from plivo_carrier_status where phone_number is null")
    none(
        "select ein, registration_seq from plivo_ein_registrations group by all having count(*) > 1"
    )
    none("select * from plivo_ein_registrations where ein is null or registration_seq is null")
    none("select ein, month, kind from plivo_ein_cost_monthly group by all having count(*) > 1")
    none("select * from plivo_ein_cost_monthly where ein is null or month is null or kind is null")
    # enums and booleans
    none("select * from plivo_carrier_status where hidden_failure is null or stuck_pending is null")
    # a decided carrier always has a decision time, an undecided one only from a later callback
    for carrier in ("att", "tmobile"):
        none(
            f"""
            select * from plivo_carrier_status
            where coalesce({carrier}_status in ('ACTIVE', 'FAILED'), false) is distinct from
                ({carrier}_decided_at is not null and {carrier}_callback_status is null)
                or {carrier}_callback_contradicted is null
            """
        )
    none(
        """
        select * from plivo_carrier_status
        where ein_status not in ('valid', 'odd', 'missing', 'no_profile')
        """
    )
    none("select * from plivo_ein_cost_monthly where kind not in ('observed', 'projected')")
    none(
        """
        select * from plivo_ein_cost_monthly
        where billing_anchor not in ('calendar', 'anniversary')
        """
    )
    # registrations: in order, never overlapping, approved before they end
    none("select * from plivo_ein_registrations where approved_at >= ended_at")
    none(
        """
        select * from (
            select *, lag(ended_at) over (partition by ein order by registration_seq) as prev_end
            from plivo_ein_registrations
        ) where prev_end is null and registration_seq > 1 or approved_at < prev_end
        """
    )
    none("select ein from plivo_ein_registrations where is_live group by ein having count(*) > 1")
    # costs are multiples of the unit price, and projections add pending businesses only
    none(f"select * from plivo_ein_cost_monthly where charge_usd <> registrations_charged * {unit}")
    none(
        f"""
        select * from plivo_ein_cost_monthly
        where (kind = 'observed' and charge_usd_if_pending_approved is not null)
           or (
               kind = 'projected'
               and charge_usd_if_pending_approved - charge_usd not in (0, {unit})
           )
        """
    )
    # no EIN charged twice for one registration in one month: charges <= registrations
    # overlapping the month
    none(
        """
        select c.ein, c.month
        from plivo_ein_cost_monthly as c
        left join plivo_ein_registrations as r
            on r.ein = c.ein
            and date_trunc('month', timezone('UTC', r.approved_at)) <= c.month
            and (r.ended_at is null or date_trunc('month', timezone('UTC', r.ended_at)) >= c.month)
        where c.kind = 'observed'
        group by c.ein, c.month, c.registrations_charged
        having c.registrations_charged > count(r.ein)
        """
    )
