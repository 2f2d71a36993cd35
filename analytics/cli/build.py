"""``callrep build``: turn the collected snapshots into the marts."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.cli.options import db_option, settings
from analytics.cli.progress import progress_for, quiet_option
from analytics.errors import StoreError
from analytics.orchestration import build_and_publish
from analytics.store.location import lake_from_env


@click.command(name="build")
@db_option
@click.option(
    "--full", is_flag=True, help="Rebuild every model from scratch (default: incremental)."
)
@click.option("--verbose", "-v", is_flag=True, help="Print each model with its time.")
@quiet_option
def build(db: Path | None, full: bool, verbose: bool, quiet: bool) -> None:
    """Build the SQL models in queries/ (staging, intermediate, marts) into the database.

    Incremental by default: only days touched by runs collected since the last build are
    recomputed. Publishes the read-only copy afterwards. On a terminal, shows the models
    as they build; otherwise (or with --quiet) prints one summary line.

    \b
    Example:
      callrep build --db callrep.duckdb
    """
    conf = settings(db)
    if lake_from_env() is None and not conf.db_path.exists():
        raise StoreError(f"no database at {conf.db_path}; run `callrep collect` first")
    with progress_for(quiet) as progress:
        report = build_and_publish(conf.db_path, conf.pricing, full=full, progress=progress)
    if verbose:
        for model in report.models:
            click.echo(f"  {model.name:<36} {model.mode:<12} {model.seconds:7.2f} s")
    click.echo(report.summary())
