"""The words of an alert run: human lines grouped by rule, JSON lines, and each digest sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from analytics.alerts.episodes import Item, Pending
from analytics.alerts.rules import Match, Rule
from analytics.notify import Delivery

SHOWN = 5  # subjects listed per rule; the rest are counted
_ORDER = {"new": 0, "opened": 0, "resolved": 1, "open": 2}


def _line(status: str, match: Match | None, subject: str) -> str:
    label = match.label if match else subject
    step = f" — {match.next_step}" if match and match.next_step else ""
    return f"  {status:<9} {label}{step}"


def _group(rule: Rule, entries: Sequence[tuple[str, Match | None, str]]) -> list[str]:
    counts = {s: sum(1 for e in entries if e[0] == s) for s in ("new", "open", "resolved")}
    parts = []
    if counts["new"] or counts["open"]:
        open_count = counts["new"] + counts["open"]
        parts.append(
            f"{open_count:,} open" + (f" ({counts['new']:,} new)" if counts["new"] else "")
        )
    if counts["resolved"]:
        parts.append(f"{counts['resolved']:,} resolved")
    ordered = sorted(entries, key=lambda e: (_ORDER[e[0]], e[2]))
    lines = [f"{rule.title}: {', '.join(parts)}"]
    lines += [_line(*e) for e in ordered[:SHOWN]]
    if len(ordered) > SHOWN:
        lines.append(f"  … and {len(ordered) - SHOWN:,} more")
    return lines


def human(rules: Sequence[Rule], items: Sequence[Item]) -> list[str]:
    """The run's items grouped by rule (in the rules' order), with counts and the first few."""
    lines: list[str] = []
    for rule in rules:
        mine = [(i.status, i.match, i.subject) for i in items if i.rule == rule.rule_id]
        if mine:
            lines += _group(rule, mine)
    return lines


def digest(
    rules: Sequence[Rule], owed: Sequence[Pending], matches: dict[tuple[str, str], Match]
) -> tuple[str, str]:
    """The title and body of one destination's digest: what it has not been told yet."""
    new = sum(1 for p in owed if p.kind == "opened")
    resolved = len(owed) - new
    title = f"callrep: {new:,} new, {resolved:,} resolved"
    lines: list[str] = []
    for rule in rules:
        mine = [
            (
                "new" if p.kind == "opened" else "resolved",
                matches.get((p.rule, p.subject)) if p.kind == "opened" else None,
                p.subject,
            )
            for p in owed
            if p.rule == rule.rule_id
        ]
        if mine:
            lines += _group(rule, mine)
    return title, "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def json_line(item: Item, title: str) -> str:
    """One item as one JSON object on one line."""
    match = item.match
    record = {
        "rule": item.rule,
        "title": title,
        "subject": item.subject,
        "label": match.label if match else item.subject,
        "status": item.status,
        "opened_at": item.opened_at.isoformat(),
        "closed_at": item.closed_at.isoformat() if item.closed_at else None,
        "next_step": match.next_step if match else None,
        "row": match.row if match else None,
    }
    return json.dumps(record, default=_plain, ensure_ascii=False, sort_keys=False)


def describe(deliveries: Sequence[Delivery]) -> list[str]:
    """One line per failed delivery (the next run retries it)."""
    return [
        f"alerts: delivery to {d.destination.name} failed: {d.error}; "
        "its items stay unannounced and the next run retries them"
        for d in deliveries
        if not d.ok
    ]
