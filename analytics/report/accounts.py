"""Which accounts a reader covers: ``--account NAME`` (repeatable) for the report and alerts.

:func:`scope` checks the names against the accounts the run ledger knows, then shadows each
relation a reader reads that has an ``account`` column (the report's and the alerts' SQL, an
export's mart) with a temp view of the named accounts' rows: temp objects come first in DuckDB's
search path, so every query sees only those accounts with no filter of its own. The names reach
SQL only as a query parameter. ``callrep export --account`` uses the same mechanism.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import duckdb

from analytics.errors import InputError
from analytics.models.discovery import body_words, discover
from analytics.resources import queries_dir

_SCOPE = "callrep_account_scope"  # the temp table of the names a connection covers


def known(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every account with a collection run, sorted."""
    rows = con.execute(
        "select distinct account from stg_callrep__runs where account is not null order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def check(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> list[str]:
    """``names`` without repeats, each one an account with a collection run, else an
    :class:`InputError` naming the known accounts."""
    accounts = known(con)
    for name in names:
        if name not in accounts:
            listed = ", ".join(accounts) or "none collected yet"
            raise InputError(f"--account: no account named {name!r} in the data ({listed})")
    return list(dict.fromkeys(names))


@cache
def read_by_readers() -> tuple[str, ...]:
    """The models the report's and the alerts' SQL files read (found in the SQL itself)."""
    words: set[str] = set()
    for folder in ("report", "alerts"):
        for path in sorted((queries_dir() / folder).glob("*.sql")):
            words |= body_words(path.read_text(encoding="utf-8"))
    return tuple(m.name for m in discover() if m.name in words)


def scope(
    con: duckdb.DuckDBPyConnection, names: Sequence[str], relations: Sequence[str]
) -> list[str]:
    """Limit ``relations`` (model names) on ``con`` to the rows of the accounts ``names``
    (all when empty); return the accounts covered. The names are checked first (see
    :func:`check`) and reach SQL only as a parameter."""
    accounts = check(con, names)
    if not accounts:
        return known(con)
    con.execute(
        f"create or replace temp table {_SCOPE} as select unnest($names) as account",
        {"names": accounts},
    )
    catalog = _catalog(con)
    with_account = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_columns() where database_name = $catalog "
            "and schema_name = 'main' and column_name = 'account'",
            {"catalog": catalog},
        ).fetchall()
    }
    for name in relations:
        if name in with_account:  # a model name from queries/, never user text
            con.execute(
                f'create or replace temp view "{name}" as select m.* '  # noqa: S608
                f'from "{catalog}".main."{name}" as m '
                f"semi join {_SCOPE} as s on s.account = m.account"
            )
    return accounts


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else "memory"


def stored(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """``table`` of the database itself, past any temp view :func:`scope` put in front of it."""
    return f'"{_catalog(con)}".main."{table}"'


def scope_episodes(con: duckdb.DuckDBPyConnection) -> None:
    """After :func:`scope` named accounts: only their alert episodes (an alert subject starts
    with its account: ``<account> / <item>``), so one account's run never judges, closes or
    announces another's."""
    if not is_scoped(con):
        return
    con.execute(
        "create or replace temp view alert_episodes as select e.* "  # noqa: S608
        f"from {stored(con, 'alert_episodes')} as e "
        f"semi join {_SCOPE} as s on s.account = split_part(e.subject, ' / ', 1)"
    )


def is_scoped(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether :func:`scope` limited ``con``'s readers to named accounts."""
    row = con.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = $t", {"t": _SCOPE}
    ).fetchone()
    return bool(row and row[0])


def covered(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The accounts ``con``'s readers see: those :func:`scope` named, else every known one."""
    if is_scoped(con):
        rows = con.execute(f"select account from {_SCOPE} order by 1").fetchall()  # noqa: S608
        return [r[0] for r in rows]
    return known(con)
