"""End to end: simulated Telnyx account -> collect -> DuckDB, complete and never billable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.config import Settings, load_settings
from analytics.http import ProviderLimits
from analytics.orchestration.collect import collect
from analytics.simulator import FaultPlan, SimServer, Simulator, serve

START = date(2026, 8, 31)


async def no_wait(_seconds: float) -> None:
    """Retries in tests never sleep."""


def _sim(**kwargs: object) -> Simulator:
    return Simulator(seed=11, start=START, telnyx_numbers=600, telnyx_enterprises=5, **kwargs)


def _settings(sim: Simulator, db: Path, **extra: str) -> Settings:
    env = {
        "TELNYX_API_KEY": sim.telnyx_api_key,
        "TELNYX_BASE_URL": "http://telnyx.sim/v2",
        "CALLREP_DB": str(db),
        **extra,
    }
    return load_settings(env, config_file=db.parent / "absent.toml")


def _stored_numbers(db: Path, run_id: int) -> dict[tuple[str, str], tuple]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """
        select enterprise_id, phone_number, spam_risk, spam_category, maturity_score,
               connection_score, engagement_score, sentiment_score, last_refreshed_at
        from telnyx_number_snapshots where run_id = ?
        """,
        [run_id],
    ).fetchall()
    con.close()
    return {(r[0], r[1]): r[2:] for r in rows}


def _expected_numbers(sim: Simulator) -> dict[tuple[str, str], tuple]:
    expected = {}
    for enterprise in sim.telnyx.enterprises():
        if sim.telnyx.settings(enterprise["id"]) is None:
            continue
        for n in sim.telnyx.numbers(enterprise["id"]):
            rep = n["reputation_data"] or {}
            refreshed = rep.get("last_refreshed_at")
            expected[(enterprise["id"], n["phone_number"])] = (
                rep.get("spam_risk"),
                rep.get("spam_category"),
                rep.get("maturity_score"),
                rep.get("connection_score"),
                rep.get("engagement_score"),
                rep.get("sentiment_score"),
                refreshed,
            )
    return expected


def _same(stored: dict, expected: dict) -> None:
    assert stored.keys() == expected.keys()
    for key, values in expected.items():
        got = stored[key]
        assert got[:-1] == values[:-1], key
        if values[-1] is None:
            assert got[-1] is None
        else:
            assert got[-1] == datetime.fromisoformat(values[-1])


def test_every_number_arrives_with_its_values_and_nothing_is_billed(tmp_path: Path) -> None:
    sim = _sim()
    db = tmp_path / "c.duckdb"
    for _day in range(3):
        [outcome] = collect(
            _settings(sim, db), only=["telnyx"], transport=sim.transport(), collected_at=sim.now
        )
        assert outcome.status == "succeeded", outcome.error
        _same(_stored_numbers(db, outcome.run_id), _expected_numbers(sim))
        sim.advance(1)
    assert sim.counters.billable_calls == 0
    assert sim.counters.write_calls == 0
    assert len(_expected_numbers(sim)) > 250  # more than one page for some enterprise


def test_gates_and_disabled_reputation_are_recorded(tmp_path: Path) -> None:
    sim = _sim()
    db = tmp_path / "c.duckdb"
    collect(_settings(sim, db), only=["telnyx"], transport=sim.transport(), collected_at=sim.now)
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(
        con.execute(
            "select enterprise_id, [reputation_enabled::varchar, status, loa_status, "
            "array_to_string(rejection_reasons, '|')] from telnyx_enterprise_snapshots"
        ).fetchall()
    )
    ids = sim.telnyx.scenario["enterprises"]
    assert rows[ids["disabled"]][0] == "false"
    assert rows[ids["pending_loa"]][1:3] == ["approved", "pending"]
    assert rows[ids["rejected"]][1] == "rejected" and rows[ids["rejected"]][3]
    assert rows[ids["approved_weekly"]][1:3] == ["approved", "approved"]


def test_remediation_details_are_fetched_only_until_final(tmp_path: Path) -> None:
    sim = _sim()
    db = tmp_path / "c.duckdb"
    settings = _settings(sim, db)
    collect(settings, only=["telnyx"], transport=sim.transport(), collected_at=sim.now)
    con = duckdb.connect(str(db), read_only=True)
    expected = {
        r["id"]: r
        for e in sim.telnyx.enterprises()
        for r in sim.telnyx.remediation_requests(e["id"])
    }
    stored = dict(
        con.execute("select request_id, status from telnyx_remediation_requests").fetchall()
    )
    assert stored == {k: v["status"] for k, v in expected.items()}
    buckets = con.execute(
        "select request_id, bucket, list(phone_number order by phone_number) "
        "from telnyx_remediation_results group by all"
    ).fetchall()
    for request_id, bucket, numbers in buckets:
        assert sorted(expected[request_id]["results"][bucket]) == numbers
    con.close()
    final = sum(1 for r in expected.values() if r["status"] in ("completed", "failed", "cancelled"))
    before = sim.counters.by_endpoint.copy()
    collect(settings, only=["telnyx"], transport=sim.transport(), collected_at=sim.now)
    details = {k: v - before[k] for k, v in sim.counters.by_endpoint.items() if "remediation" in k}
    fetched_again = sum(v for k, v in details.items() if "detail" in k or "request" in k)
    assert fetched_again <= len(expected) - final


def test_faults_on_ten_percent_of_requests_still_finish_complete(tmp_path: Path) -> None:
    sim = _sim()
    db = tmp_path / "c.duckdb"
    plan = FaultPlan(rate=0.1, seed=3, slow_seconds=0.3)
    settings = _settings(sim, db)
    telnyx = settings.account("telnyx")
    assert telnyx is not None
    quick = replace(telnyx, limits=ProviderLimits(8, None, 1.0, 0.1))
    settings = replace(settings, accounts=(quick,))
    [outcome] = collect(
        settings,
        only=["telnyx"],
        transport=sim.transport(faults=plan),
        collected_at=sim.now,
        sleep=no_wait,
    )
    assert outcome.status == "succeeded", outcome.error
    assert sum(plan.injected.values()) > 0
    _same(_stored_numbers(db, outcome.run_id), _expected_numbers(sim))
    assert sim.counters.billable_calls == 0 and sim.counters.write_calls == 0


def test_malformed_records_are_kept_flagged_and_counted(tmp_path: Path) -> None:
    sim = _sim(malformed=True)
    db = tmp_path / "c.duckdb"
    [outcome] = collect(
        _settings(sim, db), only=["telnyx"], transport=sim.transport(), collected_at=sim.now
    )
    assert outcome.status == "succeeded" and outcome.flagged >= len(
        sim.telnyx.scenario["malformed_numbers"]
    )
    con = duckdb.connect(str(db), read_only=True)
    flagged = con.execute(
        "select count(*) from telnyx_number_snapshots where flags is not null and raw is not null"
    ).fetchone()[0]
    ledger = con.execute(
        "select flagged from collection_runs where run_id = ?", [outcome.run_id]
    ).fetchone()[0]
    assert flagged >= 1 and ledger == outcome.flagged


def test_wrong_key_fails_the_run_naming_401_and_never_leaks_the_key(tmp_path: Path) -> None:
    sim = _sim()
    db = tmp_path / "c.duckdb"
    secret = "KEY-0123456789-very-secret"
    settings = load_settings(
        {
            "TELNYX_API_KEY": secret,
            "TELNYX_BASE_URL": "http://telnyx.sim/v2",
            "CALLREP_DB": str(db),
        },
        config_file=tmp_path / "absent.toml",
    )
    [outcome] = collect(settings, only=["telnyx"], transport=sim.transport(), collected_at=sim.now)
    assert outcome.status == "failed" and "401" in outcome.error and "wrong" in outcome.error
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from telnyx_number_snapshots").fetchone() == (0,)
    assert con.execute("select status from collection_runs").fetchall() == [("failed",)]
    con.close()
    for path in tmp_path.iterdir():
        assert secret.encode() not in path.read_bytes()


@pytest.fixture
def server() -> Iterator[tuple[Simulator, SimServer]]:
    sim = _sim()
    with serve(sim, port=0) as srv:
        yield sim, srv


def test_cli_collect_over_loopback(server: tuple[Simulator, SimServer], tmp_path: Path) -> None:
    sim, srv = server
    db = tmp_path / "cli.duckdb"
    env = {
        "TELNYX_API_KEY": sim.telnyx_api_key,
        "TELNYX_BASE_URL": srv.telnyx_base_url,
        "PLIVO_AUTH_ID": "",
        "PLIVO_AUTH_TOKEN": "",
    }
    result = CliRunner().invoke(cli, ["collect", "--db", str(db)], env=env)
    assert result.exit_code == 0, result.output
    assert "telnyx: ok" in result.output and "skipped (credentials not set): plivo" in result.output
    runs = CliRunner().invoke(cli, ["runs", "--db", str(db)], env=env)
    assert "succeeded" in runs.output
    bad = CliRunner().invoke(
        cli, ["collect", "--db", str(db)], env={**env, "TELNYX_API_KEY": "nope"}
    )
    assert bad.exit_code == 1 and "telnyx: FAILED" in bad.output and "401" in bad.output
    missing = CliRunner().invoke(cli, ["collect", "--source", "plivo", "--db", str(db)], env=env)
    assert missing.exit_code == 2 and "PLIVO_AUTH_ID" in missing.output


def test_a_killed_collection_is_marked_failed_by_the_next_run(tmp_path: Path) -> None:
    sim = _sim()
    db = tmp_path / "k.duckdb"
    with serve(sim, port=0, latency=0.5) as srv:
        env = {
            **os.environ,
            "TELNYX_API_KEY": sim.telnyx_api_key,
            "TELNYX_BASE_URL": srv.telnyx_base_url,
            "PLIVO_AUTH_ID": "",
            "PLIVO_AUTH_TOKEN": "",
            "CALLREP_DB": str(db),
        }
        proc = subprocess.Popen([sys.executable, "-m", "analytics", "collect"], env=env)
        deadline = time.monotonic() + 180  # a liveness bound: a loaded machine starts slowly
        while time.monotonic() < deadline and sim.counters.requests < 2:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        done = subprocess.run(
            [sys.executable, "-m", "analytics", "collect"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute(
        "select status, error, run_id from collection_runs order by run_id"
    ).fetchall()
    assert runs[0][:2] == ("failed", "interrupted: the process ended before it committed")
    assert runs[1][0] == "succeeded"
    per_run = con.execute("select distinct run_id from telnyx_number_snapshots").fetchall()
    assert per_run == [(runs[1][2],)]
