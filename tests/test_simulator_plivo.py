"""The simulated Plivo account: auth, paging, caller-reputation scenarios, rate limit."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from analytics.simulator import Simulator, merged_status
from analytics.simulator.clock import add_business_days

AID = "MASIM0000000000000001"


def client(sim: Simulator, auth: tuple[str, str] = (AID, "sim-plivo-token")) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://sim/v1/Account/{AID}", transport=sim.transport(), auth=auth
    )


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=7, telnyx_numbers=200, plivo_numbers=60)


def get_number(c: httpx.Client, number: str) -> dict:
    r = c.get(f"/Number/{number}/")
    assert r.status_code == 200, r.text
    return r.json()


def test_auth_and_account_in_path(sim: Simulator) -> None:
    r = client(sim, auth=(AID, "wrong")).get("/Number/")
    assert r.status_code == 401 and set(r.json()) == {"api_id", "error"}
    other = httpx.Client(
        base_url="http://sim/v1/Account/MAOTHER/",
        transport=sim.transport(),
        auth=(AID, "sim-plivo-token"),
    )
    assert other.get("Number/").status_code == 401
    assert client(sim).get("/Number").status_code == 404  # no trailing slash


def test_number_paging_limits_and_next(sim: Simulator) -> None:
    c = client(sim)
    assert c.get("/Number/", params={"limit": 21}).status_code == 400
    body = c.get("/Number/").json()
    assert body["meta"]["limit"] == 20 and body["meta"]["previous"] is None
    total = body["meta"]["total_count"]
    seen, url = [], "/Number/?limit=20&offset=0"
    while url:
        page = c.get(f"http://sim{url}" if url.startswith("/v1") else url).json()
        seen += page["objects"]
        url = page["meta"]["next"]
    assert len(seen) == total == len(sim.plivo.numbers())
    assert [o["number"] for o in seen] == [n["number"] for n in sim.plivo.numbers()]
    assert all(not o["number"].startswith("+") for o in seen)
    assert {o["number_type"] for o in seen} <= {"local", "tollfree"}
    assert all("caller_reputation" not in o for o in seen)


def test_single_number_carries_reputation_and_is_free(sim: Simulator) -> None:
    c = client(sim)
    n = sim.plivo.numbers()[0]
    got = get_number(c, n["number"])
    assert got["caller_reputation_by_carrier"].keys() == {"att", "tmobile"}
    assert got["caller_reputation_status"] == merged_status(
        [v["status"] for v in got["caller_reputation_by_carrier"].values()]
    )
    assert sim.counters.billable_calls == 0 and sim.counters.write_calls == 0
    c.post(f"/Number/{n['number']}/", json={"alias": "renamed"})
    assert sim.counters.write_calls == 1


def test_merged_status_rule() -> None:
    assert merged_status(["FAILED", "ACTIVE"]) == "ACTIVE"
    assert merged_status(["FAILED", "PENDING"]) == "PENDING"
    assert merged_status(["ACTIVE", "PENDING"]) == "ACTIVE"
    assert merged_status(["FAILED", "NOT_ENROLLED"]) == "FAILED"
    assert merged_status(["NOT_ENROLLED", "NOT_ENROLLED"]) == "NOT_ENROLLED"


def test_scenarios_exist(sim: Simulator) -> None:
    c = client(sim)
    sc = sim.plivo.scenario
    hidden = get_number(c, sc["hidden_failure"])
    assert hidden["caller_reputation_status"] == "ACTIVE"
    assert hidden["caller_reputation_by_carrier"]["att"]["status"] == "FAILED"
    assert hidden["caller_reputation_by_carrier"]["tmobile"]["status"] == "ACTIVE"
    stuck = get_number(c, sc["stuck_pending"])
    sim.advance(21)
    stuck_later = get_number(c, sc["stuck_pending"])
    assert stuck["caller_reputation_status"] == stuck_later["caller_reputation_status"] == "PENDING"
    assert (
        stuck_later["caller_reputation_by_carrier"]["att"]["updated_at"]
        < f"{sim.today - timedelta(days=40)}"
    )
    odd = next(p for p in sim.plivo.profiles() if p["profile_uuid"] == sc["profiles"]["odd_ein"])
    assert len([ch for ch in odd["ein"] if ch.isdigit()]) != 9
    assert get_number(c, sc["odd_ein"])["caller_reputation_status"] == "FAILED"
    statuses = {n["caller_reputation_status"] for n in sim.plivo.numbers()}
    assert statuses == {"ACTIVE", "PENDING", "FAILED", "NOT_ENROLLED"}
    assert any(n["caller_reputation"] == "disabled" for n in sim.plivo.numbers())


def test_profiles_and_verified_caller_ids(sim: Simulator) -> None:
    c = client(sim)
    body = c.get("/Profile/").json()
    assert set(body["meta"]) == {"limit", "next", "offset"}
    eins = [p["ein"] for p in body["profiles"]]
    assert len(set(eins)) == len(eins) and "12-3456789" in eins and "123456789" in eins
    assert any("created_at" in p for p in body["profiles"]) and any(
        "created_at" not in p for p in body["profiles"]
    )
    vids = c.get("/VerifiedCallerId/").json()["objects"]
    assert all(v["phone_number"].startswith("+") for v in vids)
    telnyx = {
        r["phone_number"] for e in sim.telnyx.enterprises() for r in sim.telnyx.numbers(e["id"])
    }
    assert any(v["phone_number"] in telnyx for v in vids) and any(
        v["phone_number"] not in telnyx for v in vids
    )
    plivo_e164 = {"+" + n["number"] for n in sim.plivo.numbers()}
    assert plivo_e164 & telnyx


def test_release_and_reenable_in_one_month(sim: Simulator) -> None:
    c = client(sim)
    sc = sim.plivo.scenario
    released_on, reenabled_on = (
        date.fromisoformat(sc["released_on"]),
        date.fromisoformat(sc["reenabled_on"]),
    )
    assert released_on.month == reenabled_on.month
    sim.advance((reenabled_on - sim.today).days + 3)
    assert c.get(f"/Number/{sc['released']}/").status_code == 404
    assert sc["released"] not in {n["number"] for n in sim.plivo.numbers()}
    rel = next(r for r in sim.plivo.released() if r["number"] == sc["released"])
    assert (
        rel["released_on"] == sc["released_on"]
        and rel["profile_uuid"] == sc["profiles"]["released"]
    )
    again = get_number(c, sc["reenabled"])
    assert (
        again["profile_uuid"] == sc["profiles"]["released"]
        and again["caller_reputation_status"] == "ACTIVE"
    )


def test_registration_activates_within_two_business_days(sim: Simulator) -> None:
    c = client(sim)
    number = sim.plivo.scenario["enabling_today"]
    assert get_number(c, number)["caller_reputation_status"] == "PENDING"
    deadline = add_business_days(sim.today, 2)
    while sim.today < deadline:
        sim.advance(1)
    assert get_number(c, number)["caller_reputation_status"] == "ACTIVE"


def test_rate_limit_with_fake_clock() -> None:
    t = [0.0]
    sim = Simulator(
        telnyx_numbers=20, plivo_numbers=10, plivo_rate_limit=(3, 1.0), monotonic=lambda: t[0]
    )
    c = client(sim)
    codes = [c.get("/Profile/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.get("/Profile/")
    assert (
        r.status_code == 429
        and "retry-after" not in r.headers
        and set(r.json()) == {"api_id", "error"}
    )
    t[0] = 1.01
    assert c.get("/Profile/").status_code == 200
    assert sim.counters.rate_limited == 2
