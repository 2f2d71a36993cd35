"""Finding the SQL models in ``queries/`` and reading their header comments.

A model is one ``.sql`` file in ``queries/staging``, ``queries/intermediate`` or
``queries/marts``; its file name is the relation it creates. The header comment (see
``queries/README.md``) is parsed into a :class:`Model`; dependencies are the other models and
landing relations whose names appear, as whole words, in the SQL outside comments.

Header fields the runner reads besides the documented ones:

``-- incremental_on: <date column>``
    for ``materialized: incremental``: the column that partitions the increments (a date).
``-- incremental_grain: day | week | month``
    (default ``day``) the bound is the first day to recompute, truncated to this grain.
``-- since_column: <date, time or ISO-week column>``
    (marts, optional) the column ``callrep export --since`` filters on.
``-- columns:``
    also required of a table model that reads its own previous rows (its name appears in its
    SQL: :attr:`Model.reads_itself`); the runner creates its first, empty version from them.
"""

from __future__ import annotations

import graphlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from analytics.resources import queries_dir

LAYERS = ("staging", "intermediate", "marts")
MATERIALIZATIONS = ("view", "table", "incremental")
GRAINS = ("day", "week", "month")
RUNNER_RELATIONS = ("callrep_settings", "us_federal_holidays")

_FIELD = re.compile(r"^--\s*([a-z_]+):\s*(.*)$")
_COLUMN = re.compile(r"^--\s{2,}([A-Za-z_][A-Za-z0-9_]*):\s*(.+)$")
_CONTINUATION = re.compile(r"^--\s{4,}(\S.*)$")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ModelError(ValueError):
    """A model file breaks the conventions (the message names the file)."""


@dataclass(frozen=True)
class Model:
    """One SQL model with its parsed header."""

    name: str
    layer: str
    path: Path
    sql: str
    purpose: str
    grain: str
    key: tuple[str, ...]
    materialized: str
    columns: tuple[tuple[str, str], ...] = ()
    incremental_on: str | None = None
    incremental_grain: str = "day"
    since_column: str | None = None
    depends_on: tuple[str, ...] = field(default=())

    @property
    def is_mart(self) -> bool:
        """Marts are the documented public contract."""
        return self.layer == "marts"

    @property
    def reads_itself(self) -> bool:
        """A table model whose SQL reads its own previous rows (see the runner)."""
        return self.materialized == "table" and self.name in body_words(_body(self.sql))


def parse(path: Path, layer: str) -> Model:
    """Read one model file; raise :class:`ModelError` when its header is incomplete."""
    text = path.read_text(encoding="utf-8")
    name = path.stem
    lines = text.splitlines()
    if not lines or lines[0].strip() != f"-- {name}":
        raise ModelError(f"{path}: the first line must be '-- {name}'")
    fields: dict[str, str] = {}
    columns: list[tuple[str, str]] = []
    in_columns = False
    for line in lines[1:]:
        if not line.startswith("--"):
            break
        column = _COLUMN.match(line) if in_columns else None
        continuation = _CONTINUATION.match(line) if in_columns else None
        if continuation and columns:
            last_name, meaning = columns[-1]
            columns[-1] = (last_name, f"{meaning} {continuation.group(1).strip()}")
        elif column:
            columns.append((column.group(1), column.group(2).strip()))
        elif match := _FIELD.match(line):
            key, value = match.group(1), match.group(2).strip()
            in_columns = key == "columns"
            if key in fields and not in_columns:
                fields[key] = f"{fields[key]} {value}".strip()
            else:
                fields[key] = value
        elif in_columns and line.strip() != "--":
            raise ModelError(
                f"{path}: cannot read column line {line!r} (expected '--   name: meaning')"
            )
        elif fields and not in_columns:
            last = next(reversed(fields))
            fields[last] = f"{fields[last]} {line[2:].strip()}".strip()
    for required in ("purpose", "grain", "key", "materialized"):
        if not fields.get(required):
            raise ModelError(f"{path}: the header lacks '-- {required}:'")
    materialized = fields["materialized"]
    if materialized not in MATERIALIZATIONS:
        raise ModelError(f"{path}: materialized must be one of {', '.join(MATERIALIZATIONS)}")
    if layer == "marts" and not columns:
        raise ModelError(f"{path}: a mart lists its columns under '-- columns:'")
    incremental_on = fields.get("incremental_on") or None
    if materialized == "incremental" and not incremental_on:
        raise ModelError(
            f"{path}: an incremental model names its date column in '-- incremental_on:'"
        )
    grain = fields.get("incremental_grain", "day")
    if grain not in GRAINS:
        raise ModelError(f"{path}: incremental_grain must be one of {', '.join(GRAINS)}")
    if materialized == "table" and name in body_words(_body(text)) and not columns:
        raise ModelError(f"{path}: a model that reads its own rows lists them under '-- columns:'")
    since_column = fields.get("since_column") or None
    if since_column and since_column not in dict(columns):
        raise ModelError(f"{path}: since_column {since_column!r} is not one of its columns")
    return Model(
        name=name,
        layer=layer,
        path=path,
        sql=text,
        purpose=fields["purpose"],
        grain=fields["grain"],
        key=tuple(k.strip() for k in fields["key"].split(",") if k.strip()),
        materialized=materialized,
        columns=tuple(columns),
        incremental_on=incremental_on,
        incremental_grain=grain,
        since_column=since_column,
    )


def _body(sql: str) -> str:
    """The SQL after its first line (the line that names the model)."""
    return sql.split("\n", 1)[1] if "\n" in sql else ""


def body_words(sql: str) -> set[str]:
    """The identifiers in ``sql`` outside comments and string literals (lowercased)."""
    without_comments = _LINE_COMMENT.sub(" ", sql)
    without_strings = re.sub(r"'(?:[^']|'')*'", "''", without_comments)
    return {w.lower() for w in _WORD.findall(without_strings)}


def discover(root: Path | None = None) -> list[Model]:
    """Every model under ``root`` (default ``queries/``), in dependency order."""
    root = root or queries_dir()
    found: dict[str, Model] = {}
    for layer in LAYERS:
        folder = root / layer
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.sql")):
            model = parse(path, layer)
            if model.name in found:
                raise ModelError(f"{path}: a model named {model.name} already exists")
            found[model.name] = model
    resolved = {}
    for name, model in found.items():
        words = body_words(_body(model.sql))
        deps = tuple(sorted(other for other in found if other != name and other in words))
        resolved[name] = Model(**{**model.__dict__, "depends_on": deps})
    return _ordered(resolved)


def _ordered(models: dict[str, Model]) -> list[Model]:
    layer_rank = {layer: i for i, layer in enumerate(LAYERS)}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name, model in models.items():
        sorter.add(name, *model.depends_on)
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        raise ModelError(
            f"models depend on each other in a cycle: {' -> '.join(err.args[1])}"
        ) from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=lambda n: (layer_rank[models[n].layer], n))
        order.extend(ready)
        sorter.done(*ready)
    return [models[name] for name in order]
