"""Render the week once: the report file written as ``callrep report`` writes it, and its mail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics.config import Pricing
from analytics.mail.body import MailBody, render_body
from analytics.report.weekly import Written, build_report, write_built
from analytics.report.weeks import IsoWeek


def write_and_render_mail(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    week: IsoWeek | None = None,
    *,
    pricing: Pricing | None = None,
    static: bool = False,
    warnings: Sequence[str] = (),
    now: datetime | None = None,
) -> tuple[Written, MailBody]:
    """Write ``out_dir/weekly-<week>.html`` and build the mail that carries it."""
    started = datetime.now(UTC)
    report = build_report(con, week, pricing=pricing, static=static, warnings=warnings, now=now)
    written, html = write_built(report, out_dir, started)
    return written, render_body(report, html, written.path.name)
