"""The ``callrep`` command line: thin wrappers that parse, call the library and print.

Each command lives in its own module, imported only when that command runs (or ``--help``
lists it), so that ``callrep collect`` never pays for the report's charting libraries. This
module only assembles the group and turns :class:`analytics.errors.CallrepError` into one line
on stderr and an exit status.
"""

from __future__ import annotations

import importlib
import sys

import click
import duckdb

from analytics import __version__
from analytics.cli.options import use_store
from analytics.errors import CallrepError
from analytics.store.database import is_damage
from analytics.store.transaction import first_line

# each command's name and where it is defined (module:attribute)
COMMANDS = {
    "alerts": "analytics.cli.alerts:alerts_command",
    "build": "analytics.cli.build:build",
    "callbacks": "analytics.cli.callbacks:callbacks",
    "collect": "analytics.cli.collect:collect_command",
    "demo": "analytics.cli.demo:demo_command",
    "export": "analytics.cli.export:export",
    "report": "analytics.cli.report:report",
    "runs": "analytics.cli.collect:runs_command",
    "simulator": "analytics.cli.simulator:simulator",
    "store": "analytics.cli.store:store",
}


class _Group(click.Group):
    """A click group that loads each command when it is asked for, and reports our errors as
    one line, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CallrepError as err:
            click.echo(f"callrep: error: {err}", err=True)
            sys.exit(err.exit_code)
        except duckdb.IOException as err:  # a full disk or damaged file met mid-query
            damaged = "the database is damaged: " if is_damage(str(err)) else ""
            click.echo(f"callrep: error: {damaged}{first_line(err)}", err=True)
            sys.exit(1)
        except OSError as err:  # e.g. ENOSPC or EROFS outside the store's own handling
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"callrep: error: {where}{err.strerror or err}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="callrep")
@click.option(
    "--store",
    "store_value",
    default=None,
    help="A DuckDB file or ducklake:postgres:<conninfo> ($CALLREP_STORE; store in the toml).",
)
@click.option(
    "--data-path",
    "data_path",
    default=None,
    help="A DuckLake's Parquet: a directory or s3://bucket/prefix ($CALLREP_DATA_PATH, data_path).",
)
def cli(store_value: str | None, data_path: str | None) -> None:
    """Caller-ID reputation analytics: collect, build, report.

    \b
    Example:
      callrep demo            # simulate both providers, collect 12 weeks, build, report
    """
    use_store(store_value, data_path)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="callrep")
