"""``callrep export``: any documented mart to CSV, Parquet or JSON."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from analytics.cli.options import account_option, db_option, settings
from analytics.errors import InputError
from analytics.export.marts import (
    FORMATS,
    check_mart,
    default_filename,
    documented_marts,
    export_mart,
    resolve_format,
)
from analytics.store.database import open_readonly


@click.command(name="export")
@click.argument("mart", required=False)
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format (default: from --out's extension, else csv).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file, or - for stdout (default: ./<mart>.<format>).",
)
@click.option(
    "--since",
    default=None,
    metavar="YYYY-MM-DD",
    help="Only rows on or after this date, on the mart's date column (see --list).",
)
@account_option("Only this account's rows (repeatable), for a mart with an account column.")
@click.option("--list", "list_marts", is_flag=True, help="Name the documented marts and exit.")
def export(
    mart: str | None,
    db: Path | None,
    fmt: str | None,
    out: Path | None,
    since: str | None,
    accounts: tuple[str, ...],
    list_marts: bool,
) -> None:
    """Write a documented mart through DuckDB's own writers (written to a temp file, renamed).

    \b
    Example:
      callrep export spam_risk_weekly --out weekly.parquet --since 2026-09-01
      callrep export score_drift --format json --out - | jq length
      callrep export plivo_ein_cost_monthly --account clinic-west
      callrep export --list
    """
    if list_marts:
        for doc in documented_marts():
            since_note = f" [--since: {doc.since_column}]" if doc.since_column else ""
            click.echo(f"{doc.name:<28} {doc.purpose}{since_note}")
        return
    if not mart:
        raise InputError("MART is required (see `callrep export --list`)")
    check_mart(mart)
    fmt = resolve_format(fmt, out)
    since_date = None
    if since:
        try:
            since_date = datetime.strptime(since, "%Y-%m-%d").date()
        except ValueError:
            raise InputError(f"--since {since!r}: expected a date such as 2026-09-01") from None
    target = out or default_filename(mart, fmt)
    con = open_readonly(settings(db).db_path)
    try:
        rows = export_mart(con, mart, target, fmt, since_date, accounts)
    finally:
        con.close()
    click.echo(f"{mart}: {rows:,} rows -> {target}", err=str(target) == "-")
