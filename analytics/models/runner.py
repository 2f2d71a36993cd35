"""Materialising the models: views, tables, and incremental tables, in dependency order.

Before each build the runner writes the one-row ``callrep_settings`` table from
:class:`analytics.config.Pricing` and ``us_federal_holidays``
(:mod:`analytics.models.calendar`), and works out the first UTC day any new successful run
touched (``since``). Incremental models are then rebuilt only from that day on:

* the runner sets the DuckDB variable ``callrep_since`` to ``since`` truncated to the
  model's ``incremental_grain`` (1900-01-01 on a full build, 9999-12-31 when no run is new);
* it deletes the model's rows with ``incremental_on >= callrep_since`` and inserts what the
  model's SQL returns; the SQL reads only rows from ``getvariable('callrep_since')`` on.

A table model may read its own previous rows (its name appears in its SQL:
:attr:`analytics.models.discovery.Model.reads_itself`) and recompute only what the new runs
touched: the runner sets ``callrep_since`` to ``since`` (day grain) and replaces the table
by what the SQL returns. On a full build, when the table is missing, or when its SQL or
settings or those of a model it depends on changed, the runner first empties it: the SQL
then reads no previous rows (through a temporary view of its header's ``-- columns:``, all
null, which also gives a first build the relation to read) and computes every row.

A full build (``full=True``, a first build, or an incremental model whose SQL or settings
changed: :func:`analytics.models.state.changed_models`) recreates every
table from scratch; both paths give the same rows (``tests/test_models_telnyx_incremental.py``).
Each model is replaced in its own transaction (one build-wide transaction would hold every
new table in memory); a view whose SQL is unchanged is kept as it is, except on a full build.
A build that fails part-way is safe to repeat: the build is recorded only at the end, so the
next build recomputes from the same ``since`` (delete + insert of the same days is idempotent)
or, after a failed full build, from the same starting point.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb

from analytics.config import Pricing
from analytics.errors import ConfigError
from analytics.models import state
from analytics.models.calendar import write_holidays
from analytics.models.discovery import Model, discover
from analytics.progress import SILENT, Progress
from analytics.store.lake import on_lake
from analytics.store.transaction import transaction

DEFAULT_MEMORY = "1500MB"
MIN_MEMORY = 64 * 2**20  # below this DuckDB cannot build the models
MAX_MEMORY = 2**50  # 1024 TiB: beyond any host, and within what DuckDB accepts
_SIZE = re.compile(r"([0-9]{1,15}(?:\.[0-9]{1,9})?)\s*([KMGT]i?B|B)", re.IGNORECASE)
_UNITS = {
    "b": 1,
    **{f"{p}b": 1000 ** (i + 1) for i, p in enumerate("kmgt")},
    **{f"{p}ib": 1024 ** (i + 1) for i, p in enumerate("kmgt")},
}
FULL_SINCE = date(1900, 1, 1)
NOTHING_NEW = date(9999, 12, 31)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class ModelResult:
    """How one model was built."""

    name: str
    materialized: str
    mode: str  # view | kept (an unchanged view) | table | full | incremental
    seconds: float


@dataclass
class BuildReport:
    """What a build did: every model with its time, and the range it covered."""

    full: bool
    since: date | None
    run_id: int | None
    seconds: float = 0.0
    models: list[ModelResult] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)  # the successful runs this build covers

    def summary(self) -> str:
        """One line for the command line."""
        kind = (
            "full"
            if self.full
            else f"incremental from {self.since}"
            if self.since
            else "no new runs"
        )
        return f"built {len(self.models)} models ({kind}) in {self.seconds:.2f} s"


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """Session settings for building: bounded memory, all cores, UTC."""
    con.execute(f"set memory_limit = '{memory_limit(os.environ.get('CALLREP_MEMORY_LIMIT'))}'")
    con.execute(f"set threads = {max(1, os.cpu_count() or 1)}")
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")


def memory_limit(value: str | None) -> str:
    """``CALLREP_MEMORY_LIMIT`` (default 1500MB) checked and as DuckDB's ``memory_limit``.

    A number (digits, optionally one decimal point) and a unit (B, KB, MB, GB, TB or KiB to
    TiB), from :data:`MIN_MEMORY` to :data:`MAX_MEMORY`; anything else is a
    :class:`ConfigError` naming the variable, with an example.
    """
    if value is None:
        value = DEFAULT_MEMORY
    match = _SIZE.fullmatch(value.strip())
    if match is None:
        raise ConfigError(
            f"CALLREP_MEMORY_LIMIT: expected a size such as 1500MB or 4GiB, got {value[:40]!r}"
        )
    size = Decimal(match.group(1)) * _UNITS[match.group(2).lower()]
    if not MIN_MEMORY <= size <= MAX_MEMORY:
        raise ConfigError(
            f"CALLREP_MEMORY_LIMIT: {value.strip()} is outside 64MiB to 1024TiB; "
            "use a size such as 1500MB"
        )
    return f"{int(size)}B"


def write_settings(con: duckdb.DuckDBPyConnection, pricing: Pricing) -> None:
    """(Re)create ``callrep_settings``: one row, one column per Pricing field."""
    names = [f.name for f in fields(Pricing)]
    types = {float: "double", int: "integer", str: "varchar"}
    columns = ", ".join(f"{n} {types[type(getattr(pricing, n))]}" for n in names)
    con.execute(f"create or replace table callrep_settings ({columns})")
    placeholders = ", ".join("?" for _ in names)
    con.execute(
        f"insert into callrep_settings values ({placeholders})",  # noqa: S608 - placeholders only
        [getattr(pricing, n) for n in names],
    )


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every table and view of the current database (not temporary): name -> table | view.

    Read once per build and kept up to date by :func:`_materialise`: a catalog query per
    model was a visible part of an incremental build.
    """
    rows = con.execute(
        "select table_name, 'table' from duckdb_tables() "
        "where not temporary and database_name = current_database() "
        "union all select view_name, 'view' from duckdb_views() "
        "where not temporary and database_name = current_database()"
    ).fetchall()
    return {name: kind for name, kind in rows}


def _truncate(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _materialise(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    *,
    full: bool,
    since: date,
    changed: bool,
    relations: dict[str, str],
) -> str:
    """Build one model; ``relations`` (see :func:`_relations`) is updated to match."""
    name = model.name
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{model.path}: model names are lowercase letters, digits and _")
    body = model.sql
    kind = relations.get(name)
    relations[name] = "view" if model.materialized == "view" else "table"
    if model.materialized == "view":
        if not full and not changed and kind == "view":
            return "kept"  # the same SQL: recreating it would only rewrite the catalog
        if kind == "table":  # a model that was a table in an earlier version
            con.execute(f"drop table {name}")
        con.execute(f"create or replace view {name} as\n{body}")
        return "view"
    if kind == "view":  # a model that was a view in an earlier version
        con.execute(f"drop view {name}")
    if model.materialized == "table" and model.reads_itself:
        return _self_reading(con, model, empty=full or changed or kind != "table", since=since)
    if model.materialized == "table":
        con.execute(f"create or replace table {name} as\n{body}")
        return "table"
    column = model.incremental_on or ""
    if not _IDENTIFIER.match(column):
        raise ValueError(f"{model.path}: incremental_on must name a column")
    if full or kind != "table":
        con.execute("set variable callrep_since = ?", [FULL_SINCE])
        con.execute(f"create or replace table {name} as\n{body}")
        return "full"
    bound = since if since == NOTHING_NEW else _truncate(since, model.incremental_grain)
    con.execute("set variable callrep_since = ?", [bound])
    con.execute(f"delete from {name} where {column} >= getvariable('callrep_since')")  # noqa: S608
    # An increment reads a few keys of a big table through a semi-join, whose build side
    # DuckDB pushes into the scan as a dynamic filter (min/max, IN list, Bloom filter).
    # Compressed materialization puts a projection between the scan and the join, which
    # keeps the filter off the scan: the whole history is read (int_telnyx_number_events'
    # anchors). An increment is small, so compressing what it materialises saves nothing.
    con.execute("set disabled_optimizers = 'compressed_materialization'")
    try:
        con.execute(f"insert into {name} by name\n{body}")
    finally:
        con.execute("reset disabled_optimizers")
    return "incremental"


def _self_reading(con: duckdb.DuckDBPyConnection, model: Model, *, empty: bool, since: date) -> str:
    """Replace a table model that reads its own previous rows (see the module docstring)."""
    name = model.name
    if not empty:
        con.execute("set variable callrep_since = ?", [since])
        con.execute(f"create or replace table {name} as\n{model.sql}")
        return "incremental"
    columns = [column for column, _ in model.columns]
    if not all(_IDENTIFIER.match(column) for column in columns):
        raise ValueError(f"{model.path}: its -- columns: are lowercase letters, digits and _")
    nulls = ", ".join(f"null as {column}" for column in columns)
    con.execute(f"drop table if exists {name}")
    # no previous rows: nothing is new to them, and every row is computed from scratch
    con.execute("set variable callrep_since = ?", [NOTHING_NEW])
    con.execute(f"create temp view {name} as select {nulls} where false")
    try:
        con.execute(f"create table {name} as\n{model.sql}")
    finally:
        con.execute(f"drop view temp.main.{name}")
    return "full"


def _with_dependents(models: list[Model], changed: set[str]) -> set[str]:
    """``changed`` and every model that depends on one of them (``models`` in dependency order)."""
    out = set(changed)
    for model in models:
        if any(dep in out for dep in model.depends_on):
            out.add(model.name)
    return out


def build(
    con: duckdb.DuckDBPyConnection,
    pricing: Pricing | None = None,
    *,
    full: bool = False,
    models: list[Model] | None = None,
    progress: Progress = SILENT,
) -> BuildReport:
    """Build every model on ``con`` (a migrated store); see the module docstring.

    ``progress`` sees one stage, counting models, with the one being built as its note.
    """
    started = time.perf_counter()
    configure(con)
    discovered = models if models is not None else discover()
    pricing = pricing or Pricing()
    state.ensure(con)
    previous = state.last_build(con)
    changed = state.changed_models(con, discovered, pricing)
    upstream_changed = _with_dependents(discovered, changed)
    incremental = [m for m in discovered if m.materialized == "incremental"]
    relations = _relations(con)
    full = (
        full
        or previous is None
        or any(m.name in changed for m in incremental)
        or any(relations.get(m.name) != "table" for m in incremental)
    )
    covered = state.latest_run_id(con)
    runs = state.new_runs(con)  # read before the models: a run landing meanwhile is next
    since = FULL_SINCE if full else state.first_new_day(con, previous)
    since = since or NOTHING_NEW
    report = BuildReport(
        full=full,
        since=None if full or since == NOTHING_NEW else since,
        run_id=covered,
        runs=runs,
    )
    write_settings(con, pricing)
    write_holidays(con)
    kind = "full" if full else "incremental"
    lake = on_lake(con)  # there CHECKPOINT is DuckLake's whole maintenance: `store maintain`
    with progress.stage(f"build models ({kind})", total=len(discovered), unit="models") as step:
        for model in discovered:
            step.note(model.name)
            t0 = time.perf_counter()
            with transaction(con):
                mode = _materialise(
                    con,
                    model,
                    full=full,
                    since=since,
                    changed=model.name in (upstream_changed if model.reads_itself else changed),
                    relations=relations,
                )
            if full and mode in ("full", "table") and model.layer == "intermediate" and not lake:
                # Write big intermediate tables out now rather than holding them in memory
                # (an incremental build's tables are small: its few writes share one checkpoint).
                con.execute("checkpoint")
            report.models.append(
                ModelResult(model.name, model.materialized, mode, time.perf_counter() - t0)
            )
            step.advance()
    report.seconds = time.perf_counter() - started
    state.record(con, report, discovered, pricing, datetime.now(UTC))
    return report
