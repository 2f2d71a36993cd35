"""Options shared by several commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from analytics.config import Settings, load_settings, store_setting
from analytics.store.location import DATA_PATH_ENV, STORE_ENV, is_lake

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


def use_store(store: str | None, data_path: str | None) -> None:
    """Check the store that ``--store``/``--data-path``, the environment or callrep.toml
    names (in that order), then put the flags and a DuckLake from the file into the
    environment, where every command (and the processes it starts) finds it."""
    flags = {STORE_ENV: store, DATA_PATH_ENV: data_path}
    chosen = {k: v for k, v in flags.items() if v}
    value, path = store_setting({**os.environ, **chosen})  # a bad one: one line, nothing run
    if is_lake(value):
        chosen |= {STORE_ENV: value, **({DATA_PATH_ENV: path} if path else {})}
    os.environ.update(chosen)
