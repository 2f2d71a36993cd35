"""Given/expect tests for the remediation marts: fresh data only, durable success, per-number
history, and figures as of each week that never change when later data arrives.

Every fixture collects at 14:00 while the data was refreshed earlier (06:00 daily, or Mondays
06:00 for a weekly-refresh enterprise) and requests complete at 09:00: a snapshot collected
after completion can still hold data refreshed before it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analytics.config import Pricing
from analytics.store.database import connect
from tests.conftest import ts
from tests.test_report_fixtures import report_db

A, B, D, E, F, G, H, R = (f"+1202555010{i}" for i in range(8))
START = datetime(2026, 3, 2)  # a Monday; ISO week 2026-W10


def at(day: int, hour: int) -> datetime:
    """START plus ``day`` days at ``hour`` UTC."""
    return START + timedelta(days=day, hours=hour)


def collect(landing, days: range, risks, *, refreshed=lambda d: at(d, 6)) -> None:
    """One run per day at 14:00; ``risks(day)`` gives {phone: risk}; data refreshed earlier."""
    for d in days:
        run = landing.run(at(d, 14))
        landing.telnyx_risks(run, risks(d), last_refreshed_at=refreshed(d))


def request(landing, request_id: str, created: datetime, completed: datetime | None, buckets):
    """A request with results (or an in-flight one when ``completed`` is None)."""
    run = landing.run(created, source="telnyx")
    charged = sum(len(p) for b, p in buckets.items() if b != "ineligible")
    landing.remediation_request(
        request_id,
        run,
        created_at=created,
        tier2_completed_at=completed,
        status="completed" if completed else "pending",
        has_results=completed is not None,
        phone_numbers_count=sum(len(p) for p in buckets.values()),
        phone_numbers_submitted=charged if completed else None,
    )
    if completed:
        landing.remediation_results(request_id, run, buckets)


def outcomes(rows, request_id: str) -> dict[str, dict]:
    found = rows("select * from remediation_number_outcomes where request_id = ?", [request_id])
    return {r["phone_number"]: r for r in found}


# --- fresh data only -------------------------------------------------------------------------


@pytest.fixture
def daily(landing):
    """req-1 created day 1, completed day 2 09:00; A and B remediated. A stays low from the
    day-3 refresh; B is high again from day 10. Data refreshed 06:00, collected 14:00."""
    request(landing, "req-1", at(1, 10), at(2, 9), {"remediated": [A, B]})

    def risks(d: int) -> dict[str, str]:
        return {A: "high" if d <= 2 else "low", B: "high" if d <= 2 or d >= 10 else "low"}

    collect(landing, range(0, 33), risks)
    return risks


def test_a_snapshot_collected_after_completion_but_refreshed_before_is_not_after(
    daily, build_models, rows
):
    build_models()
    got = outcomes(rows, "req-1")
    # the day-2 14:00 snapshot (refreshed 06:00, still high) is not "after" a 09:00 completion
    assert got[A]["risk_before"] == "high"
    assert got[A]["risk_after"] == "low"
    assert got[A]["refreshed_after_at"] == ts(at(3, 6))
    assert got[A]["observed_after_at"] == ts(at(3, 14))
    assert got[B]["reflagged_within_30d"] is True
    assert got[B]["reflagged_at"] == ts(at(10, 14))


def test_clean_needs_data_refreshed_30_days_after_completion(daily, landing, build_models, rows):
    build_models()
    # day 32 14:00: the window ended at 09:00, but the data was refreshed at 06:00
    got = outcomes(rows, "req-1")[A]
    assert (got["outcome"], got["reflagged_within_30d"], got["is_unmonitored"]) == (
        "unmonitored",
        None,
        True,
    )
    req = rows("select * from remediation_outcomes where request_id = 'req-1'")[0]
    assert req["is_window_closed"] is True
    assert (req["stayed_clean"], req["reflagged"], req["unmonitored"]) == (0, 1, 1)
    assert req["success_rate"] == 1.0
    assert req["durable_success_rate"] == 0.0  # unmonitored: in the denominator only

    collect(landing, range(33, 34), daily)  # refreshed day 33 06:00, after the window
    build_models()
    got = outcomes(rows, "req-1")[A]
    assert (got["outcome"], got["reflagged_within_30d"], got["is_unmonitored"]) == (
        "stayed_clean",
        False,
        False,
    )
    assert got["window_observed_at"] == ts(at(33, 14))
    req = rows("select * from remediation_outcomes where request_id = 'req-1'")[0]
    assert (req["stayed_clean"], req["reflagged"], req["unmonitored"]) == (1, 1, 0)
    assert req["durable_success_rate"] == 0.5


def test_an_open_window_is_neither_clean_nor_durable(landing, build_models, rows):
    request(landing, "req-1", at(1, 10), at(2, 9), {"remediated": [A], "refused": [B]})
    collect(landing, range(0, 10), lambda d: {A: "high" if d <= 2 else "low", B: "high"})
    build_models()
    got = outcomes(rows, "req-1")
    assert got[A]["outcome"] == "open" and got[A]["reflagged_within_30d"] is None
    assert got[B]["outcome"] is None and got[B]["is_unmonitored"] is None
    req = rows("select * from remediation_outcomes where request_id = 'req-1'")[0]
    assert req["is_window_closed"] is False
    assert req["durable_success_rate"] is None
    assert req["success_rate"] == 0.5


# --- a weekly-refresh enterprise, and figures as of each week --------------------------------


def monday_refresh(d: int) -> datetime:
    return at(d - d % 7, 6)


@pytest.fixture
def weekly(landing):
    """Data refreshed on Mondays only. req-1 completes Wednesday day 2 09:00: the snapshots
    of days 2-6 still hold Monday's pre-remediation high. W is low from the day-7 refresh."""
    request(landing, "req-1", at(1, 10), at(2, 9), {"remediated": [A]})
    landing.telnyx_enterprise(landing.run(at(0, 5)), check_frequency="weekly")

    def risks(d: int) -> dict[str, str]:
        return {A: "high" if d < 7 else "low"}

    return risks


def test_weekly_refresh_the_week_after_completion_is_not_a_reflag(
    weekly, landing, build_models, rows
):
    collect(landing, range(0, 35), weekly, refreshed=monday_refresh)
    build_models()
    got = outcomes(rows, "req-1")[A]
    assert got["risk_after"] == "low" and got["refreshed_after_at"] == ts(at(7, 6))
    # the window ended day 32 (Friday) 09:00; no refresh since: unmonitored until Monday's
    assert got["outcome"] == "unmonitored"

    collect(landing, range(35, 36), weekly, refreshed=monday_refresh)
    build_models()
    assert outcomes(rows, "req-1")[A]["outcome"] == "stayed_clean"


def test_a_past_weeks_figures_never_change_when_later_data_arrives(
    weekly, landing, build_models, rows
):
    collect(landing, range(0, 35), weekly, refreshed=monday_refresh)  # to the end of W14
    build_models()

    def past() -> tuple[list, list]:
        return (
            rows("select * from remediation_outcomes_weekly order by all"),
            rows("select * from remediation_number_history_weekly order by all"),
        )

    before = past()
    w14 = [r for r in before[0] if r["iso_week"] == "2026-W14"]
    assert [(r["is_window_closed"], r["unmonitored"], r["stayed_clean"]) for r in w14] == [
        (True, 1, 0)
    ]
    collect(landing, range(35, 42), weekly, refreshed=monday_refresh)
    build_models()
    outcomes_now, history_now = past()
    assert [r for r in outcomes_now if r["iso_week"] <= "2026-W14"] == before[0]
    assert [r for r in history_now if r["iso_week"] <= "2026-W14"] == before[1]
    w15 = [r for r in outcomes_now if r["iso_week"] == "2026-W15"]
    assert [(r["unmonitored"], r["stayed_clean"], r["durable_success_rate"]) for r in w15] == [
        (0, 1, 1.0)
    ]


# --- per-number history and its recommendation -----------------------------------------------


@pytest.fixture
def history(landing):
    """R remediated three times, high again 5 days after each completion. In req-c, D needs
    review, E is ineligible, F comes back high, G's window is open, H was not flagged. A
    pending request of the same enterprise is created on day 30."""
    request(landing, "req-a", at(0, 10), at(1, 9), {"remediated": [R]})
    request(landing, "req-b", at(12, 10), at(13, 9), {"remediated": [R]})
    request(
        landing,
        "req-c",
        at(24, 10),
        at(25, 9),
        {
            "remediated": [R, F, G],
            "requires_review": [D],
            "ineligible": [E],
            "not_flagged": [H],
        },
    )
    request(landing, "req-d", at(30, 10), None, {})

    def risks(d: int) -> dict[str, str]:
        since = min((d - c for c in (2, 14, 26) if d >= c), default=None)
        r_risk = "low" if since is not None and since < 4 else "high"
        return {R: r_risk, D: "high", E: "high", F: "high" if d >= 27 else "low", G: "low"}

    collect(landing, range(0, 32), risks)
    return landing


def test_history_rotates_a_number_that_came_back_after_every_remediation(
    history, build_models, rows
):
    build_models(Pricing(telnyx_remediation_usd=2.5))
    got = {r["phone_number"]: r for r in rows("select * from remediation_number_history")}
    r = got[R]
    assert r["times_submitted"] == 3 and r["times_remediated"] == 3 and r["times_reflagged"] == 3
    assert r["bucket_sequence"] == "remediated > remediated > remediated"
    assert r["first_submitted_at"] == ts(at(0, 10)) and r["last_submitted_at"] == ts(at(24, 10))
    assert r["remediation_usd"] == 7.5
    assert r["recommendation"] == "rotate"  # even with a request in flight
    # everything else waits while req-d is in flight: its members are unknown
    assert {p: got[p]["recommendation"] for p in (D, E, F, G, H)} == dict.fromkeys(
        (D, E, F, G, H), "wait"
    )
    assert got[E]["charged_submissions"] == 0 and got[E]["remediation_usd"] == 0


def test_history_recommendation_as_of_a_week_before_the_request_in_flight(
    history, build_models, rows
):
    build_models()
    week = {
        r["phone_number"]: r["recommendation"]
        for r in rows("select * from remediation_number_history_weekly where iso_week = '2026-W13'")
    }
    # W13 ends day 27 (Sunday): req-d did not exist yet, R's third re-flag was not seen yet
    assert week == {R: "rotate", D: "review", E: "wait", F: "resubmit", G: "wait", H: "none"}


def test_history_usd_equals_the_cost_marts_remediation_usd(history, build_models, rows):
    build_models(Pricing(telnyx_remediation_usd=2.5))
    spent = rows("select sum(remediation_usd) as usd from remediation_number_history")
    billed = rows("select sum(remediation_usd) as usd from telnyx_cost_monthly")
    assert spent[0]["usd"] == pytest.approx(billed[0]["usd"]) == 2.5 * 7


def test_history_usd_equals_the_cost_marts_on_the_simulated_fleet():
    """Over the same requests: the cost mart also bills requests without results."""
    con = connect(report_db(), read_only=True)
    try:
        spent, billed, without_results, price = con.execute(
            """
            select
                (select sum(remediation_usd) from remediation_number_history),
                (select sum(remediation_usd) from telnyx_cost_monthly),
                (select coalesce(sum(phone_numbers_submitted), 0) from remediation_outcomes
                 where request_id not in (select request_id from remediation_number_outcomes)),
                (select telnyx_remediation_usd from callrep_settings)
            """
        ).fetchone()
    finally:
        con.close()
    assert spent > 0
    assert spent == pytest.approx(billed - without_results * price)
