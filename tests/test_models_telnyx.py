"""Given/expect tests for the Telnyx marts on a few hand-written rows."""

from __future__ import annotations

from datetime import date

import pytest

A, B, C = "+12025550101", "+12025550102", "+12025550103"


def day(n: int, hour: int = 6) -> str:
    """2026-03-02 (a Monday) plus n days, at ``hour`` UTC."""
    return f"2026-03-{2 + n:02d}T{hour:02d}:00:00"


def risks_by_day(landing, plan: dict[int, dict[str, str | None]]) -> int:
    """One run per planned day with those numbers; returns the last run_id."""
    run = 0
    for n, risks in sorted(plan.items()):
        run = landing.run(day(n))
        landing.telnyx_risks(run, risks)
    return run


def test_daily_counts_only_the_days_latest_run(landing, build_models, rows):
    first = landing.run(day(0, 6))
    landing.telnyx_risks(first, {A: "low", B: "low"})
    again = landing.run(day(0, 18))  # a re-run the same day: never double counts
    landing.telnyx_risks(again, {A: "high", B: "low", C: "low"})
    failed = landing.run(day(0, 20), status="failed")
    landing.telnyx_risks(failed, {A: "medium"})
    build_models()
    got = rows("select spam_risk, numbers from spam_risk_daily order by spam_risk")
    assert got == [{"spam_risk": "high", "numbers": 1}, {"spam_risk": "low", "numbers": 2}]


def test_daily_unknown_risk_and_median_scores(landing, build_models, rows):
    run = landing.run(day(0))
    landing.telnyx_numbers(
        run,
        [
            {"phone_number": A, "spam_risk": "severe", "flags": ["spam_risk: unknown value"]},
            {
                "phone_number": B,
                "spam_risk": None,
                "has_reputation_data": False,
                "maturity_score": None,
                "connection_score": None,
                "engagement_score": None,
                "sentiment_score": None,
            },
            {"phone_number": C, "maturity_score": 40},
            {"phone_number": "+12025550104", "maturity_score": 60},
            {"phone_number": None, "spam_risk": "high", "flags": ["phone_number: bad"]},
        ],
    )
    build_models()
    got = rows("select spam_risk, numbers, median_maturity_score from spam_risk_daily order by 1")
    assert got == [
        {"spam_risk": "low", "numbers": 2, "median_maturity_score": 50.0},
        {"spam_risk": "unknown", "numbers": 2, "median_maturity_score": 50.0},
    ]


def test_transitions_on_flip_flops_skip_gaps_and_absences(landing, build_models, rows):
    risks_by_day(
        landing,
        {
            0: {A: "low", B: "low"},
            1: {A: "high", B: "low"},
            2: {A: "low"},  # B absent from this snapshot: not observed, not a change
            # day 3: no run at all (a gap)
            4: {A: "high", B: "medium"},
        },
    )
    build_models()
    got = rows(
        "select phone_number, from_risk, to_risk, observed_on, previous_observed_on "
        "from spam_risk_transitions order by phone_number, observed_on"
    )
    assert got == [
        {
            "phone_number": A,
            "from_risk": "low",
            "to_risk": "high",
            "observed_on": date(2026, 3, 3),
            "previous_observed_on": date(2026, 3, 2),
        },
        {
            "phone_number": A,
            "from_risk": "high",
            "to_risk": "low",
            "observed_on": date(2026, 3, 4),
            "previous_observed_on": date(2026, 3, 3),
        },
        {
            "phone_number": A,
            "from_risk": "low",
            "to_risk": "high",
            "observed_on": date(2026, 3, 6),
            "previous_observed_on": date(2026, 3, 4),
        },
        {
            "phone_number": B,
            "from_risk": "low",
            "to_risk": "medium",
            "observed_on": date(2026, 3, 6),
            "previous_observed_on": date(2026, 3, 3),
        },
    ]


def test_weekly_newly_high_counts_first_seen_high_and_flip_flops_once(landing, build_models, rows):
    risks_by_day(
        landing,
        {
            0: {A: "low"},
            1: {A: "high", B: "high"},  # B first seen high
            2: {A: "low", B: "high"},
            3: {A: "high", B: "medium", C: "low"},  # A high twice in the week: one number
            7: {A: "high", B: "medium"},  # next week: nothing new
        },
    )
    build_models()
    got = rows(
        "select iso_week, last_observed_on, numbers_monitored, numbers_high, newly_high, cleared "
        "from spam_risk_weekly order by iso_week"
    )
    assert got == [
        {
            "iso_week": "2026-W10",
            "last_observed_on": date(2026, 3, 5),
            "numbers_monitored": 3,
            "numbers_high": 1,
            "newly_high": 2,
            "cleared": 2,
        },
        {
            "iso_week": "2026-W11",
            "last_observed_on": date(2026, 3, 9),
            "numbers_monitored": 2,
            "numbers_high": 1,
            "newly_high": 0,
            "cleared": 0,
        },
    ]


def test_score_drift_compares_with_the_latest_observation_7_or_more_days_earlier(
    landing, build_models, rows
):
    for n, score, risk in [(0, 80, "low"), (5, 70, "low"), (9, 64, "medium"), (10, 50, "high")]:
        landing.telnyx_numbers(
            landing.run(day(n)), [{"phone_number": A, "engagement_score": score, "spam_risk": risk}]
        )
    build_models()
    got = rows("select score, observed_on, value_now, value_before, before_on from score_drift")
    # day 9: latest observation >= 7 days earlier is day 0 (80): 80 - 64 = 16 -> drift.
    # day 10 is high: labels caught up, no early warning.
    assert got == [
        {
            "score": "engagement",
            "observed_on": date(2026, 3, 11),
            "value_now": 64,
            "value_before": 80,
            "before_on": date(2026, 3, 2),
        },
    ]


@pytest.fixture
def remediation(landing):
    """A request created day 2, tier 2 done day 4; A remediated, B refused, C remediated."""
    run = risks_by_day(
        landing,
        {
            0: {A: "high", B: "high", C: "high"},
            1: {A: "high", B: "high", C: "high"},
            5: {A: "low", B: "high", C: "low"},
            10: {A: "high", C: "low"},
        },
    )
    landing.remediation_request(
        "req-1",
        run,
        created_at=day(2),
        tier1_completed_at=day(3),
        tier2_completed_at=day(4),
        phone_numbers_count=4,
        phone_numbers_submitted=3,
        phone_numbers_ineligible=1,
    )
    landing.remediation_results(
        "req-1", run, {"remediated": [A, C], "refused": [B], "ineligible": ["+12025550199"]}
    )
    landing.remediation_request(
        "req-2", run, status="pending", created_at=day(9), has_results=False
    )
    return landing


def test_remediation_outcomes(remediation, build_models, rows):
    build_models()
    got = {r["request_id"]: r for r in rows("select * from remediation_outcomes")}
    assert got["req-1"]["remediated"] == 2
    assert got["req-1"]["refused"] == 1
    assert got["req-1"]["ineligible"] == 1
    assert got["req-1"]["not_flagged"] == 0
    assert got["req-1"]["success_rate"] == pytest.approx(2 / 3)
    assert got["req-1"]["hours_to_complete"] == 48.0
    assert got["req-2"]["remediated"] == 0
    assert got["req-2"]["success_rate"] is None
    assert got["req-2"]["hours_to_complete"] is None


def test_reflagged_within_30d_true_false_and_null(remediation, landing, build_models, rows):
    build_models()
    got = {
        r["phone_number"]: r
        for r in rows("select * from remediation_number_outcomes where request_id = 'req-1'")
    }
    assert got[A]["risk_before"] == "high" and got[A]["risk_after"] == "low"
    assert got[A]["reflagged_within_30d"] is True  # high again on day 10
    assert got[C]["reflagged_within_30d"] is None  # 30 days have not passed yet
    assert got[B]["reflagged_within_30d"] is None  # not remediated
    # 30 days after completion without a high observation: false.
    landing.telnyx_risks(landing.run("2026-04-10T06:00:00"), {C: "low"})
    build_models()
    got = rows(
        "select reflagged_within_30d from remediation_number_outcomes where phone_number = ?", [C]
    )
    assert got == [{"reflagged_within_30d": False}]
