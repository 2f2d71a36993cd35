"""Opening the DuckDB store: one writer (behind :class:`WriterLock`), many readers.

DuckDB locks the whole file, even for read-only opens, so a notebook left open on the
writer's file would make the weekly collection fail. Writers therefore *publish* a
read-only copy (``<name>.readonly.duckdb``) after every run and build, replaced
atomically; readers open that copy and never block the writer.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from analytics.errors import ConfigError, FileHeldError, InputError, SchemaError, StoreError
from analytics.resources import demo_database
from analytics.store import generation
from analytics.store.advisory import BuildLock, RunClaims
from analytics.store.files import atomic_path, remove_orphaned_partials
from analytics.store.lake import connect_lake, ensure_schema
from analytics.store.location import Lake, lake_from_env
from analytics.store.lock import WriterLock
from analytics.store.pending import land_pending
from analytics.store.schema import migrate
from analytics.store.transaction import first_line


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
        message = first_line(err)
        if "conflicting lock" in message.lower() or "could not set lock" in message.lower():
            raise FileHeldError(
                f"{db_path} is open in another program ({message}); readers should open "
                f"{published_path(db_path).name} instead (see README, 'Reading while collecting')"
            ) from None
        if is_damage(message):
            raise StoreError(f"the database {db_path} is damaged ({message})") from None
        if _foreign(Path(str(db_path)), message):
            raise SchemaError(f"{db_path} is not a callrep database: {_kind(db_path)}") from None
        raise StoreError(f"cannot open {db_path}: {message}") from None
    except duckdb.Error as err:
        raise StoreError(f"cannot open {db_path}: {first_line(err)}") from None
    con.execute("set TimeZone = 'UTC'")
    # DuckDB's progress bar prints to stdout, which would land inside `export --out -`
    # (in Jupyter DuckDB refuses to change it without ipywidgets; there it does not matter)
    with suppress(duckdb.InvalidInputException):
        con.execute("set enable_progress_bar = false")
    return con


def is_damage(message: str) -> bool:
    """True for DuckDB's messages about a corrupted file (a checksum that does not match)."""
    return "corrupt" in message.lower() or "checksum" in message.lower()


def _foreign(path: Path, message: str) -> bool:
    return "not a valid DuckDB database" in message or (
        "extension" in message.lower() and path.exists()
    )


def _kind(path: Path | str) -> str:
    try:
        with open(path, "rb") as head:
            start = head.read(16)
    except OSError:
        start = b""
    if start.startswith(b"SQLite format 3"):
        return "it is a SQLite file (callrep opens only its own DuckDB files)"
    return "it is not a DuckDB file"


def _connect_when_free(path: Path, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    reported = False
    while True:
        try:
            return connect(path)
        except FileHeldError as held:
            if time.monotonic() >= deadline:
                waited = f" (waited {wait:g} s)" if wait else ""
                raise FileHeldError(f"{held}{waited}") from None
            if not reported:
                print(
                    f"callrep: waiting up to {wait:g} s for {path.name}: another program holds "
                    f"it ({WAIT_ENV} sets the wait)",
                    file=sys.stderr,
                )
                reported = True
            time.sleep(min(0.25, max(0.01, deadline - time.monotonic())))


class Store:
    """A database file while this process holds its writer lock."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path

    def claim(self, run_id: int) -> None:
        """Nothing to mark: the writer lock shows this process alive, and the next writer
        ends its runs as interrupted if it dies."""

    @contextmanager
    def connection(self, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-write connection on the migrated store (generation bumped).

        While another program holds the file, waits up to ``wait`` seconds (default
        :func:`held_wait_seconds`), saying so on stderr, then raises :class:`FileHeldError`.
        """
        con = _connect_when_free(self.path, held_wait_seconds() if wait is None else wait)
        try:
            migrate(con)
            generation.bump(con, self.path)
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Checkpoint, then atomically replace the read-only copy readers use.

        The copy is scanned (every column of every table) before it replaces the old one, so
        a damaged database is never published; any failure leaves no partial file behind.
        """
        con = connect(self.path)
        try:
            con.execute("checkpoint")
        except duckdb.Error as err:
            raise StoreError(
                f"cannot checkpoint {self.path} (what was committed is kept in its write-ahead "
                f"log): {first_line(err)}"
            ) from None
        finally:
            con.close()
        target = published_path(self.path)
        try:
            with atomic_path(target, make_parents=False) as temp:
                shutil.copyfile(self.path, temp)
                verify_readable(temp, self.path)
        except InputError as err:
            raise StoreError(
                f"cannot publish the read-only copy ({err}); {self.path.name} itself is intact"
            ) from None
        return target


def verify_readable(copy: Path, db_path: Path) -> None:
    """Read every column of every table in ``copy``; a :class:`StoreError` if any block fails."""
    con = connect(copy, read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where not temporary"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'select count(*), sum(hash(columns(*))) from "{schema}"."{table}"')  # noqa: S608
            con.fetchall()
    except duckdb.Error as err:
        raise StoreError(
            f"the database {db_path} is damaged ({first_line(err)}); the published copy was not "
            "replaced: restore the database from a backup"
        ) from None
    finally:
        con.close()


WAIT_ENV = "CALLREP_HELD_WAIT_SECONDS"


def held_wait_seconds() -> float:
    """How long a writer waits for a file another program holds (default 30 s)."""
    value = os.environ.get(WAIT_ENV, "30")
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:
        raise ConfigError(f"{WAIT_ENV}: expected seconds between 0 and 86400, got {value!r}")
    return seconds


class LakeStore:
    """A DuckLake store (``CALLREP_STORE=ducklake:...``): many writers, no published copy."""

    def __init__(self, lake: Lake, db_path: Path, command: str | None = None) -> None:
        self.lake = lake
        self.path = db_path  # only names the receiver's spool and the (unused) pending folder
        self.claims = RunClaims(lake, command)

    def claim(self, run_id: int) -> None:
        """Hold ``run_id`` live (an advisory lock) until this store's block ends."""
        self.claims.claim(run_id)

    @contextmanager
    def connection(self, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection on the lake, its schema created or migrated first."""
        con = connect_lake(self.lake)
        try:
            ensure_schema(con)
            yield con
        finally:
            con.close()

    def publish(self) -> None:
        """Nothing to publish: readers read the lake's snapshots directly."""


@contextmanager
def writer(db_path: Path, command: str | None = None) -> Iterator[Store | LakeStore]:
    """Hold the writer lock on ``db_path`` for the duration of the block.

    On a DuckLake there is no such lock: concurrent collectors each commit their own runs.
    """
    lake = lake_from_env()
    if lake is not None:
        store = LakeStore(lake, db_path, command)
        try:
            yield store
        finally:
            store.claims.close()
        return
    with WriterLock(db_path, command):
        remove_orphaned_partials(db_path.parent)
        store = Store(db_path)
        land_pending(store)
        yield store


@contextmanager
def builder(db_path: Path, command: str | None = None) -> Iterator[Store | LakeStore]:
    """The store, held by this process as its only builder: the file's writer lock, or on a
    DuckLake the catalog's advisory lock (a second builder gets the same one-line error)."""
    lake = lake_from_env()
    if lake is None:
        with writer(db_path, command) as store:
            yield store
        return
    with BuildLock(lake, command):
        yield LakeStore(lake, db_path, command)


def open_readonly(db_path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection for notebooks and ad-hoc queries that never blocks the writer.

    With ``CALLREP_STORE`` naming a DuckLake, a read-only connection on the lake.

    Opens the published copy when there is one, else the database itself read-only.
    ``db_path`` defaults to ``$CALLREP_DB``, then the demo's database in the project root
    (:func:`analytics.resources.demo_database`, absolute whatever the working folder).
    Warns on stderr when the copy is behind the database (see
    :mod:`analytics.store.generation`), and removes partial copies left by dead processes.
    """
    lake = lake_from_env()
    if lake is not None:
        con = connect_lake(lake, read_only=True)
        try:
            require_callrep(con, Path(lake.describe()))
        except BaseException:
            con.close()
            raise
        return con
    path = Path(db_path or os.environ.get("CALLREP_DB") or demo_database())
    remove_orphaned_partials(path.parent)
    copy = published_path(path)
    target = copy if copy.exists() else path
    if not target.exists():
        raise StoreError(f"no callrep database at {path}; run `callrep collect` or `callrep demo`")
    con = connect(target, read_only=True)
    try:
        require_callrep(con, target)
        if target == copy:
            warning = generation.behind(path, con)
            if warning:
                print(f"callrep: warning: {warning}", file=sys.stderr)
    except BaseException:
        con.close()
        raise
    return con


def copy_behind(db_path: Path | str) -> str | None:
    """The warning :func:`open_readonly` prints, for a report's banner (None when current)."""
    if lake_from_env() is not None:
        return None  # a lake has no copy to fall behind
    path = Path(db_path)
    copy = published_path(path)
    if not copy.exists():
        return None
    con = connect(copy, read_only=True)
    try:
        return generation.behind(path, con)
    finally:
        con.close()


def require_callrep(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A :class:`SchemaError` unless ``con`` holds a callrep store."""
    row = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'schema_version'"
    ).fetchone()
    if not row or not row[0]:
        raise SchemaError(f"{path} is not a callrep database (it has no schema_version table)")
