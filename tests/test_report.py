"""The weekly report rendered from a synthetic database, checked through an HTML parser."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import vl_convert as vlc
from click.testing import CliRunner

from analytics.cli.report import report as report_command
from analytics.config import Pricing
from analytics.errors import InputError
from analytics.models import build
from analytics.report.assets import vega_lite_version
from analytics.report.context import ActionTable, Column
from analytics.report.coverage import latest_collection
from analytics.report.render import render_weekly
from analytics.report.weekly import build_report
from analytics.report.weeks import IsoWeek
from analytics.simulator.synth import synthesize
from analytics.store.database import connect
from tests.test_report_fixtures import DAYS, MARKUP, NUMBERS, report_db


class Page(HTMLParser):
    """Collects what the tests look at: tags with src/href, action-table rows, chart specs."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.external: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.action_rows: dict[str, list[str]] = {}
        self.specs: dict[str, dict] = {}
        self.text: list[str] = []
        # slug -> rows of (text, title) cells
        self.cells: dict[str, list[list[tuple[str, str | None]]]] = {}
        self.columns: dict[str, list[str]] = {}  # slug -> column keys
        self.verdict: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._cell_title: str | None = None
        self._row_header = False
        self._e164 = False
        self._in_verdict = False
        self._json_id: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href"):
            value = a.get(name)
            if value is not None and not value.startswith("#"):
                self.external.append((tag, value))
        if tag == "link":
            self.external.append((tag, a.get("href") or ""))
        if tag == "script":
            self.scripts.append(a)
            if a.get("type") == "application/json":
                self._json_id = a.get("id")
        if tag == "table" and a.get("data-action"):
            self._table = a["data-action"]
            self.action_rows[self._table] = []
            self.cells[self._table] = []
            self.columns[self._table] = []
        if not self._table:
            if tag == "div" and a.get("class") == "verdict":
                self._in_verdict = True
            if tag == "p" and self._in_verdict:
                self.verdict.append("")
            return
        if tag == "th" and a.get("scope") == "col":
            self.columns[self._table].append(a.get("data-column") or "")
        if tag == "tr" and self.columns[self._table]:
            self.cells[self._table].append([])
        if tag in ("th", "td") and a.get("scope") != "col":
            self._cell, self._cell_title = [], a.get("title")
        if tag == "th" and a.get("scope") == "row":
            self._row_header = True
        if tag == "span" and a.get("class") == "e164":
            self._e164 = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._table and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.cells[self._table][-1].append((text, self._cell_title))
            if self._row_header:
                self.action_rows[self._table].append(text.split(" ")[0] if self._e164 else text)
            self._cell, self._e164 = None, False
        if tag == "div":
            self._in_verdict = False
        if tag == "table":
            self._table = None
        if tag == "th":
            self._row_header = False
        if tag == "script":
            self._json_id = None

    def handle_data(self, data: str) -> None:
        if self._json_id:
            self.specs[self._json_id] = json.loads(data)
            return
        if self._cell is not None:
            self._cell.append(data)
        if self._in_verdict and self.verdict:
            self.verdict[-1] += data
        self.text.append(data)


@pytest.fixture(scope="module")
def con():
    connection = connect(report_db(), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def latest_week(con) -> IsoWeek:
    """The week holding the latest snapshot: its as-of state is what the marts describe."""
    return IsoWeek.of(latest_collection(con).astimezone(UTC).date())


@pytest.fixture(scope="module")
def latest_page(con, latest_week) -> Page:
    return Page(render_weekly(build_report(con, latest_week)))


@pytest.fixture(scope="module")
def default_page(con) -> Page:
    return Page(render_weekly(build_report(con)))


def _set(con, sql: str) -> set[str]:
    return {r[0] for r in con.execute(sql).fetchall()}


def test_weeks_parse():
    assert IsoWeek.parse("2026-W46").start == date(2026, 11, 9)
    assert IsoWeek.parse("2026w03").label == "2026-W03"
    assert IsoWeek.parse("2026-W01").previous().label == "2025-W52"
    with pytest.raises(InputError):
        IsoWeek.parse("2026-46")
    with pytest.raises(InputError):
        IsoWeek.parse("2025-W53")


def test_no_external_resources_and_js_embedded_once(default_page):
    assert default_page.external == []
    inline = [s for s in default_page.scripts if s.get("type") != "application/json"]
    assert all("src" not in s for s in default_page.scripts)
    assert len(inline) == 2  # the Vega bundle once, then the loop that embeds every chart


def test_every_chart_spec_is_valid_vega_lite(default_page):
    assert len(default_page.specs) == 7
    for name, spec in default_page.specs.items():
        svg = vlc.vegalite_to_svg(spec, vl_version=vega_lite_version())
        assert "<svg" in svg, name


def test_action_tables_list_exactly_what_the_marts_flag(con, latest_page, latest_week):
    """The week of the latest snapshot: every action table equals its mart's flags."""
    rows = latest_page.action_rows
    flagged = _set(con, "select phone_number from plivo_carrier_status where hidden_failure")
    assert flagged and set(rows.get("hidden-failures", [])) == flagged
    stuck = _set(con, "select phone_number from plivo_carrier_status where stuck_pending")
    assert set(rows.get("stuck-pending", [])) == stuck
    high = _set(con, "select phone_number from number_overview where registered_but_high")
    assert high and set(rows.get("registered-but-high", [])) == high
    drift = _set(
        con,
        f"select phone_number from score_drift_onsets where iso_week = '{latest_week.label}'",
    )
    assert drift and sorted(rows.get("score-drift", [])) == sorted(drift)  # once per number
    review = _set(
        con,
        "select phone_number from remediation_number_outcomes "
        "where bucket in ('requires_review', 'refused')",
    )
    assert set(rows.get("remediation-review", [])) <= review
    assert rows.get("remediation-review")
    newly = con.execute(
        "select coalesce(sum(newly_high), 0) from spam_risk_weekly where iso_week = ?",
        [latest_week.label],
    ).fetchone()[0]
    assert newly and len(rows.get("newly-high", [])) == newly


def test_past_weeks_list_what_the_models_flagged_at_the_time(con, latest_week):
    """Each earlier week: the Plivo tables equal the models' rules evaluated at that week's last
    Plivo run, registered-but-high equals number_overview as of that week, newly high equals
    spam_risk_weekly."""
    week, stuck_seen = latest_week.previous(), 0
    while week.start >= date(2025, 1, 6):
        page = Page(render_weekly(build_report(con, week)))
        cutoff = week.end_exclusive
        run = con.execute(
            "select max(run_id) from collection_runs "
            "where source = 'plivo' and status = 'succeeded' and collected_at < ?",
            [cutoff],
        ).fetchone()[0]
        if run is None:
            break
        at_run = f"from int_plivo_carrier_status_runs where run_id = {run}"
        for slug, flag in (
            ("hidden-failures", "hidden_failure"),
            ("stuck-pending", "stuck_pending"),
        ):
            expected = _set(con, f"select number {at_run} and {flag}")
            assert set(page.action_rows.get(slug, [])) == expected, (week, slug)
        stuck_seen += len(page.action_rows.get("stuck-pending", []))
        high = _set(
            con,
            "select phone_number from int_number_overview_weeks "
            f"where week_start = '{week.start}' and registered_but_high",
        )
        assert set(page.action_rows.get("registered-but-high", [])) == high, week
        newly = con.execute(
            "select coalesce(sum(newly_high), 0) from spam_risk_weekly where iso_week = ?",
            [week.label],
        ).fetchone()[0]
        assert len(page.action_rows.get("newly-high", [])) == newly, week
        week = week.previous()
    assert stuck_seen  # the synthetic history has registrations stuck in some week


def test_a_past_week_renders_the_same_facts_later(tmp_path, latest_week):
    """Render a past week, collect two more weeks and rebuild incrementally: same facts."""
    path = _copy_db(tmp_path)
    week = latest_week.previous().previous()

    def facts(con) -> tuple:
        report = build_report(con, week)
        page = Page(render_weekly(report))
        figures = [
            (f.label, f.value, f.previous)
            for f in report.headline + report.plivo_headline
            if "cost" not in f.label
        ]
        return page.action_rows, figures

    with connect(path) as db:
        before = facts(db)
        synthesize(db, numbers=NUMBERS, days=14, enterprises=3, days_from=DAYS)
        build(db, Pricing())
        after = facts(db)
    assert before == after


def test_markup_from_the_api_is_escaped(con, latest_week):
    report = build_report(con, latest_week)
    table = ActionTable(
        slug="x",
        title="Test",
        description="d",
        columns=[Column("phone_number", "Number", "phone"), Column("spam_category", "Category")],
        rows=[{"phone_number": "+12125550100", "spam_category": MARKUP}],
        total=1,
        export="number_overview",
        empty_message="none",
    )
    html = render_weekly(replace(report, actions=[table]))
    assert MARKUP not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    page = Page(html)
    assert MARKUP in "".join(page.text)
    # and the synthetic data's own markup category never reaches the page unescaped
    assert MARKUP not in render_weekly(report)


def test_long_action_tables_name_the_export(con, latest_week):
    report = build_report(con, latest_week)
    rows = [{"phone_number": f"+1212555{i:04d}"} for i in range(500)]
    table = ActionTable(
        "big",
        "Big",
        "d",
        [Column("phone_number", "Number", "phone")],
        rows,
        1234,
        "score_drift",
        "",
    )
    page_html = render_weekly(replace(report, actions=[table]))
    assert "734 more" in page_html
    assert "callrep export score_drift" in page_html
    assert len(Page(page_html).action_rows["big"]) == 500


def test_static_report_has_svg_charts_and_no_script(con):
    html = render_weekly(build_report(con, static=True))
    page = Page(html)
    assert page.scripts == []
    assert html.count("<svg") >= 7
    assert page.external == []


def test_a_week_without_collections_is_refused(con, latest_week):
    with pytest.raises(InputError, match=f"latest week with data is {latest_week}"):
        build_report(con, IsoWeek.parse("2020-W10"))


def _copy_db(tmp_path: Path) -> Path:
    target = tmp_path / "copy.duckdb"
    shutil.copyfile(report_db(), target)
    return target


def test_one_provider_and_no_remediation(tmp_path):
    path = _copy_db(tmp_path)
    with connect(path) as con:
        con.execute("delete from collection_runs where source = 'plivo'")
        con.execute("delete from remediation_outcomes")
        report = build_report(con)
    html = render_weekly(report)
    missing = f"No Plivo collection in {report.week}; none before it."
    page = Page(html)
    assert "No remediation request has been made yet." in html
    # every Plivo section says the source is missing, and none reassures
    assert html.count(missing) >= 5  # banner, headline, two tables, status and cost charts
    assert "No hidden carrier failure." not in html
    assert "No Plivo numbers collected." not in html
    assert not {"hidden-failures", "stuck-pending", "registered-but-high"} & set(page.action_rows)


def test_cli_writes_the_named_file(tmp_path):
    path = _copy_db(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(report_command, ["--db", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = list(out.glob("weekly-*.html"))
    assert len(written) == 1 and written[0].stat().st_size > 100_000
    bad = CliRunner().invoke(report_command, ["--db", str(path), "--week", "nope"])
    assert bad.exit_code != 0
