"""Episodes: the alerts' memory, so a state is announced once when it starts and once when it ends.

An item is a (rule, subject) pair. Its episode opens in the run that first matches it and closes
in the run that no longer does; per destination, an announcement row records that the opening
(or the end) was delivered. The rows are append-only and keyless (ids are UUIDs callrep makes);
``queries/alerts/_*.sql`` derive open episodes and what each destination still needs by query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from analytics.alerts.rules import Match
from analytics.report.accounts import stored
from analytics.resources import queries_dir
from analytics.store.transaction import transaction

KINDS = ("opened", "resolved")


@dataclass(frozen=True)
class Item:
    """One episode after this run: ``new`` (opened now), ``open`` or ``resolved`` (closed now)."""

    episode_id: str
    rule: str
    subject: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    match: Match | None  # what the rule returned now (None once resolved)


@dataclass(frozen=True)
class Pending:
    """One announcement a destination is owed: an episode's opening or its end."""

    episode_id: str
    rule: str
    subject: str
    kind: str  # opened | resolved
    opened_at: datetime
    closed_at: datetime | None


def _sql(name: str) -> str:
    return (queries_dir() / "alerts" / f"{name}.sql").read_text(encoding="utf-8")


def stage(
    con: duckdb.DuckDBPyConnection,
    matches: Sequence[Match],
    evaluated: Sequence[str],
    now: datetime,
) -> None:
    """Stage this run's transitions as temp tables (nothing stored: see :func:`record`)."""
    table = pa.table(
        {
            "rule": pa.array([m.rule_id for m in matches], pa.string()),
            "subject": pa.array([m.subject for m in matches], pa.string()),
        }
    )
    rules = pa.table({"rule": pa.array(list(evaluated), pa.string())})
    con.register("alert_matches_arrow", table)
    con.register("alert_evaluated_arrow", rules)
    try:
        con.execute("create or replace temp table alert_matches as from alert_matches_arrow")
        con.execute("create or replace temp table alert_evaluated as from alert_evaluated_arrow")
    finally:
        con.unregister("alert_matches_arrow")
        con.unregister("alert_evaluated_arrow")
    con.execute(_sql("_stage_open"))
    con.execute(_sql("_stage_opened"), {"now": now})
    con.execute(_sql("_stage_closed"), {"now": now})


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def items(con: duckdb.DuckDBPyConnection, matches: Sequence[Match]) -> list[Item]:
    """Every open episode and every one closed by this run, with its current match."""
    by_item = {(m.rule_id, m.subject): m for m in matches}
    return [
        Item(**row, match=by_item.get((row["rule"], row["subject"])))
        for row in _dicts(con.execute(_sql("_items")))
    ]


def pending(con: duckdb.DuckDBPyConnection, destination_key: str) -> list[Pending]:
    """What ``destination_key`` has not been told yet, after this run's transitions."""
    rows = _dicts(con.execute(_sql("_pending"), {"destination": destination_key}))
    return [Pending(**row) for row in rows]


def record(con: duckdb.DuckDBPyConnection) -> None:
    """Store this run's openings and closings, in one transaction."""
    with transaction(con):
        # past the temp view that limits the episodes to the accounts named (report.accounts)
        episodes = stored(con, "alert_episodes")
        con.execute(f"insert into {episodes} by name select * from alert_run_opened")  # noqa: S608
        con.execute("insert into alert_episode_closings by name select * from alert_run_closed")


def announced(
    con: duckdb.DuckDBPyConnection,
    destination_key: str,
    delivered: Sequence[Pending],
    now: datetime,
) -> None:
    """Record that ``destination_key`` accepted the digest holding ``delivered``."""
    if not delivered:
        return
    with transaction(con):
        con.executemany(
            "insert into alert_announcements values (?, ?, ?, ?)",
            [[p.episode_id, destination_key, p.kind, now] for p in delivered],
        )
