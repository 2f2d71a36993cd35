"""int_telnyx_number_events built one day at a time equals a full build, for the numbers whose
previous observation lies more than 7 days back (the anchors an increment looks up by phone key):
a number back from a gap, a number new to one account but known to another, a brand-new number."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.config import DEFAULT_ACCOUNT

WEST, EAST = DEFAULT_ACCOUNT, "east"
A, B, C = "+12025550101", "+12025550102", "+12025550103"
START = date(2026, 3, 2)
DAYS = 22


def _observations(n: int) -> list[tuple[str, str, dict]]:
    """(account, phone, values) seen on day ``n``."""
    seen: list[tuple[str, str, dict]] = [
        (WEST, A, {"maturity_score": 90 - 3 * n, "spam_risk": "high" if n % 5 == 4 else "low"}),
        (EAST, B, {"maturity_score": 70, "spam_risk": "medium"}),
    ]
    if n <= 2 or n >= 13:  # west's B: gone for ten days, back 25 points lower
        seen.append((WEST, B, {"maturity_score": 80 if n <= 2 else 55}))
    if n >= 16:  # east's A: new to east (west has observed A all along)
        seen.append((EAST, A, {"maturity_score": 60 if n < 20 else 40}))
    if n >= 18:  # C: new everywhere
        seen.append((WEST, C, {"spam_risk": "medium"}))
    return seen


def _land_day(landing, n: int) -> None:
    when = f"{START + timedelta(days=n)}T06:00:00"
    for account in (WEST, EAST):
        run = landing.run(when, account=account)
        landing.telnyx_numbers(
            run,
            [
                {"account": account, "enterprise_id": f"ent-{account}", "phone_number": p, **v}
                for acc, p, v in _observations(n)
                if acc == account
            ],
        )


def _events(rows) -> list[dict]:
    return rows(
        "select * exclude (enterprise_key) from int_telnyx_number_events "
        "order by account, phone_key, observed_on"
    )


def test_daily_increments_equal_a_full_build(landing, build_models, rows):
    for n in range(DAYS):
        _land_day(landing, n)
        report = build_models()
        assert report.full == (n == 0)
    incremental = _events(rows)
    build_models(full=True)
    assert incremental == _events(rows)
    back = [
        e
        for e in incremental
        if e["account"] == WEST and e["phone_key"] == int(B[1:]) and e["prev_observed_on"]
    ]
    # back from the gap: previous and 7-days-earlier observation both from day 2 (an anchor)
    assert back[0]["observed_on"] == START + timedelta(days=13)
    assert back[0]["prev_observed_on"] == START + timedelta(days=2)
    assert back[0]["before_on"] == START + timedelta(days=2)
    assert (back[0]["maturity_before"], back[0]["maturity_score"]) == (80, 55)
    firsts = {
        (e["account"], e["phone_key"]): e["observed_on"]
        for e in incremental
        if e["prev_observed_on"] is None
    }
    assert firsts[(EAST, int(A[1:]))] == START + timedelta(days=16)  # its own history only
    assert firsts[(WEST, int(C[1:]))] == START + timedelta(days=18)


def test_two_days_at_once_equal_a_full_build(landing, build_models, rows):
    for n in range(DAYS):
        _land_day(landing, n)
        if n % 4 in (0, 3):  # sometimes several days land between builds
            build_models()
    build_models()
    incremental = _events(rows)
    build_models(full=True)
    assert incremental == _events(rows)


@pytest.mark.parametrize("builds", [(5, 6, 13, 14, 17), (2, 11, 19), (8, 9, 16)])
def test_increments_of_any_length_equal_a_full_build(landing, build_models, rows, builds):
    # an increment reads, of the 7 days before it, all of the days up to its last day - 7 and
    # only the latest observation of the later ones: increments of 1 to 9 days
    for n in range(DAYS):
        _land_day(landing, n)
        if n == 0 or n in builds:
            build_models()
    build_models()
    incremental = _events(rows)
    build_models(full=True)
    assert incremental == _events(rows)
