"""Which week a report covers, and honest emptiness: no week, source or section without data
is reported as if it had some."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.errors import InputError
from analytics.report.render import render_weekly
from analytics.report.weekly import build_report
from analytics.report.weeks import IsoWeek, choose_week

W46, W47, W48 = IsoWeek(2026, 46), IsoWeek(2026, 47), IsoWeek(2026, 48)
WEDNESDAY_W48 = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_the_default_is_the_last_ended_week_with_a_collection():
    assert choose_week(None, [W46, W47], WEDNESDAY_W48).week == W47
    assert choose_week(None, [W46, W47, W48], WEDNESDAY_W48).week == W47  # W48 has not ended
    # W47 ends at midnight UTC after its Sunday, not a moment earlier
    assert choose_week(None, [W47], W47.end_exclusive).week == W47
    with pytest.raises(InputError):
        choose_week(None, [W47], W47.end_exclusive - timedelta(microseconds=1))


def test_a_stale_default_says_so():
    choice = choose_week(None, [W46, W48], WEDNESDAY_W48)
    assert choice.week == W46
    assert choice.notice == (
        "reporting 2026-W46, the latest ended week with a collection; 2026-W47 has none"
    )
    assert choose_week(None, [W47], WEDNESDAY_W48).notice is None


def test_a_first_mid_week_run_names_the_first_complete_week():
    with pytest.raises(InputError) as err:
        choose_week(None, [W48], WEDNESDAY_W48)
    assert str(err.value) == (
        "no collected week has ended yet; the first complete week will be 2026-W48 "
        "(report it after 2026-11-30 00:00 UTC)"
    )


def test_a_requested_week_needs_a_collection():
    assert choose_week(W48, [W47, W48], WEDNESDAY_W48).week == W48  # in progress, with data
    with pytest.raises(
        InputError,
        match=r"^--week 2026-W46: has no successful collection; "
        r"the latest week with data is 2026-W48$",
    ):
        choose_week(W46, [W47, W48], WEDNESDAY_W48)
    with pytest.raises(
        InputError,
        match=r"^--week 2027-W10: is in the future; "
        r"the latest week with data is 2026-W48$",
    ):
        choose_week(IsoWeek(2027, 10), [W47, W48], WEDNESDAY_W48)
    with pytest.raises(InputError, match="no successful collection yet"):
        choose_week(None, [], WEDNESDAY_W48)


@given(st.text(max_size=12) | st.from_regex(r"\A[0-9]{4}-?[wW][0-9]{1,2}\Z"))
def test_parse_gives_a_usable_week_or_one_input_error(text):
    try:
        week = IsoWeek.parse(text)
    except InputError as err:
        assert "\n" not in str(err)
        return
    # every bound the report computes exists
    assert week.previous().start < week.start < week.end_exclusive.date()


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "9999-W53", "2026-W54"])
def test_extreme_weeks_are_one_line_and_exit_2(tmp_path, week):
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "x.duckdb"), "--week", week])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"callrep: error: --week {week!r}")


def _week_db(landing, build_models, runs):
    """Runs at the given times (telnyx, and plivo where named), one number each, built."""
    for at, source in runs:
        run = landing.run(at, source=source)
        if source == "telnyx":
            landing.telnyx_enterprise(run)
            landing.telnyx_risks(run, {"+12025550101": "low"})
        else:
            landing.plivo_numbers(run, [{"number": "+12025550102", "att_status": "ACTIVE"}])
    build_models(full=True)


def test_a_mid_week_first_collection_has_no_report_yet(con, landing, build_models):
    _week_db(landing, build_models, [("2026-11-24T06:00:00", "telnyx")])
    with pytest.raises(InputError, match="the first complete week will be 2026-W48"):
        build_report(con, now=WEDNESDAY_W48)
    # once the week has ended it is the default
    assert build_report(con, now=datetime(2026, 12, 1, tzinfo=UTC)).week == W48


def test_a_stale_database_reports_its_last_week_and_says_so(con, landing, build_models):
    _week_db(landing, build_models, [("2026-11-10T06:00:00", "telnyx")])
    report = build_report(con, now=WEDNESDAY_W48)
    assert report.week == W46
    assert report.notice and "2026-W47 has none" in report.notice
    assert report.notice in render_weekly(report)


def test_empty_and_future_weeks_are_refused(con, landing, build_models):
    _week_db(landing, build_models, [("2026-11-10T06:00:00", "telnyx")])
    for week in (W47, IsoWeek(2027, 10), IsoWeek(2020, 10)):
        with pytest.raises(InputError, match="the latest week with data is 2026-W46"):
            build_report(con, week, now=WEDNESDAY_W48)


def test_a_source_missing_from_the_week_says_so_and_never_reassures(con, landing, build_models):
    _week_db(
        landing,
        build_models,
        [
            ("2026-11-10T06:00:00", "plivo"),
            ("2026-11-17T06:00:00", "telnyx"),
            ("2026-11-18T06:00:00", "telnyx"),
        ],
    )
    html = render_weekly(build_report(con, W47, now=WEDNESDAY_W48))
    line = "No Plivo collection in 2026-W47; latest 2026-W46."
    # verdict, banner, headline, 3 tables, status chart, cost chart
    assert html.count(line) == 8
    assert "No hidden carrier failure." not in html
    assert "No registration has been pending" not in html
    assert "No carrier-registered number is high risk." not in html
    assert "none found" not in html.lower()

    html = render_weekly(build_report(con, W46, now=WEDNESDAY_W48))
    line = "No Telnyx collection in 2026-W46; none before it."
    assert line in html
    assert "Every enterprise has both gates approved." not in html
    assert "No number became high risk this week." not in html
    assert "Nothing needs action" not in html


def test_the_cli_prints_a_stale_default_on_stderr(db_path, con, landing, build_models, tmp_path):
    _week_db(landing, build_models, [("2025-03-04T06:00:00", "telnyx")])
    con.close()
    result = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("callrep: note: reporting 2025-W10, the latest ended week")
    assert (tmp_path / "weekly-2025-W10.html").exists()
    future = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--week", "2099-W01"])
    assert future.exit_code == 2
    assert future.stderr == (
        "callrep: error: --week 2099-W01: is in the future; the latest week with data is 2025-W10\n"
    )


def test_an_export_since_after_the_data_is_refused(tmp_path):
    from tests.test_report_fixtures import report_db

    out = tmp_path / "x.csv"
    args = ["export", "remediation_outcomes", "--db", str(report_db()), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--since", "2099-01-01"])
    assert result.exit_code == 2
    assert result.stderr == (
        "callrep: error: --since 2099-01-01: after the data; "
        "the latest collection was on 2025-03-09\n"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert CliRunner().invoke(cli, [*args, "--since", "2025-01-13"]).exit_code == 0
