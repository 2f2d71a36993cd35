"""The synthetic history generator: deterministic, realistic enough, appendable, fast."""

from __future__ import annotations

from datetime import date

import duckdb
from click.testing import CliRunner

from analytics.cli.synth import synth
from analytics.simulator.synth import days_written, synthesize
from analytics.store.schema import migrate


def test_writes_every_landing_table(con):
    counts = synthesize(con, numbers=200, days=14, seed=1, start=date(2026, 1, 5))
    assert counts["collection_runs"] == 28
    assert 14 * 190 <= counts["telnyx_number_snapshots"] <= 14 * 210
    assert counts["plivo_number_snapshots"] > 0 and counts["plivo_profile_snapshots"] > 0
    risks = dict(
        con.execute(
            "select coalesce(spam_risk, 'null'), count(*) from telnyx_number_snapshots group by 1"
        ).fetchall()
    )
    assert risks["low"] > risks.get("medium", 0) > 0
    runs = con.execute(
        "select count(*) from collection_runs where status = 'succeeded' and source = 'telnyx'"
    ).fetchone()[0]
    assert runs == 14
    assert days_written(con, date(2026, 1, 5)) == 14


def test_same_seed_same_rows_and_append_continues(tmp_path):
    def rows(path):
        with duckdb.connect(str(path)) as c:
            return c.execute(
                "select phone_number, spam_risk, maturity_score from telnyx_number_snapshots "
                "order by collected_at, phone_number"
            ).fetchall()

    whole, parts = tmp_path / "whole.duckdb", tmp_path / "parts.duckdb"
    synthesize(whole, numbers=50, days=6, seed=2)
    synthesize(parts, numbers=50, days=4, seed=2)
    synthesize(parts, numbers=50, days=2, seed=2, days_from=4)
    assert rows(whole) == rows(parts)


def test_cli_writes_and_appends(tmp_path):
    db = tmp_path / "cli.duckdb"
    runner = CliRunner()
    result = runner.invoke(synth, ["--numbers", "30", "--days", "3", "--db", str(db)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(synth, ["--numbers", "30", "--db", str(db), "--append-day", "1"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db)) as c:
        migrate(c)
        assert days_written(c) == 4
