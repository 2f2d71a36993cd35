"""``callrep simulator synth``: write a synthetic collection history straight into a database."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click

from analytics.cli.progress import progress_for, quiet_option
from analytics.simulator.synth import DEFAULT_START, days_written, synthesize
from analytics.store.database import connect, writer
from analytics.store.schema import migrate


@click.command(name="synth")
@click.option("--numbers", default=100_000, show_default=True, help="Monitored Telnyx numbers.")
@click.option("--days", default=365, show_default=True, help="Days of history to write.")
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="DuckDB file to write: a new one, or one marked synthetic by an earlier synth.",
)
@click.option("--seed", default=7, show_default=True, help="Seed: same seed, same rows.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=DEFAULT_START.isoformat(),
    show_default=True,
    help="First day (UTC).",
)
@click.option("--enterprises", default=3, show_default=True, help="Telnyx enterprises.")
@click.option(
    "--append-day",
    "append_days",
    type=int,
    default=0,
    help="Append this many days after the history already in --db (same --numbers/--seed/--start).",
)
@quiet_option
def synth(
    numbers: int,
    days: int,
    db: Path,
    seed: int,
    start: object,
    enterprises: int,
    append_days: int,
    quiet: bool,
) -> None:
    """Generate realistic snapshot history inside DuckDB (no HTTP), for benchmarks and demos.

    The database is marked synthetic; one holding real data is refused, untouched. On a
    terminal, shows each group of tables as it is written; otherwise (or with --quiet)
    prints one summary line.

    \b
    Example:
      callrep simulator synth --numbers 100000 --days 365 --db /tmp/year.duckdb
      callrep simulator synth --numbers 100000 --db /tmp/year.duckdb --append-day 1
    """
    first: date = start.date()  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    with writer(db, "simulator synth"), progress_for(quiet) as progress:
        con = connect(db)
        try:
            migrate(con)
            days_from = days_written(con, first) if append_days else 0
            count = append_days or days
            written = synthesize(
                con, numbers, count, seed, first, enterprises, days_from, progress=progress
            )
        finally:
            con.close()
    seconds = time.perf_counter() - t0
    click.echo(
        f"wrote days {days_from}..{days_from + count - 1} to {db} in {seconds:.1f} s: "
        f"{sum(written.values()):,} rows in {len(written)} tables "
        f"({written['telnyx_number_snapshots']:,} Telnyx number snapshots)"
    )
