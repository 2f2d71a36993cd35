"""Run the report's SQL files (``queries/report/*.sql``) with named parameters."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from analytics.models.discovery import body_words, discover
from analytics.resources import queries_dir

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@cache
def report_sql(name: str) -> str:
    """The text of ``queries/report/<name>.sql``."""
    path: Path = queries_dir() / "report" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def parameters_of(sql: str) -> set[str]:
    """The ``$name`` parameters a query uses (comments excluded)."""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return set(_PARAM.findall(body))


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> None:
    """Execute a statement file (the ``_stage_*`` files create temp tables)."""
    sql = report_sql(name)
    con.execute(sql, {k: params[k] for k in sorted(parameters_of(sql))})


def rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run a query file; each row as a dict keyed by column name."""
    sql = report_sql(name)
    cursor = con.execute(sql, {k: params[k] for k in sorted(parameters_of(sql))})
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@cache
def models_read() -> tuple[str, ...]:
    """The models (``queries/`` staging, intermediate, marts) the report's SQL files read.

    Found in the SQL itself, as :func:`analytics.models.discovery.discover` finds dependencies,
    so the list the report checks before it runs can never drift from what it reads.
    """
    words: set[str] = set()
    for path in sorted((queries_dir() / "report").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        words |= body_words(text.split("\n", 1)[1] if "\n" in text else "")
    return tuple(m.name for m in discover() if m.name in words)
