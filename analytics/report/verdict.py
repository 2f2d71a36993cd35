"""The report's opening sentences: what needs action this week, in words a person can repeat.

Every count comes from ``queries/report/verdict.sql`` (the same marts and staged tables as the
tiles and action tables), the remediation rate from the headline figure and the cost from the
what-if, so the sentence never disagrees with what follows it. A source without a collection in
the week is named instead of judged: the verdict never says "nothing needs action" then.
"""

from __future__ import annotations

from typing import Any

import duckdb

from analytics.report import sql
from analytics.report.context import CostSection, Figure

DURABLE = "Durable remediation success"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _telnyx(row: dict[str, Any]) -> list[str]:
    parts = []
    if row["newly_high"]:
        text = f"{_count(row['newly_high'], 'number')} turned high this week"
        top, at_top = row["top_enterprise"], row["top_enterprise_newly_high"]
        if top and at_top and at_top < row["newly_high"]:
            text += f" ({at_top:,} at {top})"
        elif top:
            text += f" (at {top})"
        parts.append(text)
    if row["to_rotate"]:
        parts.append(
            f"{_count(row['to_rotate'], 'number')} came back high after 2 or more "
            "remediations: rotate them"
        )
    if row["drift_onsets"]:
        parts.append(f"{_count(row['drift_onsets'], 'number')} started to drift")
    if row["gates_rejected"]:
        parts.append(
            f"{_count(row['gates_rejected'], 'enterprise')} had a reputation gate rejected"
        )
    return parts


def _plivo(row: dict[str, Any]) -> list[str]:
    parts = []
    if row["hidden_failures"]:
        where = "one carrier" if row["failing_carriers"] == 1 else "a carrier"
        verb = "is" if row["hidden_failures"] == 1 else "are"
        parts.append(
            f"{_count(row['hidden_failures'], 'registration')} {verb} failing at "
            f"{where} behind a merged status that hides it"
        )
    if row["stuck_pending"]:
        parts.append(f"{_count(row['stuck_pending'], 'registration')} pending past 2 business days")
    return parts


def _remediation(figures: list[Figure]) -> str | None:
    durable = next((f for f in figures if f.label == DURABLE), None)
    if durable is None or durable.value is None:
        return None
    text = f"remediation held for {durable.value * 100:.0f}% of numbers"
    if durable.change:
        points = abs(durable.change) * 100
        text += f" ({'down' if durable.change < 0 else 'up'} {points:.0f} pp)"
    return text


def _cost(cost: CostSection | None) -> str | None:
    if cost is None or not cost.what_if:
        return None
    total = sum(w.current_usd for w in cost.what_if)
    saving = sum(w.saving_usd or 0 for w in cost.what_if)
    text = f"Telnyx will cost about USD {total:,.0f} in {cost.what_if_month.split()[0]}"
    if saving >= 1:
        text += f", USD {saving:,.0f} less on cheaper check schedules"
    return text


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def sentences(
    con: duckdb.DuckDBPyConnection,
    p: dict[str, Any],
    missing: dict[str, str],
    figures: list[Figure],
    cost: CostSection | None,
) -> list[str]:
    """What needs action (or that nothing does), then context; a missing source first."""
    row = sql.rows(con, "verdict", p)[0]
    actions = (_telnyx(row) if "telnyx" not in missing else []) + (
        _plivo(row) if "plivo" not in missing else []
    )
    context = [c for c in (_remediation(figures), _cost(cost)) if c]
    # a source without a collection is named first: its silence is never good news
    whose = "Its" if len(missing) == 1 else "Their"
    out = [" ".join(missing.values()) + f" {whose} figures are not judged here."] if missing else []
    if actions:
        out.append(_sentence(actions))
        if context:
            out.append(_sentence(context))
    else:
        lead = "nothing else needs action" if missing else "nothing needs action this week"
        out.append(_sentence([lead, *context]))
    return out
