"""One transaction helper: begin, commit, and a rollback that never hides the real error.

When a commit fails (a full disk, an I/O error) DuckDB has already aborted the transaction,
so the customary ``rollback`` in an ``except`` raised "cannot rollback - no transaction is
active" and hid the cause. Here a failed commit becomes a :class:`StoreError` naming that
cause, and a rollback that fails is never allowed to replace the error that triggered it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb

from analytics.errors import StoreError


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: all of it is committed, or none of it."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        _rollback(con)
        raise
    try:
        con.execute("commit")
    except duckdb.Error as err:
        _rollback(con)
        raise StoreError(f"the commit failed, nothing was written: {first_line(err)}") from err


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.Error):  # already aborted by DuckDB: the original error is the one
        con.execute("rollback")


def first_line(err: BaseException) -> str:
    """The first line of an error's text (DuckDB's messages run to several)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
