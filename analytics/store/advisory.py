"""One builder at a time on a DuckLake: a PostgreSQL advisory lock in its catalog database.

The file store's lock file does not exist here (builders may run on other machines), so a
builder takes a session-level advisory lock on a connection of its own, named (through
``application_name``) after the command holding it. A second builder fails at once with the
same one-line message as the file lock; the lock goes when the holder's session ends,
including when its process dies.
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

# pg_advisory_lock(int, int): callrep's class ('crep') and the build lock within it
_CLASS, _BUILD = 0x63726570, 1
_NAME = "callrep_lock"
_HOLDER = (
    "select a.application_name, a.client_addr::text from pg_locks as l "  # noqa: S608
    "join pg_stat_activity as a using (pid) where l.locktype = 'advisory' and "
    f"l.classid = {_CLASS} and l.objid = {_BUILD} and l.granted"
)


class BuildLock:
    """Exclusive and non-blocking across every machine that uses the lake's catalog."""

    def __init__(self, lake: Lake, command: str | None = None) -> None:
        self.lake = lake
        self.command = command or " ".join(["callrep", *sys.argv[1:2]])
        self._con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> BuildLock:
        from analytics.store.database import connect

        con = connect(":memory:")
        try:
            load_extension(con, "postgres")
            con.execute(f"attach '{self.lake.conninfo}' as {_NAME} (type postgres)")
            holder = self._describe()
            remote = (
                f"select set_config('application_name', '{holder}', false), "
                f"pg_try_advisory_lock({_CLASS}, {_BUILD})"
            )  # the holder holds only [A-Za-z0-9 _.-:`], no quote
            row = con.execute("select * from postgres_query(?, ?)", [_NAME, remote]).fetchone()
            if not row or not row[1]:
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

    def _describe(self) -> str:
        """pid, command and start as one application_name (at most 63 characters)."""
        command = re.sub(r"[^A-Za-z0-9 _.-]", "", self.command)[:30]
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"callrep pid {os.getpid()} `{command}` since {since}Z"[:63]

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
