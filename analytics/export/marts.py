"""``callrep export``: write a documented mart to CSV, Parquet or JSON through DuckDB's writers.

The file is written by ``COPY ... TO`` into a temporary file in the target folder, then renamed
into place (:func:`analytics.store.files.atomic_path`), so an interrupted export never leaves a
truncated file; ``-`` (stdout) and special files such as ``/dev/null`` are written directly.
Mart names are checked against the documented marts before they reach SQL; every value
(``--since``, paths) is a query parameter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import duckdb

from analytics.errors import InputError
from analytics.models import marts
from analytics.report.accounts import scope
from analytics.store.files import STDOUT, atomic_path
from analytics.store.transaction import first_line

FORMATS = ("csv", "parquet", "json")
NAMES = "dim_enterprises"  # exports name each enterprise from it, next to its id
_OPTIONS = {
    "csv": "(format csv, header true)",
    "parquet": "(format parquet, compression zstd)",
    "json": "(format json, array true)",
}


@dataclass(frozen=True)
class MartDoc:
    """A documented mart: its name, one-line purpose and the column ``--since`` filters on
    (its header's ``-- since_column:``; None: the mart takes no ``--since``)."""

    name: str
    purpose: str
    since_column: str | None = None


def documented_marts() -> list[MartDoc]:
    """The public marts, from the models' own documentation (``queries/marts/*.sql`` headers)."""
    return [
        MartDoc(m.name, _first_sentence(m.purpose), m.since_column)
        for m in sorted(marts(), key=lambda m: m.name)
    ]


def since_column(mart: str) -> str | None:
    """The column ``--since`` filters ``mart`` on, from its SQL header."""
    return next((m.since_column for m in marts() if m.name == mart), None)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0].rstrip(".:;")


def _key(mart: str) -> tuple[str, ...]:
    return next(m.key for m in marts() if m.name == mart)


def check_mart(name: str) -> str:
    """``name`` if it is a documented mart, else an :class:`InputError` listing them."""
    names = [m.name for m in documented_marts()]
    if name not in names:
        raise InputError(f"unknown mart {name!r}; documented marts: {', '.join(names)}")
    return name


def _since_value(since: date, column_type: str) -> str | date | datetime:
    """``--since`` as a value of the column's type: a UTC day starts at 00:00 UTC."""
    if column_type.startswith("TIMESTAMP"):
        return datetime.combine(since, time.min, UTC)
    if column_type == "VARCHAR":  # an ISO week label such as 2026-W46
        iso = since.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return since


def _check_since_collected(con: duckdb.DuckDBPyConnection, mart: str, since: date) -> None:
    """Refuse a ``--since`` after the latest collection day, naming that day.

    A ``--since`` within the collected history is valid even when it leaves no rows (no
    remediation request in the last week is an answer, not an error).
    """
    row = con.execute(
        "select max(observed_on), max(observed_on) >= $since::date from stg_callrep__runs "
        "where status = 'succeeded'",
        {"since": since},
    ).fetchone()
    latest, covered = row if row else (None, None)
    if covered:
        return
    detail = f"the latest collection was on {latest}" if latest else "nothing is collected yet"
    raise InputError(f"--since {since}: after the data; {detail}")


def default_filename(mart: str, fmt: str) -> Path:
    return Path(f"{mart}.{fmt}")


def resolve_format(fmt: str | None, out: Path | None) -> str:
    """The format to write: ``--format`` if given, else ``--out``'s extension, else CSV.

    ``--format json --out x.csv`` contradicts itself, and ``--out x.txt`` without
    ``--format`` names no format: each is an :class:`InputError` (nothing is written).
    An extensionless ``--out`` (``-``, ``/dev/null``) takes ``--format`` or CSV.
    """
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    suffix = out.suffix.lower().lstrip(".") if out is not None and str(out) != STDOUT else ""
    if not suffix:
        return fmt or "csv"
    if suffix not in FORMATS:
        if fmt:
            return fmt
        raise InputError(
            f"--out {out}: cannot tell the format from .{suffix}; add --format "
            f"({', '.join(FORMATS)}) or use a .csv, .parquet or .json name"
        )
    if fmt and fmt != suffix:
        raise InputError(
            f"--format {fmt} contradicts --out {out} (a .{suffix} name); drop --format or "
            f"name the file .{fmt}"
        )
    return suffix


def export_mart(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    out: Path,
    fmt: str = "csv",
    since: date | None = None,
    accounts: Sequence[str] = (),
) -> int:
    """Write ``mart`` to ``out`` atomically (only ``accounts``' rows when given, for a mart
    keyed on ``account``); return the number of rows written."""
    mart = check_mart(mart)
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    described = con.execute(f'describe "{mart}"').fetchall()  # mart: a documented name
    columns = {r[0]: r[1] for r in described}
    where, params = "", {}
    if since is not None:
        column = since_column(mart)
        if column is None or column not in columns:
            raise InputError(f"--since: {mart} has no date column to filter on")
        where = f' where m."{column}" >= $since'
        params["since"] = _since_value(since, columns[column])
        _check_since_collected(con, mart, since)
    if accounts:
        if "account" not in columns:
            raise InputError(f"--account: {mart} has no account column to filter on")
        scope(con, accounts, (mart, NAMES))  # the readers' one account filter
    # rows in key order, so the same data always gives the same bytes
    order = ", ".join(f'm."{k}"' for k in _key(mart) if k in columns)
    order_by = f" order by {order}" if order else ""
    select, joins = _with_names(mart, list(columns))
    # identifiers come only from the documented mart list and its own columns; values are params
    query = (
        f'copy (select {select} from "{mart}" as m{joins}{where}{order_by}) '  # noqa: S608
        f"to $path {_OPTIONS[fmt]}"
    )
    with atomic_path(out) as temp:
        path = "/dev/stdout" if str(temp) == STDOUT else str(temp)
        try:
            row = con.execute(query, {**params, "path": path}).fetchone()
        except duckdb.IOException as err:
            raise InputError(f"cannot write {out}: {_cause(err)}") from None
    return int(row[0]) if row else 0


def _with_names(mart: str, columns: list[str]) -> tuple[str, str]:
    """The select list and joins that put ``<x>enterprise_name`` (from ``dim_enterprises``, the
    one place names come from, of the row's account when it has one) right after each
    ``<x>enterprise_id`` column."""
    account = ' and {0}.account = m."account"' if "account" in columns else ""
    select, joins = [], []
    for column in columns:
        select.append(f'm."{column}"')
        if column.endswith("enterprise_id") and mart != NAMES:
            alias = f"n{len(joins)}"
            name = column.removesuffix("id") + "name"
            select.append(f'{alias}.enterprise_name as "{name}"')
            joins.append(
                f" left join {NAMES} as {alias} on {alias}.enterprise_id = "
                f'm."{column}"{account.format(alias)}'
            )
    return ", ".join(select), "".join(joins)


def _cause(err: duckdb.Error) -> str:
    """DuckDB's I/O message reduced to its cause (``No space left on device``)."""
    line = first_line(err)
    return line.rsplit(": ", 1)[-1] if ": " in line else line
