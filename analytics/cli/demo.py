"""``callrep demo``."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.demo import run_demo


@click.command(name="demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("callrep-demo"),
    show_default=True,
    help="Folder for the demo database and outputs (recreated on each run).",
)
@click.option("--days", default=84, show_default=True, help="Simulated days to collect.")
@click.option("--seed", default=7, show_default=True, help="Simulator seed.")
def demo_command(out: Path, days: int, seed: int) -> None:
    """Simulate Telnyx and Plivo, collect once per simulated day, and summarise.

    \b
    Example:
      callrep demo --days 28 --out /tmp/callrep-demo
    """
    with click.progressbar(length=days, label="collecting simulated days") as bar:
        result = run_demo(out, days, seed=seed, on_day=lambda _day: bar.update(1))
    for outcome in result.outcomes:
        click.echo(
            f"last day, {outcome.source}: {outcome.status}, {outcome.records:,} records"
            + (f" ({outcome.error})" if outcome.error else "")
        )
    click.echo(f"database: {result.db_path}")
