"""int_telnyx_number_events against a plain-Python reference, for generated histories: gaps,
days with no collection at all, a number in two enterprises of one account (two rows a day),
scores that drop and recover; built in increments of generated lengths, then in full."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.config import Pricing
from analytics.models import build
from analytics.store.database import connect
from analytics.store.schema import migrate
from tests.conftest import Landing

START = date(2026, 3, 2)
DAYS = 26
PHONES = ("+12025550101", "+12025550102")
ENTERPRISES = ("ent-1", "ent-2")
RISKS = ("low", "medium", "high")

observation = st.fixed_dictionaries(
    {
        "spam_risk": st.sampled_from(RISKS),
        "maturity_score": st.sampled_from([None, 20, 40, 60, 80]),
        "engagement_score": st.sampled_from([None, 30, 70]),
    }
)
# day -> [(phone, enterprise, values)]; a day may hold nothing (no collection)
history = st.dictionaries(
    st.integers(0, DAYS - 1),
    st.dictionaries(
        st.tuples(st.sampled_from(PHONES), st.sampled_from(ENTERPRISES)), observation, max_size=4
    ),
    min_size=1,
)
builds = st.sets(st.integers(1, DAYS - 1), max_size=6)


def _land(landing: Landing, day: int, seen: dict) -> None:
    run = landing.run(f"{START + timedelta(days=day)}T06:00:00")
    landing.telnyx_numbers(
        run,
        [
            {"phone_number": phone, "enterprise_id": enterprise, **values}
            for (phone, enterprise), values in seen.items()
        ],
    )


def _reference(con) -> set[tuple]:
    """Events computed from int_telnyx_number_days: per number (over its enterprises), rows
    in the model's order; prev = the row before, before = the last row 7 or more days earlier."""
    days = con.execute(
        "select phone_key, enterprise_key, observed_on, risk_code, scores "
        "from int_telnyx_number_days order by phone_key, observed_on, risk_code, "
        "enterprise_key, scores"
    ).fetchall()
    by_number: dict[int, list[tuple]] = {}
    for row in days:
        by_number.setdefault(row[0], []).append(row)
    events = set()
    for rows in by_number.values():
        for i, (phone, enterprise, on, risk, scores) in enumerate(rows):
            prev = rows[i - 1] if i else None
            earlier = [r for r in rows[:i] if r[2] <= on - timedelta(days=7)]
            before = earlier[-1] if earlier else None
            fields = [(scores >> s) & 127 for s in (21, 14, 7, 0)]
            olds = [(before[4] >> s) & 127 for s in (21, 14, 7, 0)] if before else []
            dropped = any(b != 127 and f + 15 <= b for f, b in zip(fields, olds, strict=False))
            if prev is None or prev[3] != risk or (risk in (1, 2) and dropped):
                events.add(
                    (
                        phone,
                        enterprise,
                        on,
                        prev and prev[2],
                        prev and prev[3],
                        before and before[2],
                        before and before[4],
                    )
                )
    return events


def _events(con) -> set[tuple]:
    rows = con.execute(
        "select phone_key, enterprise_key, observed_on, prev_observed_on, prev_risk_code, "
        "before_on, maturity_before, connection_before, engagement_before, sentiment_before "
        "from int_telnyx_number_events"
    ).fetchall()
    out = set()
    for row in rows:
        key, before_on, before = row[:5], row[5], row[6:]
        packed = None
        if before_on is not None:
            packed = 0
            for value in before:
                packed = (packed << 7) | (127 if value is None else value)
        out.add((*key, before_on, packed))
    return out


@settings(max_examples=8)
@given(history=history, builds=builds)
def test_events_match_a_reference_incrementally_and_in_full(history, builds):
    with tempfile.TemporaryDirectory() as folder:
        con = connect(Path(folder) / "callrep.duckdb")
        try:
            migrate(con)
            landing = Landing(con)
            first = min(history)
            for day in range(first, DAYS):
                if day in history:
                    _land(landing, day, history[day])
                if day == first or day in builds:
                    build(con, Pricing())
            build(con, Pricing())
            expected = _reference(con)
            assert _events(con) == expected
            build(con, Pricing(), full=True)
            assert _events(con) == expected
        finally:
            con.close()
