"""The report's cost figures: as of the week, like for like, per component, stable later.

Hand-written rows (the model fixtures) go through the real runner and the report's own
queries (``analytics.report.cost``), so each figure is checked against arithmetic done here.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.config import Pricing
from analytics.models import build as build_models
from analytics.report import context, cost
from analytics.report.render import render_weekly
from analytics.report.weekly import build_report
from analytics.report.weeks import IsoWeek
from tests.test_models_cost import enterprise, remediation, telnyx_run
from tests.test_models_plivo import add_number, add_profile, add_run, build, rows

W46 = IsoWeek.parse("2026-W46")  # Monday 9 to Sunday 15 November 2026


def telnyx_days(con, first: date, last: date, **kwargs) -> None:
    day = first
    while day <= last:
        run = telnyx_run(con, datetime(day.year, day.month, day.day, 6, tzinfo=UTC))
        enterprise(con, run, "ent-1", **kwargs)
        day += timedelta(days=1)


def figures(con, week: IsoWeek = W46) -> dict[str, float]:
    p = context.stage(con, week)
    return {f.label: f.value for f in cost.figures(con, p, {"telnyx", "plivo"})}


def breakdown(con, week: IsoWeek = W46) -> list[dict]:
    p = context.stage(con, week)
    return [asdict(line) for line in cost.section(con, p, {"telnyx", "plivo"}).lines]


def what_if(con, week: IsoWeek = W46) -> list[dict]:
    p = context.stage(con, week)
    return [asdict(row) for row in cost.section(con, p, {"telnyx"}).what_if]


def test_telnyx_month_to_date_against_the_same_days_and_the_projection(con):
    # daily checks on 10 numbers, approved, from 1 October to 20 November (after the week)
    telnyx_days(con, date(2026, 10, 1), date(2026, 11, 20), frequency="daily", numbers=10)
    remediation(con, "r1", "ent-1", datetime(2026, 11, 3, 12, tzinfo=UTC), 5)
    remediation(con, "r2", "ent-1", datetime(2026, 11, 18, 12, tzinfo=UTC), 7)  # after the week
    build(con)
    got = figures(con)
    # 1-15 November: base 100 + 15 days x 10 checks x 0.10 + 5 remediated numbers x 1.00
    assert got["Telnyx cost, November to date"] == pytest.approx(120.0)
    # projected November: that plus the 15 remaining days' checks at the week's last state
    assert got["Telnyx projected for November"] == pytest.approx(135.0)
    lines = {r["part"]: r for r in breakdown(con) if r["provider"] == "Telnyx"}
    assert lines["base fee"]["same_days_before_usd"] == pytest.approx(100.0)
    assert lines["checks"]["same_days_before_usd"] == pytest.approx(15.0)  # 1-15 October
    assert lines["checks"]["last_month_usd"] == pytest.approx(31.0)  # all of October
    assert lines["remediation"]["to_date_usd"] == pytest.approx(5.0)  # not the 18th's request
    assert lines["remediation"]["projected_month_usd"] == pytest.approx(5.0)
    # the tiles are the sums of the parts
    total = sum(r["to_date_usd"] for r in lines.values())
    assert total == pytest.approx(got["Telnyx cost, November to date"])


def test_the_projection_uses_the_state_at_the_weeks_last_collection(con):
    telnyx_days(con, date(2026, 11, 1), date(2026, 11, 15), frequency="daily", numbers=10)
    # after the week the enterprise grows to 50 numbers checked daily
    telnyx_days(con, date(2026, 11, 16), date(2026, 11, 30), frequency="daily", numbers=50)
    build(con)
    got = figures(con)
    assert got["Telnyx projected for November"] == pytest.approx(100 + 15 + 15)
    # the later week sees the bigger fleet: observed to its end, then 50 numbers a day
    got = figures(con, IsoWeek.parse("2026-W47"))  # 16-22 November
    assert got["Telnyx cost, November to date"] == pytest.approx(100 + 15 + 7 * 5)
    assert got["Telnyx projected for November"] == pytest.approx(100 + 15 + 7 * 5 + 8 * 5)


def test_a_week_ending_before_any_collection_in_its_month_projects_the_month(con):
    # 2026-W49 runs from Monday 30 November to Sunday 6 December; no run in December yet
    telnyx_days(con, date(2026, 11, 1), date(2026, 11, 30), frequency="weekly", numbers=10)
    build(con)
    got = figures(con, IsoWeek.parse("2026-W49"))
    assert got["Telnyx cost, December to date"] == 0
    # December at the 30 November state: base 100 + 4 Mondays x 10 numbers x 0.10
    assert got["Telnyx projected for December"] == pytest.approx(104.0)


def _plivo_registration(con, approved: str, runs: list[str], ein: str = "123456789") -> None:
    for at in runs:
        run = add_run(con, at)
        add_profile(con, run, "p1", ein)
        add_number(con, run, "+14155550001", att="ACTIVE", att_updated=approved)


def test_plivo_charges_as_of_the_week(con):
    # approved 20 September; collected daily to 20 November
    start = datetime(2026, 9, 21, 8, tzinfo=UTC)
    _plivo_registration(
        con,
        "2026-09-20 10:00",
        [(start + timedelta(days=i)).isoformat() for i in range(61)],
    )
    build(con)
    got = figures(con)
    assert got["Plivo cost, November to date"] == pytest.approx(12.0)  # the 1 November charge
    assert got["Plivo projected for November"] == pytest.approx(12.0)  # no proration
    (line,) = [r for r in breakdown(con) if r["provider"] == "Plivo"]
    assert line["part"] == "123456789"
    assert line["same_days_before_usd"] == line["last_month_usd"] == pytest.approx(12.0)


def _fleet(con, last: date) -> None:
    """Telnyx and Plivo rows up to ``last``, with changes after 15 November."""
    day = date(2026, 10, 1)
    while day <= last:
        at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
        later = day > date(2026, 11, 15)
        run = telnyx_run(con, at)
        enterprise(
            con,
            run,
            "ent-1",
            frequency="weekly" if later else "daily",
            numbers=40 if later else 10,
            status="rejected" if day >= date(2026, 11, 25) else "approved",
        )
        plivo = add_run(con, at + timedelta(hours=1))
        if day < date(2026, 11, 20):  # the business is released on the 20th
            add_profile(con, plivo, "p1", "123456789")
            add_number(con, plivo, "+14155550001", att="ACTIVE", att_updated="2026-09-20 10:00")
        day += timedelta(days=1)


def test_past_weeks_cost_never_changes_when_later_data_arrives(tmp_path):
    from analytics.store.database import connect
    from analytics.store.schema import migrate

    path = tmp_path / "callrep.duckdb"
    con = connect(path)
    migrate(con)
    _fleet(con, date(2026, 11, 16))
    remediation(con, "r1", "ent-1", datetime(2026, 11, 3, 12, tzinfo=UTC), 5)
    build_models(con, Pricing(), full=True)
    before = (figures(con), breakdown(con), what_if(con))
    # later collections: a bigger fleet, a new frequency, a rejection, a released business,
    # a remediation after the week; then an incremental and a full build
    con.execute("delete from collection_runs where collected_at >= '2026-11-16'")
    con.execute("delete from telnyx_enterprise_snapshots where collected_at >= '2026-11-16'")
    con.execute("delete from telnyx_number_snapshots where collected_at >= '2026-11-16'")
    con.execute("delete from plivo_number_snapshots where collected_at >= '2026-11-16'")
    con.execute("delete from plivo_profile_snapshots where collected_at >= '2026-11-16'")
    day = date(2026, 11, 16)
    while day <= date(2026, 12, 10):
        at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
        run = telnyx_run(con, at)
        enterprise(
            con,
            run,
            "ent-1",
            frequency="weekly",
            numbers=40,
            status="rejected" if day >= date(2026, 11, 25) else "approved",
        )
        plivo = add_run(con, at + timedelta(hours=1))
        if day < date(2026, 11, 20):
            add_profile(con, plivo, "p1", "123456789")
            add_number(con, plivo, "+14155550001", att="ACTIVE", att_updated="2026-09-20 10:00")
        day += timedelta(days=1)
    remediation(con, "r2", "ent-1", datetime(2026, 11, 18, 12, tzinfo=UTC), 7)
    assert not build_models(con, Pricing()).full
    assert (figures(con), breakdown(con), what_if(con)) == before
    build_models(con, Pricing(), full=True)
    assert (figures(con), breakdown(con), what_if(con)) == before
    # and the week that saw the changes does report them
    later = IsoWeek.parse("2026-W48")
    assert figures(con, later) != figures(con, W46)
    assert what_if(con, later) != what_if(con, W46)
    con.close()


def test_what_if_offers_the_cheapest_weekly_schedule_and_never_reads_monitoring_off(con):
    for day in range(1, 16):
        run = telnyx_run(con, datetime(2026, 11, day, 6, tzinfo=UTC))
        enterprise(con, run, "ent-daily", frequency="daily", numbers=100)
        enterprise(con, run, "ent-off", frequency="never", numbers=100)
        enterprise(con, run, "ent-monthly", frequency="monthly", numbers=100)
    build(con)
    p = context.stage(con, W46)
    section = cost.section(con, p, {"telnyx"})
    found = {w.enterprise_id: w for w in section.what_if}
    assert section.what_if_month == "December 2026"
    # December 2026: 31 daily checks against 4 Mondays, 100 numbers, USD 0.10 a check
    assert found["ent-daily"].saving_usd == pytest.approx((31 - 4) * 100 * 0.10)
    assert "switch to weekly" in found["ent-daily"].advice
    assert "staler data" in found["ent-daily"].advice
    assert found["ent-off"].saving_usd is None
    assert found["ent-off"].advice.startswith("monitoring off")
    assert found["ent-monthly"].saving_usd is None
    assert "less often than weekly" in found["ent-monthly"].advice
    html = render_weekly(build_report(con, W46))
    assert "monitoring off" in html and "USD 270.00" in html


def test_daily_and_charge_marts_add_up_to_the_monthly_marts(con):
    _fleet(con, date(2026, 11, 30))
    remediation(con, "r1", "ent-1", datetime(2026, 11, 3, 12, tzinfo=UTC), 5)
    build(con, Pricing(plivo_billing_anchor="anniversary"))
    mismatched = rows(
        con,
        """
        select month, enterprise_id from telnyx_cost_monthly as m
        full join (
            select month, enterprise_id, sum(base_usd) as base_usd, sum(checks) as checks,
                sum(remediation_usd) as remediation_usd
            from telnyx_cost_daily group by all
        ) as d using (month, enterprise_id)
        where m.kind = 'observed' and (d.base_usd is distinct from m.base_usd
            or d.checks is distinct from m.checks
            or abs(d.remediation_usd - m.remediation_usd) > 1e-9)
        """,
    )
    assert mismatched == []
    mismatched = rows(
        con,
        """
        select ein, month from plivo_ein_cost_monthly as m
        left join (
            select ein, month, sum(charge_usd) as charge_usd from plivo_ein_charges group by all
        ) as c using (ein, month)
        where m.kind = 'observed' and coalesce(c.charge_usd, 0) <> m.charge_usd
        """,
    )
    assert mismatched == []
