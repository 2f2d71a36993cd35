"""The report's remediation answers on the synthetic fleet: the durable rate next to Telnyx's
label rate, as of the report week, and the per-number history with its recommendation."""

from __future__ import annotations

import pytest

from analytics.report.render import render_weekly
from analytics.report.weekly import build_report
from analytics.report.weeks import IsoWeek
from analytics.store.database import connect
from tests.test_report import Page
from tests.test_report_fixtures import report_db


@pytest.fixture(scope="module")
def con():
    connection = connect(report_db(), read_only=True)
    yield connection
    connection.close()


def weeks_with_closed_windows(con) -> list[IsoWeek]:
    found = con.execute(
        "select distinct iso_week from remediation_outcomes_weekly where is_window_closed "
        "order by iso_week"
    ).fetchall()
    return [IsoWeek.parse(r[0]) for r in found]


def test_headline_durable_rate_next_to_the_label_rate_over_the_same_requests(con):
    weeks = weeks_with_closed_windows(con)
    assert weeks, "the synthetic fleet should have requests with a closed window"
    week = weeks[-1]
    figures = {f.label: f for f in build_report(con, week).headline}
    durable = figures["Durable remediation success"]
    label = figures["Telnyx remediated label rate"]
    clean, remediated, denominator = con.execute(
        """
        select sum(stayed_clean), sum(remediated), sum(remediated + requires_review + refused)
        from remediation_outcomes_weekly
        where iso_week = ? and is_window_closed
            and tier2_completed_at >= week_ends_at - interval 84 day
        """,
        [week.label],
    ).fetchone()
    assert durable.value == pytest.approx(clean / denominator)
    assert label.value == pytest.approx(remediated / denominator)
    assert durable.value <= label.value
    assert figures["Remediated numbers back to high"].value is not None


def test_history_table_lists_repeat_and_reflagged_numbers_as_of_the_week(con):
    week = weeks_with_closed_windows(con)[-1]
    page = Page(render_weekly(build_report(con, week)))
    expected = {
        r[0]
        for r in con.execute(
            "select phone_number from remediation_number_history_weekly "
            "where iso_week = ? and (times_submitted > 1 or times_reflagged > 0)",
            [week.label],
        ).fetchall()
    }
    assert expected
    assert set(page.action_rows["remediation-history"]) == expected
