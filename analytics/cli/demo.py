"""``callrep demo``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from analytics.cli.progress import progress_for, quiet_option
from analytics.orchestration.demo import DemoResult, run_demo
from analytics.progress import SILENT
from analytics.resources import demo_database, project_root
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
@quiet_option
def demo_command(out: Path, days: int, seed: int, quiet: bool) -> None:
    """Simulate Telnyx and Plivo for 12 weeks, collect daily, build, report and export.

    On a terminal, shows each stage as it runs, then where everything went; otherwise (or
    with --quiet) prints one summary line with the report's and the database's paths.

    \b
    Example:
      callrep demo --out /tmp/callrep-demo && xdg-open /tmp/callrep-demo/reports/*.html
    """
    with progress_for(quiet) as progress:
        result = run_demo(out, days, seed=seed, progress=progress)
        shown = progress is not SILENT
    failed = [o for o in result.outcomes if o.status != "succeeded"]
    for outcome in failed:
        click.echo(f"callrep: warning: last day, {outcome.source}: {outcome.error}", err=True)
    if not shown:
        click.echo(summary(result))
        return
    click.echo(f"database:  {result.db_path}  (readers: {published_path(result.db_path).name})")
    click.echo(f"report:    {result.report}")
    click.echo(f"exports:   {result.out / 'exports'}  ({len(result.exports)} marts as CSV)")
    click.echo(f"notebook:  {notebook_command(result.db_path)}")
    click.echo(f"demo: {_counts(result)} in {result.seconds:.1f} s")


def summary(result: DemoResult) -> str:
    """The demo in one line: what it did, where the report and the database are."""
    return (
        f"demo: {_counts(result)} in {result.seconds:.1f} s; report {result.report}; "
        f"database {result.db_path}"
    )


def _counts(result: DemoResult) -> str:
    built = len(result.built.models) if result.built else 0
    return (
        f"{result.days} days collected, {built} models built, {len(result.exports)} marts exported"
    )


def notebook_command(db_path: Path) -> str:
    """The command that opens the notebook on ``db_path``, as it can be pasted."""
    notebook = project_root() / "notebooks" / "explore.ipynb"
    # JupyterLab from requirements/notebook.lock lives next to callrep
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        jupyter = Path("jupyter")
    env = "" if db_path == demo_database() else f"CALLREP_DB={shlex.quote(str(db_path))} "
    return f"{env}{shlex.quote(str(jupyter))} lab {shlex.quote(str(notebook))}"
