"""The run ledger: ``collection_run_starts`` (one row as a run begins) and
``collection_runs`` (one row as it ends), both only ever appended to.

A run is open while it has a start and no ledger row; :func:`list_runs` shows it as
``running`` while its process lives (on a DuckLake: while its advisory lock is held).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from analytics.store.lake import on_lake

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


_EPOCH_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z in microseconds
_RANDOM_BITS = 12
_last_id = 0


def new_run_id() -> int:
    """A run id no other collector will pick, in the order the runs began.

    Microseconds since 2024 (good until 2095 in 63 bits) followed by 12 random bits: ids
    from concurrent processes (on one machine or several) differ unless two start in the
    same microsecond and draw the same bits (1 in 4096 then); within a process they grow.
    No sequence is involved, so the same ids work on a file and on DuckLake.
    """
    global _last_id
    now_us = time.time_ns() // 1000 - _EPOCH_US
    candidate = (now_us << _RANDOM_BITS) | secrets.randbits(_RANDOM_BITS)
    _last_id = max(candidate, _last_id + 1)
    return _last_id


def begin_run(
    con: duckdb.DuckDBPyConnection,
    source: str,
    collected_at: datetime,
    account: str = "default",
    claim: Callable[[int], None] | None = None,
) -> int:
    """Record that ``account`` of ``source`` started a run (``collection_run_starts``) and
    return its new run_id; ``claim`` (the store's) first marks the run as live.

    The ledger row itself (``collection_runs``) is appended once, when the run ends: a run
    that never ends has none, and no ledger row is ever updated (DuckLake-safe appends).
    """
    run_id = new_run_id()
    if claim is not None:
        claim(run_id)
    con.execute(
        """
        insert into collection_run_starts
            (run_id, source, account, started_at, collected_at, pid)
        values (?, ?, ?, ?, ?, ?)
        """,
        [run_id, source, account, datetime.now(UTC), collected_at, os.getpid()],
    )
    return run_id


# A start with no ledger row yet: the run is running, or its process died before it ended.
_OPEN = "not exists (select 1 from collection_runs as r where r.run_id = s.run_id)"


def _end(
    con: duckdb.DuckDBPyConnection, where: str, params: list[object], values: dict[str, object]
) -> int:
    """Append the ledger row of every open start matching ``where``: the start's columns
    (whatever they are) plus ``values``; return how many."""
    names = list(values)
    outcome = ", ".join(f"? as {name}" for name in names)
    row = con.execute(
        f"insert into collection_runs by name "  # noqa: S608 - our own column names
        f"select s.*, {outcome} from collection_run_starts as s where {_OPEN} and {where}",
        [*values.values(), *params],
    ).fetchone()
    return int(row[0]) if row else 0


def abandon_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Append a ``failed`` ledger row for every run whose process ended before it did.

    Only called while holding the file's writer lock, so no live process owns such a run.
    On a DuckLake nothing is marked (concurrent collectors hold no lock): an open run
    without a ledger row is simply absent from everything built.
    """
    if on_lake(con):
        return 0
    return _end(
        con,
        "true",
        [],
        {"finished_at": datetime.now(UTC), "status": "failed", "error": INTERRUPTED},
    )


def complete_run(con: duckdb.DuckDBPyConnection, run_id: int, counts: RunCounts) -> None:
    """Append the run's ``succeeded`` ledger row (inside the transaction that lands its rows)."""
    _end(
        con,
        "s.run_id = ?",
        [run_id],
        {
            "finished_at": datetime.now(UTC),
            "status": "succeeded",
            "records": counts.records,
            "flagged": counts.flagged,
            "http_requests": counts.http_requests,
            "http_retries": counts.http_retries,
            "http_throttled": counts.http_throttled,
            "counts": json.dumps(counts.per_entity),
        },
    )


def fail_run(
    con: duckdb.DuckDBPyConnection, run_id: int, error: str, counts: RunCounts | None = None
) -> None:
    """End a run that is still open as ``failed`` with its (already redacted) error text.

    A run ends once: a run already failed (say, refused before landing) keeps its reason.
    """
    _end(
        con,
        "s.run_id = ?",
        [run_id],
        {
            "finished_at": datetime.now(UTC),
            "status": "failed",
            "error": error,
            "http_requests": counts.http_requests if counts else None,
            "http_retries": counts.http_retries if counts else None,
            "http_throttled": counts.http_throttled if counts else None,
        },
    )


def reopen_interrupted(con: duckdb.DuckDBPyConnection, run_id: int) -> bool:
    """True when ``run_id`` may still land: open, or ended only as interrupted (whose
    ledger row is then removed, so the landing appends the run's one row).

    Used for the file store's pending batches, under its writer lock.
    """
    row = con.execute(
        "select status, error from collection_runs where run_id = ?", [run_id]
    ).fetchone()
    if row is None:
        started = con.execute(
            "select count(*) from collection_run_starts where run_id = ?", [run_id]
        ).fetchone()
        return bool(started and started[0])
    if row[0] == "failed" and row[1] == INTERRUPTED:
        con.execute("delete from collection_runs where run_id = ?", [run_id])
        return True
    return False


def list_runs(
    con: duckdb.DuckDBPyConnection,
    limit: int = 20,
    live: Callable[[], set[int]] | None = None,
) -> list[dict[str, object]]:
    """The newest runs, newest first: the ledger's rows, and open runs as ``running``.

    With ``live`` (the run ids whose collectors are alive, on a DuckLake), an open run that
    was open before and after asking, and is not live, shows as ``failed`` (interrupted):
    its collector died. (A run's lock is taken before its start is written and let go
    after its ledger row commits, so asking between two reads never misjudges one.)
    """
    rows = _runs(con, limit)
    if live is None or not any(r["status"] == "running" for r in rows):
        return rows
    before = {r["run_id"] for r in rows if r["status"] == "running"}
    alive = live()
    rows = _runs(con, limit)
    for r in rows:
        if r["status"] == "running" and r["run_id"] in before and r["run_id"] not in alive:
            r["status"], r["error"] = "failed", INTERRUPTED
    return rows


def _runs(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, object]]:
    cursor = con.execute(
        f"""
        select run_id, source, account, status, collected_at, started_at, finished_at,
               records, flagged, http_requests, http_retries, http_throttled, error
        from collection_runs
        union all by name
        select run_id, source, account, 'running' as status, collected_at, started_at
        from collection_run_starts as s where {_OPEN}
        order by run_id desc limit ?
        """,  # noqa: S608 - a fixed filter
        [limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
