"""``callrep demo``."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.demo import run_demo
from analytics.store.database import published_path


@click.command(name="demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("callrep-demo"),
    show_default=True,
    help="Folder for the demo database, report and exports (recreated on each run).",
)
@click.option("--days", default=84, show_default=True, help="Simulated days to collect.")
@click.option("--seed", default=7, show_default=True, help="Simulator seed.")
def demo_command(out: Path, days: int, seed: int) -> None:
    """Simulate Telnyx and Plivo for 12 weeks, collect daily, build, report and export.

    \b
    Example:
      callrep demo --out /tmp/callrep-demo && xdg-open /tmp/callrep-demo/reports/*.html
    """
    with click.progressbar(length=days, label="collecting simulated days") as bar:
        result = run_demo(out, days, seed=seed, on_day=lambda _day: bar.update(1))
    for outcome in result.outcomes:
        note = f" ({outcome.error})" if outcome.error else ""
        click.echo(
            f"last day, {outcome.source}: {outcome.status}, {outcome.records:,} records{note}"
        )
    click.echo(f"database:  {result.db_path}  (readers: {published_path(result.db_path).name})")
    click.echo(f"report:    {result.report}")
    click.echo(f"exports:   {result.out / 'exports'}  ({len(result.exports)} marts as CSV)")
    click.echo(f"notebook:  notebooks/explore.ipynb reads CALLREP_DB (default: {result.db_path})")
