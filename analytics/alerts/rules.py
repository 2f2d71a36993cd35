"""The alert rules: SQL files whose header carries ``-- alert: <rule id>``.

A rule is a *state*: the rows its query returns now. Five are the weekly report's own action
tables (``queries/report/action_*.sql``, read unchanged: one definition per state); the states
no action table lists (a number is high, its scores drift, a collection failed, stale data)
live in ``queries/alerts/``. Every rule file's header says::

    -- alert: number-high             the rule's id (stored with each episode)
    -- order: 1                       where its lines stand in the output
    -- title: Numbers high risk
    -- sources: telnyx[, plivo] | none the collections the state needs in the latest week
    -- alert_subject: account, phone_number   the columns that name an item (account first)
    -- alert_label: phone_number      the column(s) a person reads for it (default: the subject)

and each row has a ``next_step`` column, the report's next-step rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from analytics.models.discovery import ModelError
from analytics.report.sql import parameters_of
from analytics.resources import queries_dir

ALL_ROWS = 2**62  # the action tables' `limit $limit`: an alert reads every row
_FIELD = re.compile(r"^--\s([a-z_]+):\s*(.*)$")
_RULE_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")
SOURCES = ("telnyx", "plivo")


@dataclass(frozen=True)
class Rule:
    """One alert rule and the SQL file that states it."""

    rule_id: str
    order: int
    title: str
    sources: tuple[str, ...]
    subject: tuple[str, ...]
    label: tuple[str, ...]
    path: Path


@dataclass(frozen=True)
class Match:
    """One item a rule matches now: its subject, what a person reads, the next step, the row."""

    rule_id: str
    subject: str
    label: str
    next_step: str
    row: dict[str, Any]


def _columns(value: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in value.split(",") if c.strip())


def parse(path: Path) -> Rule | None:
    """The rule a file's header states; None for a file without ``-- alert:``."""
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.startswith("--"):
            break
        if m := _FIELD.match(line):
            fields[m.group(1)] = m.group(2).strip()
    if "alert" not in fields:
        return None
    rule_id = fields["alert"]
    for name in ("title", "sources", "alert_subject"):
        if not fields.get(name):
            raise ModelError(f"{path}: an alert rule's header lacks '-- {name}:'")
    if not _RULE_ID.fullmatch(rule_id):
        raise ModelError(f"{path}: alert: expected a lowercase id such as number-high")
    sources = tuple(s for s in _columns(fields["sources"]) if s != "none")
    if any(s not in SOURCES for s in sources):
        raise ModelError(f"{path}: sources must be among {', '.join(SOURCES)}, or none")
    subject = _columns(fields["alert_subject"])
    if subject[:1] != ("account",):
        # an item names its account first, so one account's run never closes another's
        raise ModelError(f"{path}: alert_subject must begin with account")
    return Rule(
        rule_id=rule_id,
        order=int(fields["order"]) if fields.get("order", "").isdigit() else 99,
        title=fields["title"],
        sources=sources,
        subject=subject,
        label=_columns(fields.get("alert_label", "")) or subject,
        path=path,
    )


@cache
def rules() -> tuple[Rule, ...]:
    """Every alert rule (the report's action tables that declare one, and queries/alerts/),
    in ``-- order:``."""
    root = queries_dir()
    paths = [
        *sorted((root / "report").glob("action_*.sql")),
        *sorted((root / "alerts").glob("*.sql")),
    ]
    found = [r for r in (parse(p) for p in paths) if r is not None]
    ids = [r.rule_id for r in found]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ModelError(f"alert rule ids must be unique: {', '.join(duplicated)}")
    return tuple(sorted(found, key=lambda r: (r.order, r.rule_id)))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def evaluate(con: duckdb.DuckDBPyConnection, rule: Rule, params: dict[str, Any]) -> list[Match]:
    """The items ``rule`` matches on ``con`` (staged by the report's stage, see run.py)."""
    sql = rule.path.read_text(encoding="utf-8")
    values = {**params, "limit": ALL_ROWS}
    cursor = con.execute(sql, {k: values[k] for k in sorted(parameters_of(sql))})
    names = [d[0] for d in cursor.description or []]
    matches: dict[str, Match] = {}
    for values_row in cursor.fetchall():
        row = {k: v for k, v in zip(names, values_row, strict=True) if k != "total_rows"}
        subject = " / ".join(_text(row[c]) for c in rule.subject)
        label = " / ".join(_text(row[c]) for c in rule.label)
        matches.setdefault(
            subject, Match(rule.rule_id, subject, label, _text(row.get("next_step")), row)
        )
    return list(matches.values())
