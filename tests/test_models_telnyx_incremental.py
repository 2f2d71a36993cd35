"""Incremental builds give exactly the marts of a full build, and data tests on every mart."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analytics.config import Pricing
from analytics.models import build, marts
from analytics.simulator.synth import synthesize
from analytics.store.schema import migrate

SMALL = {"numbers": 120, "seed": 3, "start": date(2026, 1, 5), "enterprises": 2}
DAYS = 24


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every mart's rows, sorted (float columns rounded)."""
    out = {}
    # incremental intermediates read directly by the report or by table marts
    for name in [
        *(mart.name for mart in marts()),
        "int_plivo_carrier_status_runs",
        "int_plivo_carrier_status_facts",
        "int_cost_telnyx_enterprise_days",
    ]:
        cursor = con.execute(f"select * from {name}")
        rows = [
            tuple(round(v, 9) if isinstance(v, float) else v for v in row)
            for row in cursor.fetchall()
        ]
        out[name] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def incremental_and_full(tmp_path_factory):
    folder = tmp_path_factory.mktemp("incr")
    inc = duckdb.connect(str(folder / "inc.duckdb"))
    migrate(inc)
    synthesize(inc, days=10, **SMALL)
    build(inc, Pricing())
    for n in range(10, DAYS):
        synthesize(inc, days=1, days_from=n, **SMALL)
        if n == 15:
            # A second run later on an already-built day: the day is recomputed, never doubled.
            build(inc, Pricing())
            synthesize(inc, days=1, days_from=n, **{**SMALL, "seed": 4})
        if n % 3 != 0:  # sometimes two days land between builds
            report = build(inc, Pricing())
            assert not report.full
    build(inc, Pricing())
    yield inc, None
    inc.close()


def test_incremental_builds_equal_a_full_rebuild(incremental_and_full):
    inc, _ = incremental_and_full
    incremental = snapshot(inc)
    build(inc, Pricing(), full=True)
    rebuilt = snapshot(inc)
    for name in rebuilt:
        assert incremental[name] == rebuilt[name], name
    assert incremental["spam_risk_daily"], "the synthetic history should fill the marts"
    assert incremental["spam_risk_transitions"]
    assert incremental["score_drift"]
    assert incremental["int_plivo_carrier_status_runs"]


def test_keys_are_unique_and_not_null(incremental_and_full):
    inc, _ = incremental_and_full
    for mart in marts():
        key = ", ".join(mart.key)
        nulls = " or ".join(f"{k} is null" for k in mart.key)
        dupes = inc.execute(
            f"select count(*) from (select {key} from {mart.name} group by all having count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0, f"{mart.name}: duplicate keys ({key})"
        missing = inc.execute(f"select count(*) from {mart.name} where {nulls}").fetchone()[0]
        assert missing == 0, f"{mart.name}: null key ({key})"


RISKS = ("low", "medium", "high", "unknown")


@pytest.mark.parametrize(
    ("sql", "allowed"),
    [
        ("select distinct spam_risk from spam_risk_daily", RISKS),
        ("select distinct from_risk from spam_risk_transitions", RISKS),
        ("select distinct to_risk from spam_risk_transitions", RISKS),
        ("select distinct spam_risk from score_drift", ("low", "medium")),
        (
            "select distinct score from score_drift",
            ("maturity", "connection", "engagement", "sentiment"),
        ),
        (
            "select distinct bucket from remediation_number_outcomes",
            ("remediated", "not_flagged", "requires_review", "ineligible", "refused"),
        ),
        ("select distinct risk_before from remediation_number_outcomes", (*RISKS, None)),
        ("select distinct risk_after from remediation_number_outcomes", (*RISKS, None)),
        (
            "select distinct outcome from remediation_number_outcomes",
            ("reflagged", "stayed_clean", "unmonitored", "open", None),
        ),
        (
            "select distinct recommendation from remediation_number_history",
            ("rotate", "wait", "review", "resubmit", "none"),
        ),
    ],
)
def test_enums(incremental_and_full, sql, allowed):
    inc, _ = incremental_and_full
    assert {r[0] for r in inc.execute(sql).fetchall()} <= set(allowed)


@pytest.mark.parametrize(
    "violations",
    [
        "select * from spam_risk_transitions where from_risk = to_risk",
        "select * from spam_risk_transitions where previous_observed_on >= observed_on",
        "select * from score_drift where value_before - value_now < 15",
        "select * from score_drift where before_on > observed_on - 7",
        "select * from spam_risk_weekly where numbers_high > numbers_monitored",
        "select * from spam_risk_weekly where iso_week <> strftime(week_start, '%G-W%V')",
        """select * from remediation_outcomes
           where remediated + not_flagged + requires_review + ineligible + refused
                 > phone_numbers_count""",
        "select * from remediation_outcomes where success_rate < 0 or success_rate > 1",
        """select * from remediation_number_outcomes
           where bucket <> 'remediated' and reflagged_within_30d is not null""",
        """select * from remediation_number_outcomes
           where refreshed_after_at <= tier2_completed_at or reflagged_at < observed_after_at""",
        """select * from remediation_outcomes
           where stayed_clean + reflagged + unmonitored > remediated""",
        """select * from remediation_outcomes
           where is_window_closed and stayed_clean + reflagged + unmonitored <> remediated""",
        "select * from remediation_outcomes where durable_success_rate > success_rate",
        "select * from remediation_outcomes_weekly where durable_success_rate > success_rate",
        """select * from remediation_number_history
           where times_reflagged > times_remediated or charged_submissions > times_submitted""",
        """select d.* from spam_risk_daily as d
           join (select day, enterprise_id, sum(numbers) as total from spam_risk_daily group by all)
             as t using (day, enterprise_id)
           where d.numbers > t.total""",
    ],
)
def test_invariants(incremental_and_full, violations):
    inc, _ = incremental_and_full
    assert inc.execute(f"select count(*) from ({violations})").fetchone()[0] == 0
