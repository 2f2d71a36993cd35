"""Real or synthetic: a database holds one kind of data, never both.

Synthetic data (``callrep simulator synth``, a collection answered by ``callrep simulator
serve`` or the simulator's transport, the demo) goes only into a new database, which it
then marks synthetic, or into one already marked. The mark is one row in
``callrep_provenance``, a table this module creates itself (no migration).

A database *holds data* once it has a succeeded collection run or a status callback; until
then its kind is still open. So:

    database       synthetic data            real data
    new            accepted, marked          accepted
    real           refused                   accepted
    synthetic      accepted                  refused

A synthetic database refuses real data too: its marts would mix made-up and observed
numbers either way, and a file marked synthetic is one the user may treat as disposable.

The simulator names itself in every answer with the :data:`SIMULATOR_HEADER` response
header; :class:`Origins` records, per source, which answers carried it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import duckdb

from analytics.errors import InputError
from analytics.store.runs import fail_run

SIMULATOR_HEADER = "X-Callrep-Simulator"


class _Answer(Protocol):
    headers: Mapping[str, str]


def is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database is marked synthetic (works on read-only connections)."""
    tables = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'callrep_provenance'"
    ).fetchone()
    if not (tables and tables[0]):
        return False
    row = con.execute("select count(*) from callrep_provenance where kind = 'synthetic'").fetchone()
    return bool(row and row[0])


def holds_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database holds collected data: a succeeded run or a status callback."""
    row = con.execute(
        "select exists (select 1 from collection_runs where status = 'succeeded') "
        "or exists (select 1 from plivo_status_callbacks)"
    ).fetchone()
    return bool(row and row[0])


def admit(con: duckdb.DuckDBPyConnection, *, synthetic: bool, what: str) -> None:
    """Raise InputError when ``what`` may not go into this database; otherwise mark a
    database that holds no data yet with the kind it is about to get.

    ``what`` names the data in the message, e.g. ``"real callbacks from spool.jsonl"``.
    """
    marked = is_synthetic(con)
    if holds_data(con):
        if synthetic and not marked:
            raise InputError(
                f"refusing {what}: this database holds real data, and synthetic data goes only "
                "into a new or synthetic one; nothing was stored (use another --db)"
            )
        if marked and not synthetic:
            raise InputError(
                f"refusing {what}: this database is marked synthetic; nothing was stored "
                "(use another --db for real data)"
            )
        return
    if marked and not synthetic:
        con.execute("delete from callrep_provenance")  # a mark left without data: lift it
    if synthetic and not marked:
        ensure_table(con)
        con.execute(
            "insert into callrep_provenance (kind, marked_at, marked_by) "
            "values ('synthetic', ?, ?)",
            [datetime.now(UTC), what],
        )


@dataclass
class Origins:
    """Which sources' answers came from callrep's simulator, seen as responses arrive."""

    simulated: set[str] = field(default_factory=set)
    real: set[str] = field(default_factory=set)

    def hook(self, source: str) -> Callable[[Any], Awaitable[None]]:
        """An httpx ``event_hooks["response"]`` hook recording ``source``'s answers."""

        async def seen(response: _Answer) -> None:
            simulated = response.headers.get(SIMULATOR_HEADER) == "1"
            (self.simulated if simulated else self.real).add(source)

        return seen

    def refuse_mixed(self) -> None:
        """Raise InputError when one source answered as the simulator and another as real."""
        if self.simulated and self.real:
            raise InputError(
                f"refusing a mixed collection: {_names(self.simulated)} answered as "
                f"callrep's simulator, {_names(self.real)} as a real API; nothing was "
                "stored (collect them into separate databases)"
            )

    def admit(self, con: duckdb.DuckDBPyConnection, run_ids: Iterable[int]) -> None:
        """Before landing: refuse a collection that would mix kinds, failing each of its
        ``run_ids`` with the reason (so none stays ``running``); else mark as :func:`admit`."""
        if not (self.simulated or self.real):
            return  # no answer at all: nothing to land, nothing to decide
        try:
            self.refuse_mixed()
            if self.simulated:
                what = f"simulated answers from {_names(self.simulated)} ({SIMULATOR_HEADER})"
            else:
                what = f"real answers from {_names(self.real)}"
            admit(con, synthetic=bool(self.simulated), what=what)
        except InputError as refused:
            for run_id in run_ids:
                fail_run(con, run_id, str(refused))
            raise


def _names(sources: set[str]) -> str:
    return " and ".join(sorted(sources))


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``callrep_provenance`` when missing."""
    con.execute(
        "create table if not exists callrep_provenance ("
        "kind varchar not null, marked_at timestamptz not null, marked_by varchar not null)"
    )
