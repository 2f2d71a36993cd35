"""Generations: readers can tell when the published copy is behind the main file.

Every write connection a writer opens bumps the main file's generation (table
``callrep_generation``) and mirrors it in ``<db>.generation`` beside it; the published copy
carries the generation it was copied at. A reader compares the two without ever opening the
main file (that would block the writer) or taking the writer lock (that would make the
cron's collection fail): it only warns.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from analytics.errors import InputError, StoreError
from analytics.store.files import write_atomic
from analytics.store.lock import lock_path

TABLE = "callrep_generation"


def sidecar_path(db_path: Path) -> Path:
    """The file that mirrors the main file's generation for readers."""
    return db_path.with_name(db_path.name + ".generation")


def read_sidecar(db_path: Path) -> int:
    """The main file's generation as last recorded beside it; 0 when never recorded."""
    try:
        return int(sidecar_path(db_path).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def of(con: duckdb.DuckDBPyConnection) -> int:
    """The generation stored in the database ``con`` has open; 0 when it has none."""
    row = con.execute(
        "select count(*) from duckdb_tables() where table_name = ? and not temporary", [TABLE]
    ).fetchone()
    if not row or not row[0]:
        return 0
    found = con.execute(f"select max(generation) from {TABLE}").fetchone()  # noqa: S608
    return int(found[0] or 0) if found else 0


def bump(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Advance the main file's generation (sidecar first, so a crash errs towards 'behind')."""
    generation = max(of(con), read_sidecar(db_path)) + 1
    try:
        write_atomic(sidecar_path(db_path), f"{generation}\n")
    except InputError as err:
        raise StoreError(str(err)) from None
    con.execute(f"create table if not exists {TABLE} (generation bigint not null)")
    con.execute(f"delete from {TABLE}")  # noqa: S608
    con.execute(f"insert into {TABLE} values (?)", [generation])  # noqa: S608
    return generation


def behind(db_path: Path, copy: duckdb.DuckDBPyConnection) -> str | None:
    """A one-line warning when the published copy ``copy`` is older than ``db_path``."""
    main, published = read_sidecar(db_path), of(copy)
    if main <= published:
        return None
    holder = _live_writer(db_path)
    why = (
        f"a writer ({holder}) has not published yet"
        if holder
        else "the last write was never published (killed or failed); the next `callrep build` "
        "or `callrep collect` publishes it"
    )
    return (
        f"the published copy of {db_path.name} is behind the database (generation "
        f"{published} < {main}): {why}; figures may be out of date"
    )


def _live_writer(db_path: Path) -> str | None:
    """The live process named in the lock file, read without taking the lock."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            info = json.loads(os.read(fd, 4096) or b"{}")
        finally:
            os.close(fd)
        pid = int(info["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return f"pid {pid}, `{info.get('command', '?')}`"
