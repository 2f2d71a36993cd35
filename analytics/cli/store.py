"""``callrep store``: move a file store into a DuckLake, and keep a DuckLake tidy."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.cli.options import db_option, settings
from analytics.config import store_setting
from analytics.errors import ConfigError
from analytics.store.copy import maintain, migrate_to_lake
from analytics.store.location import DATA_PATH_ENV, lake_from_env, parse_lake


@click.group(name="store")
def store() -> None:
    """Manage where callrep keeps its data (a DuckDB file, or a DuckLake).

    \b
    Example:
      callrep store migrate --to 'ducklake:postgres:dbname=callrep host=db' \\
          --data-path s3://callrep/lake
    """


@store.command(name="migrate")
@db_option
@click.option("--to", "target", required=True, help="The DuckLake: ducklake:postgres:<conninfo>.")
@click.option(
    "--data-path",
    "data_path",
    default=None,
    help=f"Where the lake's Parquet goes (default: ${DATA_PATH_ENV}, else data_path).",
)
def migrate_command(db: Path | None, target: str, data_path: str | None) -> None:
    """Copy the database file (every table and run) into an empty DuckLake.

    The counts of every table are checked on both sides; the file is only read, and stays
    as it was. Afterwards set CALLREP_STORE (or `store` in callrep.toml) to the lake.

    \b
    Example:
      callrep store migrate --db callrep.duckdb \\
          --to 'ducklake:postgres:dbname=callrep host=127.0.0.1 user=callrep' \\
          --data-path /srv/callrep/lake
    """
    lake = parse_lake(target, data_path or store_setting()[1])  # else $CALLREP_DATA_PATH, toml
    copied = migrate_to_lake(settings(db).db_path, lake)
    click.echo(copied.summary())


@store.command(name="maintain")
@click.option(
    "--keep-days",
    type=int,
    default=7,
    show_default=True,
    help="Keep snapshots (time travel) this many days.",
)
def maintain_command(keep_days: int) -> None:
    """Merge the lake's small Parquet files, expire old snapshots, delete unneeded files.

    Uses DuckLake's own functions; safe while collectors run. Run it weekly from cron.

    \b
    Example:
      callrep --store 'ducklake:postgres:dbname=callrep host=db' --data-path s3://b/lake \\
          store maintain --keep-days 7
    """
    lake = lake_from_env()
    if lake is None:
        raise ConfigError("store maintain: the store is a file; set --store ducklake:postgres:...")
    for line in maintain(lake, keep_days):
        click.echo(line)
