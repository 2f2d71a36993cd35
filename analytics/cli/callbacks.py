"""``callrep callbacks``: load Plivo Caller Reputation status callbacks from a spool file."""

from __future__ import annotations

import os
from pathlib import Path

import click

from analytics.callbacks import ingest as ingest_spool
from analytics.config import load_settings
from analytics.errors import ConfigError


@click.group()
def callbacks() -> None:
    """Plivo status callbacks: near-exact times of final carrier decisions."""


@callbacks.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--db", type=click.Path(path_type=Path), help="DuckDB file (default: $CALLREP_DB).")
@click.option(
    "--auth-id",
    help="Plivo auth ID whose callbacks to accept (default: $PLIVO_AUTH_ID).",
)
def ingest(file: Path, db: Path | None, auth_id: str | None) -> None:
    """Load a callback spool (one JSON payload per line, plus `received_at`) into the store.

    Lines for another account, that do not parse or that pass 64 KiB are rejected and
    counted; re-ingesting a file adds nothing twice. FILE is streamed: a regular file or a
    pipe (a device is refused).

    \b
    Example:
      callrep callbacks ingest spool/plivo-callbacks.jsonl --db callrep.duckdb
    """
    account = (auth_id or os.environ.get("PLIVO_AUTH_ID", "")).strip()
    if not account:
        raise ConfigError("PLIVO_AUTH_ID is not set; set it or pass --auth-id")
    if not account.isalnum():
        raise ConfigError("--auth-id / PLIVO_AUTH_ID: expected letters and digits only")
    # Only the database path is needed: no Plivo token is required to read a spool.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLIVO_")}
    settings = load_settings(env, db=db)
    result = ingest_spool(file, settings.db_path, account)
    for line in result.summary():
        click.echo(line)
