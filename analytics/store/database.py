"""Opening the DuckDB store: one writer (behind :class:`WriterLock`), many readers.

DuckDB locks the whole file, even for read-only opens, so a notebook left open on the
writer's file would make the weekly collection fail. Writers therefore *publish* a
read-only copy (``<name>.readonly.duckdb``) after every run and build, replaced
atomically; readers open that copy and never block the writer.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analytics.errors import StoreError
from analytics.store.lock import WriterLock
from analytics.store.schema import migrate


def published_path(db_path: Path) -> Path:
    """The read-only copy readers open."""
    return db_path.with_name(f"{db_path.stem}.readonly{db_path.suffix or '.duckdb'}")


# Every connection callrep opens never fetches or loads an extension behind our back (opening
# a SQLite file would otherwise fetch sqlite_scanner), and works in UTC whatever the host's TZ.
CONNECTION_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def connect(db_path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open ``db_path`` in UTC; a lock held by another program becomes a one-line StoreError.

    ``":memory:"`` opens an in-memory database with the same settings.
    """
    try:
        con = duckdb.connect(str(db_path), read_only=read_only, config=dict(CONNECTION_CONFIG))
    except duckdb.IOException as err:
        message = str(err).splitlines()[0]
        if "lock" in message.lower():
            raise StoreError(
                f"{db_path} is open in another program ({message}); readers should open "
                f"{published_path(db_path).name} instead (see README, 'Reading while collecting')"
            ) from None
        raise StoreError(f"cannot open {db_path}: {message}") from None
    except duckdb.Error as err:
        raise StoreError(f"cannot open {db_path}: {str(err).splitlines()[0]}") from None
    con.execute("set TimeZone = 'UTC'")
    return con


class Store:
    """A database file while this process holds its writer lock."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-write connection on the migrated store."""
        con = connect(self.path)
        try:
            migrate(con)
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Checkpoint, then atomically replace the read-only copy readers use."""
        con = connect(self.path)
        try:
            con.execute("checkpoint")
        finally:
            con.close()
        target = published_path(self.path)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.copyfile(self.path, partial)
        os.replace(partial, target)
        return target


@contextmanager
def writer(db_path: Path, command: str | None = None) -> Iterator[Store]:
    """Hold the writer lock on ``db_path`` for the duration of the block."""
    with WriterLock(db_path, command):
        yield Store(db_path)


def open_readonly(db_path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection for notebooks and ad-hoc queries that never blocks the writer.

    Opens the published copy when there is one, else the database itself read-only.
    ``db_path`` defaults to ``$CALLREP_DB``, then ``./callrep-demo/callrep.duckdb``.
    """
    path = Path(db_path or os.environ.get("CALLREP_DB") or "callrep-demo/callrep.duckdb")
    copy = published_path(path)
    target = copy if copy.exists() else path
    if not target.exists():
        raise StoreError(f"no callrep database at {path}; run `callrep collect` or `callrep demo`")
    return connect(target, read_only=True)
