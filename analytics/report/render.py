"""The Jinja environment (autoescape, strict undefined, filters registered here) and rendering."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import phonenumbers
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from analytics.report.assets import vega_bundle, vega_lite_version
from analytics.report.context import Chart, Figure, WeeklyReport
from analytics.report.draw import Drawer
from analytics.resources import reports_dir

STATIC_WIDTH = 720
# Static SVG text is measured by vl-convert, not by the reader's browser: name a face with
# Arial's metrics that vl-convert and every browser find (Liberation Sans on Linux, Arial or
# Helvetica elsewhere), never system-ui, which the two may resolve to faces of other widths
# (a browser's DejaVu Sans for system-ui clipped the labels). It is also twice as quick to
# measure as DejaVu Sans.
STATIC_FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


def fmt_number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float | Decimal) and value != int(value):
        return f"{value:,.1f}"
    return f"{int(value):,}"


def fmt_percent(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def fmt_usd(value: Any) -> str:
    return "–" if value is None else f"USD {float(value):,.2f}"


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value (DuckDB ``timestamp``) is already UTC, never local."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fmt_date(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = as_utc(value).date()
    return value.isoformat() if isinstance(value, date) else str(value)


def fmt_datetime(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")
    return fmt_date(value)


def fmt_time_of_day(value: Any) -> str:
    """``14:05 UTC`` (the part of :func:`fmt_datetime` after the date; print leaves it out)."""
    return as_utc(value).strftime("%H:%M UTC") if isinstance(value, datetime) else ""


def fmt_figure(figure: Figure, value: Any = None, *, signed: bool = False) -> str:
    """A figure's value (or ``value``, e.g. its change) in the figure's unit."""
    v = figure.value if value is None and not signed else value
    if v is None:
        return "–"
    sign = "+" if signed and v > 0 else ""
    if figure.kind == "percent":
        text = f"{float(v) * 100:.1f}" + (" pp" if signed else "%")
        return sign + text
    if figure.kind == "usd":
        return sign + fmt_usd(v)
    return sign + fmt_number(v)


def fmt_cell(value: Any, kind: str) -> str:
    """One table cell, by column kind."""
    if value is None:
        return "–"
    if kind == "date":
        return fmt_date(value)
    if kind == "datetime":
        return fmt_datetime(value)
    if kind in ("number", "score"):
        return fmt_number(value)
    if kind == "usd":
        return fmt_usd(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def fmt_national(value: Any) -> str:
    """A phone number's readable national format (``(212) 555-0100``), or ``""`` when
    ``phonenumbers`` cannot parse it as a possible number (the E.164 form is shown anyway)."""
    if not isinstance(value, str) or not value.startswith("+"):
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def css_token(value: Any) -> str:
    """A safe CSS class suffix from a status value (letters, digits and dashes only)."""
    return "".join(c if c.isalnum() else "-" for c in str(value).lower())[:32]


FILTERS = {
    "number": fmt_number,
    "percent": fmt_percent,
    "usd": fmt_usd,
    "date": fmt_date,
    "datetime": fmt_datetime,
    "time_of_day": fmt_time_of_day,
    "figure": fmt_figure,
    "cell": fmt_cell,
    "css_token": css_token,
    "national": fmt_national,
}


@cache
def environment() -> Environment:
    """The one Jinja environment: templates from ``reports/``, every filter registered here."""
    env = Environment(
        loader=FileSystemLoader(str(reports_dir())),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def with_assets(report: WeeklyReport) -> WeeklyReport:
    """Attach the Vega bundle (interactive) or each chart's inline SVG (``static``; charts
    already drawn, e.g. by :class:`StaticCharts` while the report was built, are kept)."""
    if not report.static:
        return replace(report, vega_js=vega_bundle())
    if any(c.spec is not None and c.svg is None for c in report.charts):
        drawing = StaticCharts()
        for chart in report.charts:
            drawing.send(chart)
        report = replace(report, charts=drawing.drawn(report.charts))
    return replace(report, vega_js="")


class StaticCharts:
    """Charts drawn to SVG in a worker process as they are built.

    The worker starts (and warms up) at once; :meth:`send` each chart as soon as it has its
    spec, and it is drawn while the caller builds the others and runs its remaining queries;
    :meth:`drawn` waits for them all.
    """

    def __init__(self) -> None:
        self._drawer = Drawer(vega_lite_version())
        self._sent: list[str] = []

    def send(self, chart: Chart) -> None:
        """Start drawing ``chart`` (one without a spec has nothing to draw)."""
        if chart.spec is not None:
            self._drawer.send(_static_spec(chart))
            self._sent.append(chart.slug)

    def drawn(self, charts: list[Chart]) -> list[Chart]:
        """``charts`` with the SVG of each chart sent, once the worker has drawn them all."""
        by_slug = dict(zip(self._sent, self._drawer.results(), strict=True))
        return [replace(c, svg=by_slug[c.slug]) if c.slug in by_slug else c for c in charts]


def _static_spec(chart: Chart) -> dict[str, Any]:
    """One chart's spec for static SVG: a fixed width and the font its text is measured with."""
    spec = copy.deepcopy(chart.spec or {})
    _fix_width(spec)
    spec.setdefault("config", {})["font"] = STATIC_FONT
    return spec


def _fix_width(spec: dict[str, Any]) -> None:
    """``container`` widths need a browser; give static renders a fixed width."""
    if spec.get("width") == "container":
        spec["width"] = STATIC_WIDTH
    for part in spec.get("hconcat", []):
        if part.get("width") == "container":
            part["width"] = STATIC_WIDTH - 220


def render_weekly(report: WeeklyReport) -> str:
    """The weekly report as one self-contained HTML page."""
    return environment().get_template("weekly.html").render(report=with_assets(report))
