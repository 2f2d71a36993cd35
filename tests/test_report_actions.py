"""The report that says what to do: the verdict, the next step on every action table, drift
once per number, names instead of ids, and the metadata the action SQL headers carry."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, timedelta

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.export.marts import export_mart
from analytics.models.discovery import ModelError, discover
from analytics.report import spec, sql
from analytics.report.coverage import latest_collection
from analytics.report.render import fmt_national, render_weekly
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


@pytest.fixture(scope="module")
def week(con) -> IsoWeek:
    return IsoWeek.of(latest_collection(con).astimezone(UTC).date())


@pytest.fixture(scope="module")
def page(con, week) -> Page:
    return Page(render_weekly(build_report(con, week)))


def _one(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_verdict_states_the_marts_counts(con, week, page):
    assert 1 <= len(page.verdict) <= 2
    text = " ".join(page.verdict)
    newly = _one(
        con, "select sum(newly_high) from spam_risk_weekly where iso_week = ?", [week.label]
    )
    hidden = _one(con, "select count(*) from plivo_carrier_status where hidden_failure")
    stuck = _one(con, "select count(*) from plivo_carrier_status where stuck_pending")
    assert newly and hidden  # the synthetic week has both
    assert f"{newly:,} number{'s' if newly > 1 else ''} turned high this week" in text
    top, at_top = con.execute(
        "select coalesce(d.enterprise_name, w.enterprise_id), w.newly_high "
        "from spam_risk_weekly as w left join dim_enterprises as d using (enterprise_id) "
        "where iso_week = ? order by w.newly_high desc, d.enterprise_name limit 1",
        [week.label],
    ).fetchone()
    assert (f"({at_top:,} at {top})" if at_top < newly else f"(at {top})") in text
    assert f"{hidden:,} registration" in text
    if stuck:
        assert f"{stuck:,} registration{'s' if stuck > 1 else ''} pending past 2" in text
    assert "Nothing needs action" not in text


def test_verdict_names_a_missing_source_and_never_says_all_clear(tmp_path, week):
    """A week without a Plivo collection says so; it never claims nothing needs action."""
    path = tmp_path / "callrep.duckdb"
    shutil.copy(report_db(), path)
    with connect(path) as db:
        db.execute(
            "update collection_runs set status = 'failed' "
            "where source = 'plivo' and collected_at >= ?",
            [week.start],
        )
        report = build_report(db, week)
    text = " ".join(report.verdict)
    assert text.startswith(f"No Plivo collection in {week.label}")
    assert "Nothing needs action" not in text
    assert "registration" not in text  # Plivo is not judged without its collection
    assert "Its figures are not judged here." in text


def test_every_action_table_ends_with_a_next_step(page):
    slugs = {a.slug for a in spec.actions()}
    assert set(page.columns) <= slugs and len(page.columns) >= 5  # an empty table has no rows
    listed = 0
    for slug, columns in page.columns.items():
        assert columns[-1] == "next_step", slug
        for row in page.cells[slug]:
            listed += 1
            assert row[-1][0] and row[-1][0] != "–", (slug, row)
    assert listed


def test_next_steps_follow_the_documented_rules(con, week, page):
    cells = dict(page.cells)
    for row in cells["hidden-failures"]:
        assert row[-1][0].endswith(
            "registration failed: review the profile against Plivo's requirements, then "
            "re-enable the number"
        )
    for row in cells.get("stuck-pending", []):
        assert re.fullmatch(
            r"pending past 2 business days since \w{3} \d{1,2} \w{3}: contact Plivo", row[-1][0]
        )
    rotate = {
        r[0]: r[1]
        for r in con.execute(
            "select phone_number, times_remediated from remediation_number_history_weekly "
            "where iso_week = ? and recommendation = 'rotate'",
            [week.label],
        ).fetchall()
    }
    history = dict(
        zip(page.action_rows["remediation-history"], cells["remediation-history"], strict=True)
    )
    assert rotate and set(rotate) <= set(history)
    for number, times in rotate.items():
        assert history[number][-1][0] == f"remediated {times}× and back: rotate the number"


def test_enterprise_gate_next_steps_given_hand_written_gates():
    con = duckdb.connect()
    con.execute(
        "create table report_enterprises as select * from (values "
        "('a', 'e1', true, 'rejected', 'approved', ['The FEIN does not match the legal name.']), "
        "('a', 'e2', true, 'rejected', 'approved', ['The website could not be verified.']), "
        "('a', 'e3', true, 'approved', 'rejected', null), "
        "('a', 'e4', true, 'approved', 'pending', null), "
        "('a', 'e5', true, 'pending', 'approved', null), "
        "('a', 'e6', false, null, null, null), "
        "('a', 'e7', true, 'approved', 'approved', null), "
        # the same enterprise id in another account: its own gates, not account a's name
        "('b', 'e1', true, 'pending', 'approved', null)"
        ") as t (account, enterprise_id, reputation_enabled, status, loa_status, rejection_reasons)"
    )
    con.execute(
        "create table dim_enterprises as select 'a' as account, 'e1' as enterprise_id, "
        "'Acme' as enterprise_name, 'Acme LLC' as legal_name"
    )
    got = {
        (r[0], r[2]): r[-2]
        for r in con.execute(sql.report_sql("action_enterprise_gates"), {"limit": 500}).fetchall()
    }
    assert got == {
        ("a", "Acme"): "FEIN could not be verified: fix the enterprise record",
        ("a", "e2"): "reputation rejected: fix the enterprise record, then re-apply",
        ("a", "e3"): "LOA rejected: replace the LOA",
        ("a", "e4"): "LOA under review at Telnyx: wait",
        ("a", "e5"): "reputation vetting at Telnyx: wait",
        ("a", "e6"): "enable number reputation for the enterprise",
        ("b", "e1"): "reputation vetting at Telnyx: wait",
    }


def test_drift_lists_each_number_once_with_its_worst_drop(con, week, page):
    numbers = page.action_rows["score-drift"]
    assert numbers and len(numbers) == len(set(numbers))
    worst = dict(
        con.execute(
            "select phone_number, max(points_dropped) from score_drift "
            "where observed_on between ? and ? group by all",
            [week.start, week.end],
        ).fetchall()
    )
    drop = page.columns["score-drift"].index("worst_drop")
    for number, row in zip(numbers, page.cells["score-drift"], strict=True):
        assert int(row[drop][0]) == worst[number]


def _onsets(rows: list[tuple[int, date, str, int]]) -> list[tuple]:
    """score_drift_onsets over hand-written int_score_drift rows (phone key, day, score, drop),
    all low-risk numbers of one enterprise."""
    model = next(m for m in discover() if m.name == "score_drift_onsets")
    codes = {"maturity": 1, "connection": 2, "engagement": 3, "sentiment": 4}
    con = duckdb.connect()
    con.execute(
        "create table int_score_drift (enterprise_key ubigint, phone_key bigint, "
        "observed_on date, risk_code utinyint, score_code utinyint, value_now utinyint, "
        "value_before utinyint, before_on date)"
    )
    con.execute(
        "create table int_telnyx_enterprise_days (observed_on date, enterprise_key ubigint, "
        "account varchar, enterprise_id varchar)"
    )
    for phone, day, score, drop in rows:
        con.execute(
            "insert into int_score_drift values (7, ?, ?, 1, ?, ?, 80, ?)",
            [phone, day, codes[score], 80 - drop, day - timedelta(days=7)],
        )
    con.execute(
        "insert into int_telnyx_enterprise_days "
        "select distinct observed_on, 7, 'a', 'e' from int_score_drift"
    )
    return con.execute(
        f"select iso_week, phone_number, scores_fell, worst_score, worst_drop from ({model.sql}) "
        "order by all"
    ).fetchall()


def test_drift_onset_is_a_drift_row_in_the_week_and_none_in_the_7_days_before():
    mon = date(2026, 11, 9)  # 2026-W46
    got = _onsets(
        [
            (15550001, mon + timedelta(days=1), "sentiment", 20),
            (15550001, mon + timedelta(days=3), "maturity", 31),
            (15550002, mon - timedelta(days=7), "maturity", 15),  # drifting the week before
            (15550002, mon + timedelta(days=2), "maturity", 18),
            (15550003, mon - timedelta(days=8), "connection", 40),  # 8 days before: still new
            (15550003, mon, "connection", 16),
        ]
    )
    assert got == [
        ("2026-W44", "+15550003", "connection", "connection", 40),
        ("2026-W45", "+15550002", "maturity", "maturity", 15),
        ("2026-W46", "+15550001", "maturity, sentiment", "maturity", 31),
        ("2026-W46", "+15550003", "connection", "connection", 16),
    ]


def test_people_read_names_not_ids(con, page):
    ids = {r[0] for r in con.execute("select enterprise_id from dim_enterprises").fetchall()}
    requests = dict(
        con.execute("select request_id, call_purpose from remediation_outcomes").fetchall()
    )
    assert ids and requests
    for slug, rows in page.cells.items():
        for row in rows:
            for text, _title in row:
                assert not any(i in text for i in ids | set(requests)), (slug, text)
    column = page.columns["remediation-review"].index("request_label")
    for row in page.cells["remediation-review"]:
        text, title = row[column]
        assert title in requests  # the full id is in the title attribute
        assert re.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4}: .+", text)
        assert text.endswith(requests[title])
    names = {r[0] for r in con.execute("select enterprise_name from dim_enterprises").fetchall()}
    enterprise = page.columns["newly-high"].index("enterprise_name")
    assert {row[enterprise][0] for row in page.cells["newly-high"]} <= names


def test_exports_carry_the_enterprise_name_next_to_its_id(con, tmp_path):
    out = tmp_path / "weekly.csv"
    export_mart(con, "spam_risk_weekly", out, "csv")
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    i = header.index("enterprise_id")
    assert header[i + 1] == "enterprise_name"
    names = dict(
        con.execute("select enterprise_id, enterprise_name from dim_enterprises").fetchall()
    )
    for line in out.read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split(",")
        assert names[cells[i]] == cells[i + 1].strip('"')


def test_every_action_file_describes_itself():
    specs = spec.actions()
    assert [s.order for s in specs] == sorted(s.order for s in specs)
    marts = {m.name for m in discover() if m.is_mart}
    for action in specs:
        assert action.title and action.next_step_rule and action.empty
        assert action.export is None or action.export in marts
        assert action.columns[-1].key == "next_step"


def test_an_action_file_without_a_next_step_is_refused(tmp_path):
    path = tmp_path / "action_x.sql"
    path.write_text(
        "-- action_x\n-- order: 1\n-- title: X\n-- description: d\n-- sources: telnyx\n"
        "-- empty: none\n-- columns:\n--   phone_number: Number [phone]\nselect 1\n"
    )
    with pytest.raises(ModelError, match="next_step"):
        spec.parse(path)
    path.write_text(path.read_text().replace("-- empty", "-- next_step: r\n-- empty"))
    with pytest.raises(ModelError, match="ending with next_step"):
        spec.parse(path)


def test_national_format_from_phonenumbers():
    assert fmt_national("+12125550100") == "(212) 555-0100"
    assert fmt_national("+442079460000") == "020 7946 0000"
    assert fmt_national("12125550100") == ""


@given(st.text(max_size=30))
def test_national_format_never_raises(value):
    assert isinstance(fmt_national(value), str)
    assert isinstance(fmt_national("+" + value), str)


def test_a_rename_shows_in_every_week_at_once(tmp_path, week):
    """Names come from the latest snapshot: renaming there renames a past week's rows too."""
    path = tmp_path / "callrep.duckdb"
    shutil.copy(report_db(), path)
    past = week.previous()
    with connect(path) as db:
        before = Page(render_weekly(build_report(db, past)))
        column = before.columns["newly-high"].index("enterprise_name")
        old = before.cells["newly-high"][0][column][0]
        db.execute(
            "update telnyx_enterprise_snapshots set doing_business_as = 'Renamed & Co' "
            "where run_id = (select max(run_id) from collection_runs where source = 'telnyx') "
            "and coalesce(doing_business_as, legal_name) = ?",
            [old],
        )
        after = Page(render_weekly(build_report(db, past)))
    names = {row[column][0] for row in after.cells["newly-high"]}
    assert "Renamed & Co" in names and old not in names


def test_a_tied_worst_drop_goes_to_the_score_whose_name_sorts_last():
    day = date(2026, 11, 10)
    got = _onsets(
        [
            (15550001, day, "maturity", 20),
            (15550001, day, "connection", 20),
            (15550002, day, "engagement", 25),
            (15550002, day, "connection", 25),
            (15550003, day, "sentiment", 18),
            (15550003, day, "maturity", 18),
        ]
    )
    assert [(phone, worst) for _week, phone, _fell, worst, _drop in got] == [
        ("+15550001", "maturity"),
        ("+15550002", "engagement"),
        ("+15550003", "sentiment"),
    ]
