"""The action tables' metadata, read from the header of each ``queries/report/action_*.sql``.

Each action file says what it is next to the SQL that computes it::

    -- action_newly_high
    -- order: 1                     where the table stands in the report
    -- title: Numbers newly high risk
    -- description: one or two lines a person reads under the title
    -- sources: telnyx[, plivo]      the collections the table needs in the week
    -- export: spam_risk_transitions (optional) the mart that lists every row
    -- empty: what the table says when it has no row
    -- next_step: the documented rule behind the ``next_step`` column
    -- columns:
    --   <column>: <Label> [<kind>, title=<column>]   kind defaults to text

Every action table ends with a ``next_step`` column; a file without one is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from analytics.models.discovery import ModelError
from analytics.report.context import Column
from analytics.resources import queries_dir

KINDS = ("text", "number", "usd", "phone", "date", "datetime", "status", "score")
SOURCES = ("telnyx", "plivo")
REQUIRED = ("order", "title", "description", "sources", "empty", "next_step", "columns")

_FIELD = re.compile(r"^--\s([a-z_]+):\s*(.*)$")
_COLUMN = re.compile(r"^--\s{3}([a-z_][a-z0-9_]*):\s*([^\[]+?)\s*(?:\[([^\]]*)\])?\s*$")


@dataclass(frozen=True)
class ActionSpec:
    """One action table: its query file and the header fields that describe it."""

    slug: str
    query: str
    order: int
    title: str
    description: str
    sources: tuple[str, ...]
    export: str | None
    empty: str
    next_step_rule: str
    columns: tuple[Column, ...]


def _column(path: Path, key: str, label: str, options: str | None) -> Column:
    kind, title = "text", None
    for part in (p.strip() for p in (options or "").split(",") if p.strip()):
        if part.startswith("title="):
            title = part.removeprefix("title=")
        elif part in KINDS:
            kind = part
        else:
            raise ModelError(f"{path}: column {key}: unknown option {part!r}")
    return Column(key, label, kind, title)


def parse(path: Path) -> ActionSpec:
    """Read one action file's header; raise :class:`ModelError` naming what is missing."""
    fields: dict[str, str] = {}
    columns: list[Column] = []
    last: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.startswith("--"):
            break
        if last == "columns" and (m := _COLUMN.match(line)):
            columns.append(_column(path, m.group(1), m.group(2), m.group(3)))
        elif m := _FIELD.match(line):
            last = m.group(1)
            fields[last] = m.group(2).strip()
        elif last and last != "columns":
            fields[last] = f"{fields[last]} {line[2:].strip()}".strip()
    for name in REQUIRED:
        if name not in fields:
            raise ModelError(f"{path}: the header lacks '-- {name}:'")
    if not fields["order"].isdigit():
        raise ModelError(f"{path}: order must be a whole number")
    if not columns or columns[-1].key != "next_step":
        raise ModelError(f"{path}: an action table lists its columns, ending with next_step")
    sources = tuple(s.strip() for s in fields["sources"].split(",") if s.strip())
    if not sources or any(s not in SOURCES for s in sources):
        raise ModelError(f"{path}: sources must be among {', '.join(SOURCES)}")
    name = path.stem
    return ActionSpec(
        slug=name.removeprefix("action_").replace("_", "-"),
        query=name,
        order=int(fields["order"]),
        title=fields["title"],
        description=fields["description"],
        sources=sources,
        export=fields.get("export") or None,
        empty=fields["empty"],
        next_step_rule=fields["next_step"],
        columns=tuple(columns),
    )


@cache
def actions() -> tuple[ActionSpec, ...]:
    """Every action table's spec, in the report's order (``-- order:``)."""
    specs = [parse(p) for p in (queries_dir() / "report").glob("action_*.sql")]
    return tuple(sorted(specs, key=lambda s: (s.order, s.query)))
