"""What the runner remembers between builds: ``model_builds`` and ``model_versions``.

``model_builds`` (one row per build: built_at, full, since, run_id, seconds, models, and the
count and latest ``ingested_at`` of the Plivo status callbacks it covered) and
``model_build_runs`` (the runs each build covered) tell
``callrep report`` whether a collection ran, or a callback was ingested, after the last build
(:func:`is_stale`);
``model_versions`` keeps a hash of each model's SQL and of the settings it reads (directly
from ``callrep_settings`` or through the models it depends on: :func:`settings_read`), so a
changed model or a changed setting makes the marts stale, and a changed incremental model
forces a full rebuild instead of appending rows computed by two different versions or prices.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

from analytics.config import Pricing
from analytics.models.discovery import body_words, discover

if TYPE_CHECKING:
    from analytics.models.discovery import Model
    from analytics.models.runner import BuildReport


@dataclass(frozen=True)
class LastBuild:
    """The latest recorded build."""

    built_at: datetime
    full: bool
    run_id: int | None
    seconds: float
    callbacks: int | None = None  # Plivo status callbacks stored when it was built
    callbacks_ingested_at: datetime | None = None  # the latest of their ingested_at


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the bookkeeping tables when missing."""
    con.execute(
        """
        create table if not exists model_builds (
            built_at timestamptz not null,
            full_build boolean not null,
            since date,
            run_id bigint,
            seconds double,
            models integer
        )
        """
    )
    # added later: databases built before callbacks counted lack them (null: none covered)
    con.execute("alter table model_builds add column if not exists callbacks bigint")
    con.execute(
        "alter table model_builds add column if not exists callbacks_ingested_at timestamptz"
    )
    if "model_build_runs" not in _tables(con):
        # the runs each build covered (any commit order); a store built before keeps its
        # id watermark: the runs up to its last build's run_id were covered
        con.execute("create table model_build_runs (run_id bigint not null)")
        con.execute(
            """
            insert into model_build_runs
            select run_id from collection_runs
            where status = 'succeeded' and run_id <= (select max(run_id) from model_builds)
            """
        )
    con.execute(
        """
        create table if not exists model_versions (
            name varchar not null,
            materialized varchar not null,
            sql_sha256 varchar not null,
            built_at timestamptz not null
        )
        """
    )


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}


def last_build(con: duckdb.DuckDBPyConnection) -> LastBuild | None:
    """The latest build recorded in this database, or None."""
    if "model_builds" not in _tables(con):
        return None
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = 'model_builds'"
        ).fetchall()
    }
    marks = (
        "callbacks, callbacks_ingested_at"
        if "callbacks" in columns
        else "null::bigint, null::timestamptz"
    )
    row = con.execute(
        f"select built_at, full_build, run_id, seconds, {marks} from model_builds "  # noqa: S608
        "order by built_at desc limit 1"
    ).fetchone()
    if row is None:
        return None
    return LastBuild(
        built_at=row[0],
        full=row[1],
        run_id=row[2],
        seconds=row[3],
        callbacks=row[4],
        callbacks_ingested_at=row[5],
    )


def callback_mark(con: duckdb.DuckDBPyConnection) -> tuple[int, datetime | None]:
    """How many Plivo status callbacks are stored, and the latest ``ingested_at``."""
    row = con.execute("select count(*), max(ingested_at) from plivo_status_callbacks").fetchone()
    return (int(row[0]), row[1]) if row else (0, None)


def _new_callbacks(build: LastBuild | None) -> tuple[str, list[object]]:
    """A filter on plivo_status_callbacks for the callbacks ingested after ``build``."""
    if build is None or build.callbacks_ingested_at is None:
        return "true", []
    return "ingested_at > ?", [build.callbacks_ingested_at]


def callbacks_since_build(con: duckdb.DuckDBPyConnection) -> int:
    """How many Plivo status callbacks were ingested after the last build (all, if none)."""
    build = last_build(con)
    where, params = _new_callbacks(build)
    row = con.execute(
        f"select count(*) from plivo_status_callbacks where {where}",  # noqa: S608
        params,
    ).fetchone()
    return int(row[0]) if row else 0


def latest_run_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest successful run of any source (what a build covers)."""
    row = con.execute(
        "select max(run_id) from collection_runs where status = 'succeeded'"
    ).fetchone()
    return row[0] if row else None


def _uncovered(con: duckdb.DuckDBPyConnection, build: LastBuild | None) -> tuple[str, list[object]]:
    """A filter on collection_runs for the successful runs no build covered yet.

    Runs commit in any order (concurrent collectors: a run that began first may commit
    last), so each build records the runs it covered rather than a highest run_id; a store
    never built since that bookkeeping began falls back to its last build's run_id.
    """
    if "model_build_runs" in _tables(con):
        return (
            "status = 'succeeded' and run_id not in (select run_id from model_build_runs)",
            [],
        )
    watermark = build.run_id if build and build.run_id is not None else -1
    return "status = 'succeeded' and run_id > ?", [watermark]


def new_runs(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The successful runs no build covered yet (what a build starting now covers)."""
    where, params = _uncovered(con, last_build(con))
    rows = con.execute(f"select run_id from collection_runs where {where}", params).fetchall()  # noqa: S608
    return [int(r[0]) for r in rows]


def runs_since_build(con: duckdb.DuckDBPyConnection) -> int:
    """How many successful collection runs no build covered yet (all, if none)."""
    where, params = _uncovered(con, last_build(con))
    row = con.execute(f"select count(*) from collection_runs where {where}", params).fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def is_stale(
    con: duckdb.DuckDBPyConnection,
    models: list[Model] | None = None,
    pricing: Pricing | None = None,
) -> bool:
    """True when the marts may be out of date: nothing was ever built, a collection
    succeeded or a Plivo status callback was ingested after the last build, the models
    changed since (an upgraded callrep), or a setting a model reads differs from the one it
    was built with.

    ``models`` defaults to every model under ``queries/``, ``pricing`` to the defaults.
    """
    build = last_build(con)
    if build is None or runs_since_build(con) > 0:
        return True
    if callback_mark(con) != (build.callbacks or 0, build.callbacks_ingested_at):
        return True
    found = models if models is not None else discover()
    return bool(changed_models(con, found, pricing or Pricing()))


def first_new_day(con: duckdb.DuckDBPyConnection, build: LastBuild | None) -> date | None:
    """The earliest UTC day touched since ``build``: of a successful run it did not cover,
    or received by a Plivo status callback ingested after it (a callback changes the rows of
    the collections from its receipt on). None when nothing is new.

    Callbacks are only ever added; when fewer are stored after the build's mark than it
    counted (the table was rewritten), every day is touched.
    """
    uncovered, run_params = _uncovered(con, build)
    row = con.execute(
        "select min(cast(timezone('UTC', collected_at) as date)) "  # noqa: S608 - fixed filter
        f"from collection_runs where {uncovered}",
        run_params,
    ).fetchone()
    runs_day = row[0] if row else None
    where, params = _new_callbacks(build)
    old_where = "not (" + where + ")"
    row = con.execute(
        f"""
        select
            min(cast(timezone('UTC', received_at) as date)) filter (where {where}),
            count(*) filter (where {old_where}),
        from plivo_status_callbacks
        """,  # noqa: S608 - fixed filters, values as parameters
        params + params,
    ).fetchone()
    callbacks_day, kept = (row[0], row[1]) if row else (None, 0)
    if build is not None and kept != (build.callbacks or 0):
        return date(1900, 1, 1)
    days = [d for d in (runs_day, callbacks_day) if d is not None]
    return min(days) if days else None


def sql_hash(model: Model) -> str:
    """A fingerprint of the model's SQL."""
    return hashlib.sha256(model.sql.encode()).hexdigest()


def settings_read(models: list[Model]) -> dict[str, frozenset[str]]:
    """The ``callrep_settings`` columns each model reads, itself or through its dependencies.

    ``models`` is in dependency order (as :func:`analytics.models.discovery.discover` returns
    them). A model that names ``callrep_settings`` but none of its columns (``select *``
    passed on) is taken to read them all.
    """
    names = frozenset(f.name for f in fields(Pricing))
    read: dict[str, frozenset[str]] = {}
    for model in models:
        words = body_words(model.sql)
        own = names & words
        if "callrep_settings" in words and not own:
            own = names
        inherited = (read.get(dep, frozenset()) for dep in model.depends_on)
        read[model.name] = own.union(*inherited)
    return read


def fingerprint(model: Model, settings: frozenset[str], pricing: Pricing) -> str:
    """A hash of the model's SQL and of the values of the ``settings`` it reads (kept in
    ``model_versions.sql_sha256``; a model that reads no setting keeps its plain SQL hash)."""
    if not settings:
        return sql_hash(model)
    values = {k: v for k, v in asdict(pricing).items() if k in settings}
    text = model.sql + "\n-- settings: " + json.dumps(values, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def changed_models(
    con: duckdb.DuckDBPyConnection, models: list[Model], pricing: Pricing
) -> set[str]:
    """Models whose SQL, or a setting they read, differs from the version last built (all,
    on a first build)."""
    known = dict(con.execute("select name, sql_sha256 from model_versions").fetchall())
    read = settings_read(models)
    return {m.name for m in models if known.get(m.name) != fingerprint(m, read[m.name], pricing)}


def record(
    con: duckdb.DuckDBPyConnection,
    report: BuildReport,
    models: list[Model],
    pricing: Pricing,
    now: datetime,
) -> None:
    """Append the build to ``model_builds`` and refresh ``model_versions``."""
    callbacks, ingested_at = callback_mark(con)
    con.execute(
        "insert into model_builds (built_at, full_build, since, run_id, seconds, models, "
        "callbacks, callbacks_ingested_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            now,
            report.full,
            report.since,
            report.run_id,
            report.seconds,
            len(report.models),
            callbacks,
            ingested_at,
        ],
    )
    con.execute("insert into model_build_runs select unnest(?::bigint[])", [report.runs])
    con.execute("delete from model_versions")
    read = settings_read(models)
    con.execute(  # one statement: executemany costs a round of failed optional imports per row
        "insert into model_versions select unnest(?::varchar[]), unnest(?::varchar[]), "
        "unnest(?::varchar[]), ?",
        [
            [m.name for m in models],
            [m.materialized for m in models],
            [fingerprint(m, read[m.name], pricing) for m in models],
            now,
        ],
    )
