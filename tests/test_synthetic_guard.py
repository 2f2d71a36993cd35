"""Synthetic data only where it belongs: a database holds real or simulated data, never both.

"Real" here is the simulator's own API served through ``httpx.MockTransport(sim.handle)``,
which answers like the simulator but without the ``X-Callrep-Simulator`` header, exactly as
a provider would.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.config import Settings, load_settings
from analytics.errors import InputError
from analytics.orchestration.collect import collect
from analytics.orchestration.ingest import ingest
from analytics.simulator import FaultPlan, Simulator, serve
from analytics.simulator.synth import synthesize
from analytics.store.database import connect
from analytics.store.provenance import SIMULATOR_HEADER, is_synthetic

START = date(2026, 8, 31)
TELNYX = ("telnyx",)
LANDED = (
    "telnyx_enterprise_snapshots",
    "telnyx_number_snapshots",
    "plivo_number_snapshots",
    "plivo_status_callbacks",
)


def _sim() -> Simulator:
    return Simulator(seed=5, start=START, telnyx_numbers=40, telnyx_enterprises=2)


def _settings(sim: Simulator, db: Path, *, plivo: bool = False) -> Settings:
    env = {
        "TELNYX_API_KEY": sim.telnyx_api_key,
        "TELNYX_BASE_URL": "http://telnyx.sim/v2",
        "CALLREP_DB": str(db),
    }
    if plivo:
        env |= {
            "PLIVO_AUTH_ID": sim.plivo_auth_id,
            "PLIVO_AUTH_TOKEN": sim.plivo_auth_token,
            "PLIVO_BASE_URL": "http://plivo.sim/v1",
        }
    return load_settings(env, config_file=db.parent / "absent.toml")


def _real(sim: Simulator) -> httpx.MockTransport:
    """The simulator's API without its self-identifying header: a real provider."""
    return httpx.MockTransport(sim.handle)


class _Mixed(httpx.AsyncBaseTransport):
    """Telnyx answered by the simulator, Plivo by a 'real' API."""

    def __init__(self, sim: Simulator) -> None:
        self.simulated, self.real = sim.transport(), _real(sim)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        side = self.simulated if request.url.host == "telnyx.sim" else self.real
        return await side.handle_async_request(request)


def _snapshot(db: Path) -> dict[str, object]:
    """Everything a refusal must leave as it was: landed rows, run statuses, the mark."""
    con = connect(db, read_only=True)
    try:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone() for t in LANDED}
        runs = con.execute("select run_id, status from collection_runs order by 1").fetchall()
        return {"counts": counts, "runs": runs, "synthetic": is_synthetic(con)}
    finally:
        con.close()


def _runs(db: Path) -> list[tuple[str, str | None]]:
    con = connect(db, read_only=True)
    try:
        return con.execute("select status, error from collection_runs order by run_id").fetchall()
    finally:
        con.close()


def test_synth_refuses_a_database_holding_real_data(tmp_path: Path) -> None:
    db = tmp_path / "prod.duckdb"
    sim = _sim()
    [outcome] = collect(_settings(sim, db), only=TELNYX, transport=_real(sim))
    assert outcome.status == "succeeded"
    before = _snapshot(db)
    result = CliRunner().invoke(
        cli, ["simulator", "synth", "--numbers", "20", "--days", "2", "--db", str(db)]
    )
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert "holds real data" in line and "nothing was stored" in line
    assert _snapshot(db) == before


def test_synth_marks_a_new_database_and_appends_to_its_own(tmp_path: Path) -> None:
    db = tmp_path / "year.duckdb"
    runner = CliRunner()
    args = ["simulator", "synth", "--numbers", "20", "--db", str(db)]
    assert runner.invoke(cli, [*args, "--days", "3"]).exit_code == 0
    assert runner.invoke(cli, [*args, "--append-day", "1"]).exit_code == 0
    con = connect(db, read_only=True)
    try:
        assert is_synthetic(con)
        days = con.execute("select count(*) from collection_runs where source = 'telnyx'")
        assert days.fetchone() == (4,)
    finally:
        con.close()


def test_collecting_from_the_simulator_marks_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "sim.duckdb"
    sim = _sim()
    for _ in range(2):
        [outcome] = collect(_settings(sim, db), only=TELNYX, transport=sim.transport())
        assert outcome.status == "succeeded"
    assert _snapshot(db)["synthetic"] is True


def test_a_real_database_refuses_simulated_answers_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "prod.duckdb"
    sim = _sim()
    collect(_settings(sim, db), only=TELNYX, transport=_real(sim))
    before = _snapshot(db)
    with pytest.raises(InputError, match="refusing simulated answers from telnyx") as err:
        collect(_settings(sim, db), only=TELNYX, transport=sim.transport())
    assert "\n" not in str(err.value) and SIMULATOR_HEADER in str(err.value)
    after = _snapshot(db)
    assert after["counts"] == before["counts"] and after["synthetic"] is False
    assert _runs(db)[-1] == ("failed", str(err.value))  # never left running


def test_a_synthetic_database_refuses_real_answers(tmp_path: Path) -> None:
    db = tmp_path / "sim.duckdb"
    synthesize(db, numbers=20, days=2)
    sim = _sim()
    before = _snapshot(db)
    with pytest.raises(InputError, match=r"real answers from telnyx.*marked synthetic"):
        collect(_settings(sim, db), only=TELNYX, transport=_real(sim))
    assert _snapshot(db)["counts"] == before["counts"]
    assert [status for status, _ in _runs(db)].count("running") == 0


def test_a_mixed_collection_is_refused_even_into_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    sim = _sim()
    with pytest.raises(InputError, match="telnyx answered as callrep's simulator, plivo as a"):
        collect(_settings(sim, db, plivo=True), transport=_Mixed(sim))
    snap = _snapshot(db)
    assert set(snap["counts"].values()) == {(0,)} and snap["synthetic"] is False
    assert [status for status, _ in _runs(db)] == ["failed", "failed"]


def test_a_synthetic_database_refuses_real_callbacks(tmp_path: Path) -> None:
    db = tmp_path / "sim.duckdb"
    synthesize(db, numbers=20, days=1)
    spool = tmp_path / "spool.jsonl"
    line = {
        "number": "14155550123",
        "carrier": "att",
        "caller_reputation_status": "ACTIVE",
        "auth_id": "MAX1",
        "received_at": "2026-06-17T11:05:02Z",
    }
    spool.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"real callbacks from spool\.jsonl.*marked synthetic"):
        ingest(spool, db, {"MAX1": "default"})
    assert _snapshot(db)["counts"]["plivo_status_callbacks"] == (0,)
    fresh = tmp_path / "real.duckdb"
    assert (
        ingest(spool, fresh, {"MAX1": "default"}).added == 1
    )  # callbacks are real data: not marked
    assert _snapshot(fresh)["synthetic"] is False


def test_the_simulator_names_itself_on_every_answer_and_fault() -> None:
    sim = _sim()
    headers = {"Authorization": f"Bearer {sim.telnyx_api_key}"}
    with httpx.Client(transport=sim.transport(), base_url="http://telnyx.sim/v2") as http:
        assert http.get("/enterprises", headers=headers).headers[SIMULATOR_HEADER] == "1"
    faulty = sim.transport(faults=FaultPlan(rate=1.0, kinds=("503",)))
    with httpx.Client(transport=faulty, base_url="http://telnyx.sim/v2") as http:
        answer = http.get("/enterprises", headers=headers)
        assert answer.status_code == 503 and answer.headers[SIMULATOR_HEADER] == "1"
    with serve(sim, port=0) as server:
        for url in (f"{server.telnyx_base_url}/enterprises", f"{server.url}/nowhere"):
            answer = httpx.get(url, headers=headers)
            assert answer.headers.get_list(SIMULATOR_HEADER) == ["1"]


def test_readme_recipe_against_a_real_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """`callrep simulator serve` + `callrep collect` into a database holding real data."""
    db = tmp_path / "prod.duckdb"
    sim = _sim()
    collect(_settings(sim, db), only=TELNYX, transport=_real(sim))
    before = _snapshot(db)
    with serve(sim, port=0) as server:
        env = {
            "TELNYX_API_KEY": sim.telnyx_api_key,
            "TELNYX_BASE_URL": server.telnyx_base_url,
            "CALLREP_DB": str(db),
            "CALLREP_CONFIG": None,
            **{k: None for k in os.environ if k.startswith("PLIVO_")},
        }
        result = CliRunner().invoke(cli, ["collect"], env=env)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert line.startswith("callrep: error: refusing simulated answers from telnyx")
    assert _snapshot(db)["counts"] == before["counts"]
