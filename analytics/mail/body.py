"""The mail-sized body of the weekly report: the verdict, the tiles, the top rows of each action
list and the charts as PNG images referenced by Content-ID.

Common mail clients render no inline SVG and run no script, and some clip a body over ~100 KB,
so the body carries none of either and stays small; the full interactive report is attached.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from typing import Any

import vl_convert as vlc
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from analytics.report.assets import vega_lite_version
from analytics.report.context import ActionTable, Chart, WeeklyReport
from analytics.report.render import FILTERS, environment
from analytics.resources import reports_dir

TOP_ROWS = 5  # rows of each action list in the body; the rest: its export and the attachment
PNG_SCALE = 2  # device pixels per CSS pixel, so the charts stay sharp on high-density screens
SUBJECT_LIMIT = 150
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Image:
    """One chart as PNG; ``cid`` is its Content-ID and its file name."""

    cid: str
    title: str
    png: bytes
    width: int  # CSS pixels (the PNG has PNG_SCALE times as many)
    height: int


@dataclass(frozen=True)
class MailTable:
    """The top rows of one action list, and how many more its export lists."""

    table: ActionTable
    rows: list[dict[str, Any]]

    @property
    def more(self) -> int:
        return max(0, self.table.total - len(self.rows))


@dataclass(frozen=True)
class MailBody:
    """Everything a mail carries: subject, both bodies, the images and the attached report."""

    subject: str
    html: str
    text: str
    images: tuple[Image, ...]
    attachment_name: str
    attachment: bytes  # the full report, UTF-8 HTML


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, read from its IHDR chunk; ValueError if not a PNG."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def chart_image(chart: Chart) -> Image:
    """``chart``'s Vega-Lite spec (the report's own) rendered to PNG; no external data."""
    # opaque: on a transparent image a dark-mode client would put dark text on dark
    spec = {**(chart.spec or {}), "background": "#ffffff"}
    png = vlc.vegalite_to_png(
        spec, vl_version=vega_lite_version(), scale=PNG_SCALE, allowed_base_urls=[]
    )
    width, height = png_size(png)
    return Image(
        cid=f"chart-{chart.slug}.png",
        title=chart.title,
        png=png,
        width=round(width / PNG_SCALE),
        height=round(height / PNG_SCALE),
    )


@cache
def text_environment() -> Environment:
    """The plain-text twin of the report's environment: the same filters, no HTML escaping."""
    env = Environment(  # plain text, never HTML: nothing to escape
        loader=FileSystemLoader(str(reports_dir())),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def subject(report: WeeklyReport) -> str:
    """``Caller reputation 2026-W48: <the verdict's first sentence>``, kept to one short line."""
    text = f"Caller reputation {report.week.label}"
    if report.verdict:
        text += f": {report.verdict[0]}"
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_LIMIT else text[: SUBJECT_LIMIT - 1].rstrip() + "…"


def render_body(report: WeeklyReport, full_html: str, attachment_name: str) -> MailBody:
    """The mail for ``report``, whose full rendering ``full_html`` goes along as an attachment."""
    images = {c.slug: chart_image(c) for c in report.charts if c.spec is not None}
    tables = [MailTable(t, t.rows[:TOP_ROWS]) for t in report.actions]
    values = {
        "report": report,
        "tables": tables,
        "images": images,
        "attachment_name": attachment_name,
        "top_rows": TOP_ROWS,
    }
    html = environment().get_template("mail.html.j2").render(**values)
    text = text_environment().get_template("mail.txt.j2").render(**values)
    return MailBody(
        subject=subject(report),
        html=html,
        text=text,
        images=tuple(images.values()),
        attachment_name=attachment_name,
        attachment=full_html.encode("utf-8"),
    )
