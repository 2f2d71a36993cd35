"""End to end: the simulated Plivo account → orchestration.collect → a temporary DuckDB."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from analytics.collectors.base import RunContext
from analytics.collectors.plivo import PlivoCollector, PlivoPrior
from analytics.config import PlivoSettings, Settings, load_settings
from analytics.http import ApiClient, ProviderLimits
from analytics.orchestration.collect import collect
from analytics.simulator.core import Simulator
from analytics.simulator.faults import FaultPlan
from analytics.store.database import published_path

UNLIMITED = (10**6, 1.0)  # a simulator rate limit no test run reaches


def settings_for(
    sim: Simulator, tmp_path: Path, *, fast: bool = True, token: str | None = None
) -> Settings:
    """Settings pointing at the simulator; ``fast`` lifts the client-side pacing."""
    env = {
        "PLIVO_AUTH_ID": sim.plivo_auth_id,
        "PLIVO_AUTH_TOKEN": token or sim.plivo_auth_token,
        "PLIVO_BASE_URL": "http://plivo.sim/v1",
        "CALLREP_DB": str(tmp_path / "t.duckdb"),
    }
    config = tmp_path / "callrep.toml"
    config.write_text("[plivo]\nrate = 100000\nperiod_seconds = 1.0\n" if fast else "")
    env["CALLREP_CONFIG"] = str(config)
    return load_settings(env=env)


def query(settings: Settings, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def stamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def expected_numbers(sim: Simulator) -> dict[str, tuple[Any, ...]]:
    out = {}
    for n in sim.plivo.numbers():
        carriers = n["caller_reputation_by_carrier"]
        out[f"+{n['number']}"] = (
            n["caller_reputation"],
            n["caller_reputation_status"],
            carriers["att"]["status"],
            stamp(carriers["att"]["updated_at"]),
            carriers["tmobile"]["status"],
            stamp(carriers["tmobile"]["updated_at"]),
            n["profile_uuid"],
            n["number_type"],
            n["alias"],
        )
    return out


def stored_numbers(settings: Settings, run_id: int) -> dict[str, tuple[Any, ...]]:
    rows = query(
        settings,
        """
        select number, caller_reputation, merged_status, att_status, att_updated_at,
               tmobile_status, tmobile_updated_at, profile_uuid, number_type, alias
        from plivo_number_snapshots where run_id = ?
        """,
        [run_id],
    )
    return {r[0]: tuple(r[1:]) for r in rows}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=7, plivo_rate_limit=UNLIMITED)


def test_every_number_arrives_with_its_carrier_values(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    [outcome] = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert outcome.status == "succeeded", outcome.error
    expected = expected_numbers(sim)
    assert len(expected) > 40  # more than two pages of 20
    assert stored_numbers(settings, outcome.run_id) == expected
    assert sim.counters.write_calls == 0
    assert sim.counters.by_endpoint["plivo GET number"] == len(expected)
    assert sim.counters.by_endpoint["plivo GET numbers"] == -(-len(expected) // 20)
    assert all(not k.startswith("plivo ") or " GET " in k for k in sim.counters.by_endpoint)
    [(flagged, extra, raw)] = query(
        settings, "select count(flags), count(extra), count(raw) from plivo_number_snapshots"
    )
    assert (flagged, extra, raw) == (0, 0, 0)  # clean numbers keep no JSON
    [(counts,)] = query(settings, "select counts from collection_runs")
    assert json.loads(counts)["numbers"] == len(expected)


def test_hidden_failure_is_stored_with_its_failed_carrier(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    sql = "select merged_status, att_status, tmobile_status from plivo_number_snapshots"
    hidden = f"+{sim.plivo.scenario['hidden_failure']}"
    [row] = query(settings, f"{sql} where number = ?", [hidden])
    assert row == ("ACTIVE", "FAILED", "ACTIVE")
    stuck = f"+{sim.plivo.scenario['stuck_pending']}"
    [row] = query(settings, f"{sql} where number = ?", [stuck])
    assert row == ("PENDING", "PENDING", "PENDING")


def test_profiles_and_verified_caller_ids_are_complete(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    profiles = {p["profile_uuid"]: p for p in sim.plivo.profiles()}
    rows = query(
        settings,
        "select profile_uuid, ein, company_name, address, flags from plivo_profile_snapshots",
    )
    assert {r[0] for r in rows} == set(profiles)
    for uuid, ein, company, address, flags in rows:
        assert ein == profiles[uuid]["ein"] and company == profiles[uuid]["company_name"]
        assert json.loads(address) == profiles[uuid]["address"]
        assert bool(flags) == (ein == "98-76543")  # the odd EIN, kept exactly, flagged
    ids = query(settings, "select phone_number, verification_uuid from plivo_verified_caller_ids")
    assert sorted(ids) == sorted(
        (v["phone_number"], v["verification_uuid"]) for v in sim.plivo.verified_caller_ids()
    )
    raw = query(settings, "select endpoint, body from raw_responses where source = 'plivo'")
    pairs = (("profiles", "profiles"), ("verified caller ids", "objects"))
    listed = {e: [x for end, b in raw if end == e for x in json.loads(b)[k]] for e, k in pairs}
    assert listed["profiles"] == sim.plivo.profiles()
    assert listed["verified caller ids"] == sim.plivo.verified_caller_ids()


def test_released_numbers_are_absent_from_the_next_snapshot(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    [first] = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    released = f"+{sim.plivo.scenario['released']}"
    while sim.today.isoformat() < sim.plivo.scenario["released_on"]:
        sim.advance(1)
    assert any(f"+{r['number']}" == released for r in sim.plivo.released())
    [second] = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert second.status == "succeeded", second.error
    before, after = stored_numbers(settings, first.run_id), stored_numbers(settings, second.run_id)
    assert released in before and released not in after
    assert after == expected_numbers(sim)
    gone = {f"+{r['number']}" for r in sim.plivo.released()}
    assert not gone & after.keys()
    [(counts,)] = query(
        settings, "select counts from collection_runs where run_id = ?", [second.run_id]
    )
    assert json.loads(counts)["released_since_last_run"] == len(before.keys() - after.keys()) >= 1


def test_list_items_carrying_reputation_need_no_detail_gets(tmp_path: Path) -> None:
    sim = Simulator(seed=7, plivo_rate_limit=UNLIMITED, plivo_list_includes_reputation=True)
    settings = settings_for(sim, tmp_path)
    [outcome] = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert stored_numbers(settings, outcome.run_id) == expected_numbers(sim)
    assert sim.counters.by_endpoint["plivo GET number"] == 0


def test_faults_are_retried_and_the_run_completes(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    faults = FaultPlan(rate=0.15, seed=3, slow_seconds=0.01)
    [outcome] = collect(
        settings, only=["plivo"], transport=sim.transport(faults=faults), collected_at=sim.now
    )
    assert outcome.status == "succeeded", outcome.error
    assert sum(faults.injected.values()) > 0
    assert stored_numbers(settings, outcome.run_id) == expected_numbers(sim)
    [(retries,)] = query(settings, "select http_retries from collection_runs")
    assert retries >= sum(n for k, n in faults.injected.items() if k != "slow")
    assert sim.counters.write_calls == 0


def test_simulator_rate_limit_429s_are_retried(tmp_path: Path) -> None:
    """Real time, so a small fleet: the default client pace (58/s) against 20/s."""
    sim = Simulator(seed=11, plivo_numbers=24, plivo_rate_limit=(20, 1.0))
    settings = settings_for(sim, tmp_path, fast=False)
    [outcome] = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert outcome.status == "succeeded", outcome.error
    assert sim.counters.rate_limited > 0
    [(throttled,)] = query(settings, "select http_throttled from collection_runs")
    assert throttled == sim.counters.rate_limited
    assert stored_numbers(settings, outcome.run_id) == expected_numbers(sim)


class FakeTime:
    """A clock that moves only when someone sleeps: shared by the client and the simulator."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def test_rate_limited_fleet_on_a_fake_clock_completes(tmp_path: Path) -> None:
    """200 numbers against 20 requests/s with the default client limits, in no real time."""
    fake = FakeTime()
    sim = Simulator(seed=5, plivo_numbers=200, plivo_rate_limit=(20, 1.0), monotonic=fake)
    settings = settings_for(sim, tmp_path, fast=False)  # the default limits: 290 per 5 s
    account = settings.account("plivo")
    assert isinstance(account, PlivoSettings)
    collector = PlivoCollector(account)
    limits = collector.limits

    async def run() -> Any:
        async with collector.client(sim.transport()) as http:
            api = ApiClient(
                http,
                limits=ProviderLimits(
                    limits.concurrency, limits.rate, limits.period, limits.timeout
                ),
                secrets=collector.secrets(),
                sleep=fake.sleep,
                clock=fake,
                rng=random.Random(0),
            )
            ctx = RunContext(1, sim.now, "default", PlivoPrior())
            return await collector.collect(api, ctx), api.stats

    batch, stats = asyncio.run(run())
    assert sim.counters.rate_limited > 0 and stats.throttled == sim.counters.rate_limited
    numbers = batch.appends["plivo_number_snapshots"]
    assert set(numbers["number"]) == set(expected_numbers(sim))
    requests = 200 + 10 + 1 + 1
    assert fake.now >= requests / 20 - 1  # paced by the server's limit, as it must be


def test_wrong_token_fails_without_leaking_it(sim: Simulator, tmp_path: Path) -> None:
    token = "wrong-Tok3n-value-9f8e7d"
    settings = settings_for(sim, tmp_path, token=token)
    [outcome] = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert outcome.status == "failed"
    assert "401" in (outcome.error or "") and token not in (outcome.error or "")
    [(error,)] = query(settings, "select error from collection_runs")
    assert token not in error
    assert_not_in_files(tmp_path, token)


def test_token_never_reaches_the_database(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert published_path(settings.db_path).exists()
    assert_not_in_files(tmp_path, sim.plivo_auth_token)


def assert_not_in_files(folder: Path, token: str) -> None:
    import base64

    blob = base64.b64encode(f"x:{token}".encode())[4:].decode()  # part of any Basic header
    for path in folder.iterdir():
        if path.is_file():
            data = path.read_bytes()
            assert token.encode() not in data, path
            assert blob.encode() not in data, path


def test_collected_at_is_the_simulated_time(sim: Simulator, tmp_path: Path) -> None:
    settings = settings_for(sim, tmp_path)
    collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    [(when,)] = query(settings, "select distinct collected_at from plivo_number_snapshots")
    assert when.astimezone(UTC) == sim.now


def test_client_sends_basic_auth_and_paths_ending_with_slash(
    sim: Simulator, tmp_path: Path
) -> None:
    settings = settings_for(sim, tmp_path)
    seen: list[httpx.Request] = []
    inner = sim.transport()

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return await inner.handle_async_request(request)

    collect(settings, only=["plivo"], transport=Spy(), collected_at=sim.now)
    assert seen and all(r.method == "GET" for r in seen)
    assert all(r.url.path.startswith(f"/v1/Account/{sim.plivo_auth_id}/") for r in seen)
    assert all(r.url.path.endswith("/") for r in seen)
    assert all(int(r.url.params.get("limit", "20")) <= 20 for r in seen)
    assert all(r.headers["authorization"].startswith("Basic ") for r in seen)
