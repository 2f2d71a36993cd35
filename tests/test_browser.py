"""The report in headless Chromium (Debian's package, never a browser download): desktop and
phone screenshots, a PDF print counted with poppler's ``pdftoppm``, and checks that the key
column stays visible on a phone, that chart text never collides and that the demo-sized report
prints on at most 6 pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from analytics.report.weekly import write_report
from analytics.simulator.synth import synthesize
from analytics.store.database import connect
from tests.test_report_fixtures import build_models

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP, PHONE = 1280, 390
MAX_PDF_PAGES = 6
A4_PRINT_PX = 733  # A4's 210 mm less the print stylesheet's 2 x 8 mm margins, at 96 px per inch
# the demo's size: about 400 Telnyx numbers of 5 enterprises, 12 weeks of daily collections
DEMO_NUMBERS, DEMO_DAYS, DEMO_ENTERPRISES = 400, 84, 5

pytestmark = pytest.mark.browser


def _require(found: str | None, what: str) -> str:
    if not found:
        if os.environ.get("CALLREP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{what} is missing and CALLREP_REQUIRE_BROWSER=1")
        pytest.skip(f"{what} is not installed")
    return found


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    return _require(path, "chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo-sized report, written once for the module."""
    root = tmp_path_factory.mktemp("browser")
    with connect(root / "callrep.duckdb") as con:
        synthesize(con, numbers=DEMO_NUMBERS, days=DEMO_DAYS, enterprises=DEMO_ENTERPRISES)
        build_models(con)
        return write_report(con, root / "reports").path


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Any, html: Path, width: int) -> tuple[Any, list[str], list[str]]:
    """The report at ``width`` with every chart drawn; the console errors and requests seen."""
    errors: list[str] = []
    requests: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    count = page.locator("[data-vega-spec]").count()
    assert count == 7
    page.wait_for_function(
        "n => document.querySelectorAll('[data-vega-spec] svg').length >= n",
        arg=count,
        timeout=20_000,
    )
    return page, errors, requests


# Every visible text of every chart, as boxes; Vega hides an axis label it drops for overlap
# by giving it opacity 0, so those do not count.
_CHART_TEXT = """() => [...document.querySelectorAll('[data-vega-spec] svg')].map(svg =>
  [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()
      && getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0'
      && !t.closest('[opacity="0"]'))
    .map(t => { const r = t.getBoundingClientRect();
      return {text: t.textContent, x: r.left, y: r.top, w: r.width, h: r.height}; }))"""


def _collisions(boxes: list[dict[str, Any]], slack: float = 1.5) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx > slack and dy > slack:
                out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_report_draws_on_desk_and_phone(browser, report_html: Path, width: int):
    page, errors, requests = _open(browser, report_html, width)
    try:
        shot = report_html.parent / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        charts_cut = page.evaluate(
            """() => [...document.querySelectorAll('[data-vega-spec]')].filter(el => {
                 const svg = el.querySelector('svg');
                 return svg.getBoundingClientRect().width > el.clientWidth + 1; })
               .map(el => el.getAttribute('data-vega-spec'))"""
        )
        text = page.evaluate(_CHART_TEXT)
    finally:
        page.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert overflow <= 1  # no sideways scrolling of the page itself (tables scroll inside)
    assert charts_cut == []  # every chart, its legend included, fits its card
    assert all(_collisions(boxes) == [] for boxes in text), [_collisions(b) for b in text]
    assert shot.stat().st_size > 10_000


def test_key_column_stays_visible_on_a_phone(browser, report_html: Path):
    page, _, _ = _open(browser, report_html, PHONE)
    try:
        # scroll every table as far right as it goes, then look where each row's key cell is
        seen = page.evaluate(
            """() => [...document.querySelectorAll('.table-wrap')].map(wrap => {
                 wrap.scrollIntoView({block: 'start'});
                 wrap.scrollLeft = wrap.scrollWidth;
                 const box = wrap.getBoundingClientRect();
                 // the rows in view (the wrapper also scrolls down on long tables)
                 const keys = [...wrap.querySelectorAll('tbody th[scope=row]')]
                   .filter(k => k.getBoundingClientRect().bottom <= box.bottom).slice(0, 5);
                 return {scrolls: wrap.scrollWidth > wrap.clientWidth, keys: keys.map(k => {
                   const r = k.getBoundingClientRect();
                   return r.left >= box.left - 1 && r.right <= Math.min(box.right, innerWidth) + 1
                     && document.elementFromPoint(r.left + 2, r.top + r.height / 2)
                        ?.closest('th') === k; })}; })"""
        )
    finally:
        page.close()
    assert any(t["scrolls"] for t in seen)  # the phone is narrow enough to need it
    assert all(t["keys"] and all(t["keys"]) for t in seen), seen


def test_demo_sized_report_prints_on_at_most_six_pages(browser, report_html: Path):
    pdftoppm = _require(shutil.which("pdftoppm"), "pdftoppm (apt-get install poppler-utils)")
    # laid out as wide as an A4 page inside the print margins: nothing may be wider, or
    # Chromium would shrink the whole print to fit and its 9 pt text with it
    page, errors, _ = _open(browser, report_html, A4_PRINT_PX)
    pdf = report_html.parent / "report.pdf"
    try:
        page.emulate_media(media="print")
        too_wide = page.evaluate(
            """w => [...document.querySelectorAll('main *')]
                 .filter(e => e.offsetParent && e.getBoundingClientRect().right > w + 1)
                 .map(e => e.tagName + (e.id ? '#' + e.id : '')).slice(0, 5)""",
            A4_PRINT_PX,
        )
        page.pdf(path=str(pdf), format="A4", print_background=True)
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                 .filter(e => e.offsetParent && [...e.childNodes].some(
                   n => n.nodeType === 3 && n.textContent.trim()))
                 .map(e => parseFloat(getComputedStyle(e).fontSize))"""
        )
        rows_printed = page.evaluate(
            """() => [...document.querySelectorAll('table[data-action]')].map(t =>
                 [...t.tBodies[0].rows].filter(r => getComputedStyle(r).display !== 'none')
                 .length)"""
        )
    finally:
        page.close()
    pages = report_html.parent / "pages"
    pages.mkdir(exist_ok=True)
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(pages / "page")], check=True)
    count = len(list(pages.glob("page-*.png")))
    assert errors == []
    assert too_wide == []  # printed at 1:1
    assert 1 <= count <= MAX_PDF_PAGES, f"{count} pages: {pdf}"
    assert min(sizes) >= 12  # 12 px = 9 pt: no printed text smaller
    assert max(rows_printed) <= 25  # long tables cut; the export lists the rest
