"""``callrep collect`` and ``callrep runs``."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from analytics.cli.alerts import alert
from analytics.cli.options import account_option, db_option, settings
from analytics.cli.progress import progress_for, quiet_option
from analytics.config import Settings
from analytics.errors import InputError, WriterLockedError
from analytics.notify import load_destinations
from analytics.orchestration import build_and_publish
from analytics.orchestration.collect import SourceOutcome, collect
from analytics.store.advisory import live_runs
from analytics.store.database import open_readonly
from analytics.store.location import lake_from_env
from analytics.store.runs import list_runs

SOURCES = ("telnyx", "plivo")


@click.command(name="collect")
@db_option
@click.option(
    "--source",
    "sources",
    type=click.Choice(SOURCES),
    multiple=True,
    help="Collect only this source (repeatable); its credentials are then required.",
)
@account_option("Collect only this account (repeatable); its credentials are then required.")
@click.option(
    "--alert",
    "with_alerts",
    is_flag=True,
    help="Then build the models and run `callrep alerts` (a failed delivery never fails it).",
)
@quiet_option
def collect_command(
    db: Path | None,
    sources: tuple[str, ...],
    accounts: tuple[str, ...],
    with_alerts: bool,
    quiet: bool,
) -> None:
    """Snapshot every configured account into the database (read-only API calls only).

    Each account is its own run: one failing never fails another (the exit status is 1
    and its line says FAILED). `--account NAME` runs one account, so one process per
    account works. On a terminal, shows each account's responses as they arrive; otherwise
    (or with --quiet) prints one summary line per account. With --alert, then builds the
    models and announces what needs action (see `callrep alerts`), a failed account included.

    \b
    Example:
      TELNYX_API_KEY=... callrep collect --db /var/lib/callrep/callrep.duckdb --alert
      callrep collect --account clinic-west     # one account of callrep.toml
    """
    config = settings(db)
    if with_alerts:
        load_destinations(config_file=config.notify.config_file)  # a bad URL stops before fetching
    with progress_for(quiet) as progress:
        outcomes = collect(config, only=sources, accounts=accounts, progress=progress)
    for outcome in outcomes:
        if outcome.status != "skipped":
            click.echo(describe(outcome))
    skipped = [o.label for o in outcomes if o.status == "skipped"]
    if skipped:
        click.echo(f"skipped (credentials not set): {', '.join(skipped)}")
    if with_alerts and any(o.status != "skipped" for o in outcomes):
        build_and_alert(config, quiet)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


def build_and_alert(config: Settings, quiet: bool) -> None:
    """Build, then alert; on a DuckLake, when another process holds the build lock (it
    builds, and alerts or leaves that to ``collect --alert``), skip both in one line."""
    try:
        with progress_for(quiet) as progress:
            build_and_publish(
                config.db_path, config.pricing, command="collect --alert", progress=progress
            )
        alert(config)
    except WriterLockedError as busy:
        if config.lake is None:
            raise
        click.echo(f"build and alerts skipped: {str(busy).split('; ')[0]}")


def describe(outcome: SourceOutcome) -> str:
    """One line per account (and one for the receiver's spooled callbacks, if any)."""
    run = f" (run {outcome.run_id})" if outcome.run_id is not None else ""
    if outcome.status == "failed":
        return f"{outcome.label}: FAILED{run}: {outcome.error}"
    return (
        f"{outcome.label}: ok{run}: {outcome.records:,} records, "
        f"{outcome.flagged:,} flagged, {outcome.requests:,} requests in {outcome.seconds:.1f} s"
    )


MAX_RUNS_LISTED = 1_000_000  # far beyond any ledger: two runs a day is 730 a year


def run_limit(value: str) -> int:
    """``--limit`` as a whole number from 1 to MAX_RUNS_LISTED; InputError otherwise."""
    text = value.strip()
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_RUNS_LISTED))
    if not digits or not 1 <= int(text) <= MAX_RUNS_LISTED:
        raise InputError(
            f"--limit: expected a whole number from 1 to {MAX_RUNS_LISTED:,}, got {value[:40]!r}"
        )
    return int(text)


@click.command(name="runs")
@db_option
@click.option(
    "--limit",
    default="20",
    show_default=True,
    metavar="N",
    help=f"How many runs to list (1 to {MAX_RUNS_LISTED:,}).",
)
def runs_command(db: Path | None, limit: str) -> None:
    """List the collection ledger, newest first.

    \b
    Example:
      callrep runs --limit 5
    """
    count = run_limit(limit)
    path = settings(db).db_path
    lake = lake_from_env()
    if lake is None and not path.exists():
        click.echo(f"no database at {path} yet")
        return
    con = open_readonly(path)
    try:
        rows = list_runs(con, count, partial(live_runs, lake) if lake else None)
    finally:
        con.close()
    if not rows:
        click.echo("no runs yet")
        return
    click.echo(
        f"{'run':>5}  {'source':<7} {'account':<12} {'status':<9} {'collected at (UTC)':<19}  "
        f"{'records':>9} {'flagged':>7} {'requests':>8}  error"
    )
    for r in rows:
        collected = r["collected_at"].strftime("%Y-%m-%d %H:%M:%S") if r["collected_at"] else ""
        click.echo(
            f"{r['run_id']:>5}  {r['source']:<7} {r['account']:<12} {r['status']:<9} "
            f"{collected:<19}  "
            f"{r['records'] or 0:>9,} {r['flagged'] or 0:>7,} {r['http_requests'] or 0:>8,}  "
            f"{r['error'] or ''}"
        )
