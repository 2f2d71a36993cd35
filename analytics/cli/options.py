"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from analytics.config import Settings, load_settings

db_option: Callable[[Any], Any] = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $CALLREP_DB, else ./callrep.duckdb).",
)


def account_option(text: str) -> Callable[[Any], Any]:
    """``--account NAME`` (repeatable), passed as ``accounts``: a tuple, empty for all."""
    return click.option("--account", "accounts", multiple=True, metavar="NAME", help=text)


def settings(db: Path | None) -> Settings:
    """Settings from the environment and callrep.toml, with ``--db`` overriding."""
    return load_settings(db=db)
