"""The run ledger ``collection_runs``: one row per source per collection."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

INTERRUPTED = "interrupted: the process ended before it committed"


@dataclass(frozen=True)
class RunCounts:
    """What a run wrote and what it cost in requests."""

    records: int
    flagged: int
    http_requests: int
    http_retries: int
    http_throttled: int
    per_entity: dict[str, int]


def begin_run(
    con: duckdb.DuckDBPyConnection, source: str, collected_at: datetime, account: str = "default"
) -> int:
    """Insert a ``running`` ledger row for ``account`` of ``source`` and return its run_id."""
    row = con.execute(
        """
        insert into collection_runs (source, account, started_at, collected_at, status, pid)
        values (?, ?, ?, ?, 'running', ?)
        returning run_id
        """,
        [source, account, datetime.now(UTC), collected_at, os.getpid()],
    ).fetchone()
    assert row is not None
    return int(row[0])


def abandon_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs left ``running`` by a killed process as failed; return how many.

    Only called while holding the writer lock, so no live process owns such a row.
    """
    rows = con.execute(
        """
        update collection_runs set status = 'failed', finished_at = ?, error = ?
        where status = 'running'
        returning run_id
        """,
        [datetime.now(UTC), INTERRUPTED],
    ).fetchall()
    return len(rows)


def complete_run(con: duckdb.DuckDBPyConnection, run_id: int, counts: RunCounts) -> None:
    """Mark a run succeeded (call inside the transaction that lands its rows)."""
    con.execute(
        """
        update collection_runs
        set status = 'succeeded', finished_at = ?, records = ?, flagged = ?,
            http_requests = ?, http_retries = ?, http_throttled = ?, counts = ?
        where run_id = ?
        """,
        [
            datetime.now(UTC),
            counts.records,
            counts.flagged,
            counts.http_requests,
            counts.http_retries,
            counts.http_throttled,
            json.dumps(counts.per_entity),
            run_id,
        ],
    )


def fail_run(
    con: duckdb.DuckDBPyConnection, run_id: int, error: str, counts: RunCounts | None = None
) -> None:
    """Mark a run that is still ``running`` failed with its (already redacted) error text.

    A run ends once: a run already failed (say, refused before landing) keeps its reason.
    """
    con.execute(
        """
        update collection_runs
        set status = 'failed', finished_at = ?, error = ?, http_requests = ?, http_retries = ?,
            http_throttled = ?
        where run_id = ? and status = 'running'
        """,
        [
            datetime.now(UTC),
            error,
            counts.http_requests if counts else None,
            counts.http_retries if counts else None,
            counts.http_throttled if counts else None,
            run_id,
        ],
    )


def list_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, object]]:
    """The newest ledger rows, newest first."""
    cursor = con.execute(
        """
        select run_id, source, account, status, collected_at, started_at, finished_at, records,
               flagged, http_requests, http_retries, http_throttled, error
        from collection_runs order by run_id desc limit ?
        """,
        [limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
