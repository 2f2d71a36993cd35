"""Property test: spam_risk_daily's counts and medians against a plain-Python reference.

Scores are drawn from a few values (ties, even and odd counts) and null; numbers spread over
two enterprises and every risk level, over two days built one after the other (a full build,
then an incremental one), so both build paths are compared.
"""

from __future__ import annotations

import statistics
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.config import Pricing
from analytics.models import build
from analytics.store.database import connect
from analytics.store.schema import migrate
from tests.conftest import Landing

SCORES = ("maturity_score", "connection_score", "engagement_score", "sentiment_score")
RISKS = ("low", "medium", "high", None)
score = st.none() | st.sampled_from([0, 1, 37, 50, 51, 99, 100]) | st.integers(0, 100)
number = st.fixed_dictionaries(
    {
        "enterprise_id": st.sampled_from(["ent-1", "ent-2"]),
        "spam_risk": st.sampled_from(RISKS),
        **dict.fromkeys(SCORES, score),
    }
)
day_numbers = st.lists(number, min_size=1, max_size=30)


def expected(days: list[list[dict[str, Any]]]) -> set[tuple[Any, ...]]:
    """The mart's rows, computed the plain way: statistics.median of the non-null scores."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for n, numbers in enumerate(days):
        for row in numbers:
            risk = row["spam_risk"] or "unknown"
            groups[(f"2026-03-{2 + n:02d}", row["enterprise_id"], risk)].append(row)
    out = set()
    for (day, enterprise, risk), members in groups.items():
        medians = []
        for name in SCORES:
            values = [m[name] for m in members if m[name] is not None]
            medians.append(float(statistics.median(values)) if values else None)
        out.add((day, enterprise, risk, len(members), *medians))
    return out


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(day_numbers, min_size=1, max_size=2))
def test_daily_counts_and_medians_match_a_plain_reference(days):
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "callrep.duckdb")
        try:
            migrate(con)
            landing = Landing(con)
            for n, numbers in enumerate(days):
                run = landing.run(f"2026-03-{2 + n:02d}T06:00:00")
                landing.telnyx_numbers(
                    run,
                    [{"phone_number": f"+1202555{i:04d}", **row} for i, row in enumerate(numbers)],
                )
                build(con, Pricing())  # the first day a full build, the second incremental
            got = con.execute(
                "select strftime(day, '%Y-%m-%d'), enterprise_id, spam_risk, numbers, "
                "median_maturity_score, median_connection_score, median_engagement_score, "
                "median_sentiment_score from spam_risk_daily"
            ).fetchall()
        finally:
            con.close()
    assert len(got) == len(set(got))
    assert set(got) == expected(days)
