"""The report in headless Chromium (Debian's package, never a browser download)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from analytics.report.weekly import write_report
from tests.test_report_fixtures import report_db

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if os.environ.get("CALLREP_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is missing and CALLREP_REQUIRE_BROWSER=1")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


@pytest.mark.parametrize("width", [1280, 400])
def test_charts_render_without_console_errors(tmp_path: Path, width: int):
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    con = duckdb.connect(str(report_db()), read_only=True)
    try:
        written = write_report(con, tmp_path)
    finally:
        con.close()
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(written.path.as_uri())
            charts = page.locator("[data-vega-spec]")
            count = charts.count()
            assert count == 7
            page.wait_for_function(
                "n => document.querySelectorAll('[data-vega-spec] svg, [data-vega-spec] canvas')"
                ".length >= n",
                arg=count,
                timeout=15_000,
            )
            page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        finally:
            browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert overflow <= 1  # no sideways scrolling of the page itself (tables scroll inside)
    assert (tmp_path / f"report-{width}.png").stat().st_size > 10_000
