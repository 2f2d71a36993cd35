"""PostgreSQL advisory locks in a DuckLake's catalog database: who builds, which runs live.

The file store's lock file does not exist here (builders and collectors may run on other
machines), so callrep takes session-level advisory locks on a connection of its own, named
(through ``application_name``) after the command holding them. A lock goes when its
session ends, including when the process dies; TCP keepalives on the session let the
server notice within about a minute when the holder's machine vanishes.

- One builder at a time: a second builder fails at once with the same one-line message as
  the file lock.
- Each collector holds a lock keyed on the run id of every run it begins, until it ends:
  ``callrep runs`` shows a run with no ledger row and no lock as interrupted.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime
from types import TracebackType

import duckdb

from analytics.errors import StoreError, WriterLockedError
from analytics.store.lake import load_extension
from analytics.store.location import Lake
from analytics.store.transaction import first_line

# pg_advisory_lock(int, int): callrep's class ('crep') and the build lock within it; a run's
# lock is pg_advisory_lock(bigint run_id), which PostgreSQL keeps apart (objsubid 1, not 2)
_CLASS, _BUILD = 0x63726570, 1
_NAME = "callrep_lock"
# the server drops a session whose peer stopped answering after about 60 + 6 * 10 s
_KEEPALIVES = {"tcp_keepalives_idle": 60, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 6}
_RUNS = (
    "select (classid::bigint << 32) | objid::bigint from pg_locks where locktype = 'advisory' "
    "and objsubid = 1 and granted and database = "
    "(select oid from pg_database where datname = current_database())"
)
_HOLDER = (
    "select a.application_name, a.client_addr::text from pg_locks as l "  # noqa: S608
    "join pg_stat_activity as a using (pid) where l.locktype = 'advisory' and "
    f"l.classid = {_CLASS} and l.objid = {_BUILD} and l.granted"
)


class BuildLock:
    """Exclusive and non-blocking across every machine that uses the lake's catalog."""

    def __init__(self, lake: Lake, command: str | None = None) -> None:
        self.lake = lake
        self.command = command
        self._con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> BuildLock:
        con = session(self.lake)
        try:
            if not remote(con, self.command, f"pg_try_advisory_lock({_CLASS}, {_BUILD})"):
                raise WriterLockedError(
                    f"the DuckLake {self.lake.conninfo} is being built by another callrep "
                    f"process ({self._holder(con)}); wait for it to finish or stop it"
                )
        except duckdb.Error as err:
            con.close()
            raise StoreError(
                f"cannot take the build lock in {self.lake.conninfo}: {first_line(err)}"
            ) from None
        except BaseException:
            con.close()
            raise
        self._con = con
        return self

    def _holder(self, con: duckdb.DuckDBPyConnection) -> str:
        row = con.execute("select * from postgres_query(?, ?)", [_NAME, _HOLDER]).fetchone()
        if not row or not row[0]:
            return "holder unknown"
        name, address = row
        where = f" on {address}" if address else ""
        return f"{str(name).removeprefix('callrep ')}{where}"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._con is not None:
            self._con.close()  # ends the session, and with it the lock
            self._con = None


class RunClaims:
    """The runs this process is collecting, each held as an advisory lock on its run id in
    one session of its own, opened at the first claim and closed (releasing all) at exit."""

    def __init__(self, lake: Lake, command: str | None = None) -> None:
        self.lake = lake
        self.command = command
        self._con: duckdb.DuckDBPyConnection | None = None

    def claim(self, run_id: int) -> None:
        """Hold ``run_id``'s lock (before its start row is written: a start without a lock is
        a dead run's)."""
        try:
            if self._con is None:
                self._con = session(self.lake)
            held = remote(self._con, self.command, f"pg_try_advisory_lock({int(run_id)}::bigint)")
        except duckdb.Error as err:
            raise StoreError(
                f"cannot mark run {run_id} as live in {self.lake.conninfo}: {first_line(err)}"
            ) from None
        if not held:
            raise StoreError(f"run id {run_id} is already held by another collector")

    def close(self) -> None:
        """End the session, and with it every claim."""
        if self._con is not None:
            self._con.close()
            self._con = None


def live_runs(lake: Lake) -> set[int]:
    """The run ids whose collectors are alive (their locks held), on any machine."""
    con = session(lake)
    try:
        rows = con.execute("select * from postgres_query(?, ?)", [_NAME, _RUNS]).fetchall()
    except duckdb.Error as err:
        raise StoreError(
            f"cannot ask {lake.conninfo} which runs are live: {first_line(err)}"
        ) from None
    finally:
        con.close()
    return {int(r[0]) for r in rows}


def session(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the catalog database attached as ``callrep_lock``."""
    from analytics.store.database import connect

    con = connect(":memory:")
    try:
        load_extension(con, "postgres")
        con.execute(f"attach '{lake.conninfo}' as {_NAME} (type postgres)")
    except duckdb.Error as err:
        con.close()
        raise StoreError(f"cannot open {lake.conninfo}: {first_line(err)}") from None
    except BaseException:
        con.close()
        raise
    return con


def remote(con: duckdb.DuckDBPyConnection, command: str | None, sql: str) -> object:
    """The value of ``sql`` (one expression) run in PostgreSQL, in the same statement that
    names the session after ``command`` and turns on its keepalives (the extension may use
    any session of its pool, so both go together)."""
    settings = {"application_name": _describe(command), **_KEEPALIVES}
    names = ", ".join(f"set_config('{k}', '{v}', false) as {k}" for k, v in settings.items())
    # our own names and values: application_name holds no quote (_describe)
    row = con.execute(
        "select * from postgres_query(?, ?)", [_NAME, f"select {names}, {sql} as result"]
    ).fetchone()
    return row[-1] if row else None


def _describe(command: str | None) -> str:
    """pid, command and start as one application_name (at most 63 characters)."""
    command = re.sub(r"[^A-Za-z0-9 _.-]", "", command or " ".join(["callrep", *sys.argv[1:2]]))
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"callrep pid {os.getpid()} `{command[:30]}` since {since}Z"[:63]
