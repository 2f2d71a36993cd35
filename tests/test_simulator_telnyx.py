"""The simulated Telnyx Number Reputation API: routing, auth, paging, scenario, billing."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from analytics.simulator import Simulator
from analytics.simulator.telnyx_world import spam_risk

KEY = "sim-telnyx-key"


def client(sim: Simulator, key: str = KEY) -> httpx.Client:
    return httpx.Client(
        base_url="http://sim/v2",
        transport=sim.transport(),
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=7, telnyx_numbers=300, telnyx_enterprises=5, plivo_numbers=30)


def ent_id(sim: Simulator, kind: str) -> str:
    return sim.telnyx.scenario["enterprises"][kind]


def test_auth_is_required(sim: Simulator) -> None:
    r = client(sim, key="wrong").get("/enterprises")
    assert r.status_code == 401
    assert r.json()["errors"][0]["title"] == "Authentication failed"
    assert (
        httpx.Client(base_url="http://sim/v2", transport=sim.transport())
        .get("/enterprises")
        .status_code
        == 401
    )


def test_enterprises_list_and_gate_states(sim: Simulator) -> None:
    c = client(sim)
    body = c.get("/enterprises").json()
    assert body["meta"] == {"page_number": 1, "page_size": 20, "total_results": 5, "total_pages": 1}
    assert [e["id"] for e in body["data"]] == [e["id"] for e in sim.telnyx.enterprises()]
    assert {e["record_type"] for e in body["data"]} == {"enterprise"}
    states = {}
    for e in body["data"]:
        r = c.get(f"/enterprises/{e['id']}/reputation")
        states[e["id"]] = r.json()["data"] if r.status_code == 200 else r.status_code
    assert states[ent_id(sim, "approved_business_daily")]["check_frequency"] == "business_daily"
    assert states[ent_id(sim, "approved_weekly")]["check_frequency"] == "weekly"
    assert states[ent_id(sim, "pending_loa")]["loa_status"] == "pending"
    rejected = states[ent_id(sim, "rejected")]
    assert rejected["status"] == "rejected" and rejected["rejection_reasons"]
    assert states[ent_id(sim, "disabled")] == 404
    assert sim.telnyx.settings(ent_id(sim, "disabled")) is None
    disabled = c.get(f"/enterprises/{ent_id(sim, 'disabled')}/reputation")
    assert "errors" in disabled.json()


def test_fewer_enterprises_keep_the_interesting_ones() -> None:
    sim = Simulator(telnyx_numbers=50, telnyx_enterprises=3, plivo_numbers=10)
    assert list(sim.telnyx.scenario["enterprises"]) == [
        "approved_business_daily",
        "approved_weekly",
        "pending_loa",
    ]
    counts = [len(sim.telnyx.numbers(e["id"])) for e in sim.telnyx.enterprises()]
    assert counts[2] == 0 and sum(counts) == 50


def test_numbers_paging_default_cap_and_boundaries(sim: Simulator) -> None:
    c = client(sim)
    eid = ent_id(sim, "approved_business_daily")
    expected = sim.telnyx.numbers(eid)
    first = c.get(f"/enterprises/{eid}/reputation/numbers").json()
    assert first["meta"]["page_size"] == 10 and len(first["data"]) == 10
    assert first["meta"]["total_results"] == len(expected)
    capped = c.get(f"/enterprises/{eid}/reputation/numbers", params={"page[size]": 1000}).json()
    assert capped["meta"]["page_size"] == 250
    seen = []
    page = 1
    while True:
        body = c.get(
            f"/enterprises/{eid}/reputation/numbers", params={"page[number]": page, "page[size]": 7}
        ).json()
        seen += body["data"]
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
    assert seen == expected
    past = c.get(f"/enterprises/{eid}/reputation/numbers", params={"page[number]": page + 1}).json()
    assert past["data"] == []
    assert (
        c.get(f"/enterprises/{eid}/reputation/numbers", params={"page[size]": 0}).status_code == 400
    )
    assert c.get("/enterprises", params={"page[number]": "x"}).status_code == 400


def test_number_shape_and_filter(sim: Simulator) -> None:
    c = client(sim)
    eid = ent_id(sim, "approved_business_daily")
    rec = sim.telnyx.numbers(eid)[3]
    body = c.get(
        f"/enterprises/{eid}/reputation/numbers",
        params={"filter[phone_number][eq]": rec["phone_number"]},
    ).json()
    assert body["data"] == [rec]
    assert {
        "id",
        "enterprise_id",
        "phone_number",
        "reputation_data",
        "created_at",
        "updated_at",
    } <= set(rec)
    all_recs = [r for e in sim.telnyx.enterprises() for r in sim.telnyx.numbers(e["id"])]
    data = [r["reputation_data"] for r in all_recs if r["reputation_data"]]
    assert {d["spam_risk"] for d in data} >= {"low", "medium", "high"}
    assert any(r["reputation_data"] is None for r in all_recs)
    assert any(d["sentiment_score"] is None or d["maturity_score"] is None for d in data)
    assert any(d["spam_category"] == '<script>alert("x")</script>' for d in data)
    assert all(d["spam_category"] is None for d in data if d["spam_risk"] == "low")
    assert any("registration_status" in r for r in all_recs)  # an undocumented field


def test_pending_enterprise_has_no_numbers(sim: Simulator) -> None:
    c = client(sim)
    for kind in ("pending_loa", "rejected"):
        assert c.get(f"/enterprises/{ent_id(sim, kind)}/reputation/numbers").json()["data"] == []
    assert c.get(f"/enterprises/{ent_id(sim, 'disabled')}/reputation/numbers").status_code == 404


def test_reading_lists_is_free_but_per_number_and_writes_are_counted(sim: Simulator) -> None:
    c = client(sim)
    eid = ent_id(sim, "approved_business_daily")
    c.get("/enterprises")
    c.get(f"/enterprises/{eid}/reputation/numbers")
    c.get(f"/enterprises/{eid}/reputation/remediation")
    assert (sim.counters.billable_calls, sim.counters.write_calls) == (0, 0)
    phone = sim.telnyx.numbers(eid)[1]["phone_number"]
    assert c.get(f"/enterprises/{eid}/reputation/numbers/%2B{phone[1:]}").status_code == 200
    assert (
        c.get(
            f"/enterprises/{eid}/reputation/numbers/%2B{phone[1:]}", params={"fresh": "true"}
        ).status_code
        == 200
    )
    assert sim.counters.billable_calls == 2 and sim.counters.write_calls == 0
    r = c.post(f"/enterprises/{eid}/reputation/numbers/refresh", json={"phone_numbers": [phone]})
    assert r.json()["data"]["total_successful"] == 1
    assert (sim.counters.billable_calls, sim.counters.write_calls) == (3, 1)
    assert (
        c.patch(
            f"/enterprises/{eid}/reputation/frequency", json={"check_frequency": "daily"}
        ).status_code
        == 200
    )
    assert sim.counters.write_calls == 2
    assert sim.counters.by_endpoint["telnyx GET number"] == 2


def test_remediation_shapes_and_invariants(sim: Simulator) -> None:
    c = client(sim)
    eid = ent_id(sim, "approved_business_daily")
    at_start = {d["status"] for d in sim.telnyx.remediation_requests(eid)}
    assert at_start == {"pending", "in_progress", "completed", "failed", "cancelled"}
    sim.advance(10)
    listed = c.get(f"/enterprises/{eid}/reputation/remediation").json()
    assert listed["meta"]["page_size"] == 20 and listed["data"]
    assert "results" not in listed["data"][0] and "webhook_url" not in listed["data"][0]
    details = sim.telnyx.remediation_requests(eid)
    assert len(details) > 6
    for d in details:
        got = c.get(f"/enterprises/{eid}/reputation/remediation/{d['id']}").json()["data"]
        assert got == d
        assert (
            d["phone_numbers_count"] >= d["phone_numbers_submitted"] + d["phone_numbers_ineligible"]
        )
        if d["status"] != "completed":
            assert d["results"] is None
            continue
        assert d["tier1_completed_at"] < d["tier2_completed_at"]
        phones = [p for bucket in d["results"].values() for p in bucket]
        assert (
            len(phones)
            == len(set(phones))
            == d["phone_numbers_submitted"] + d["phone_numbers_ineligible"]
        )
        assert len(d["results"]["ineligible"]) == d["phone_numbers_ineligible"]


def test_refresh_follows_check_frequency() -> None:
    sim = Simulator(
        start=date(2026, 8, 31), telnyx_numbers=200, telnyx_enterprises=2, plivo_numbers=10
    )
    daily, weekly = (
        sim.telnyx.scenario["enterprises"][k]
        for k in ("approved_business_daily", "approved_weekly")
    )

    def stamps(eid: str) -> set[str]:
        return {
            r["reputation_data"]["last_refreshed_at"][:10]
            for r in sim.telnyx.numbers(eid)
            if r["reputation_data"]
        }

    seen_daily, seen_weekly = set(), set()
    for _ in range(14):
        sim.advance(1)
        seen_daily |= stamps(daily)
        seen_weekly |= stamps(weekly)
    weekdays = {date.fromisoformat(d).weekday() for d in seen_daily if d > "2026-08-31"}
    assert weekdays == {0, 1, 2, 3, 4}
    recent_weekly = {d for d in seen_weekly if d > "2026-08-31"}
    assert len({date.fromisoformat(d).weekday() for d in recent_weekly}) == 1


def test_scores_evolve_numbers_churn_and_new_numbers_start_null() -> None:
    sim = Simulator(telnyx_numbers=2000, telnyx_enterprises=2, plivo_numbers=10)
    eid = sim.telnyx.scenario["enterprises"]["approved_business_daily"]
    before = {r["phone_number"]: r for r in sim.telnyx.numbers(eid)}
    sim.advance(1)
    after = {r["phone_number"]: r for r in sim.telnyx.numbers(eid)}
    assert set(before) - set(after) and set(after) - set(before)
    assert all(after[p]["reputation_data"] is None for p in set(after) - set(before))
    changed = [
        p
        for p in set(before) & set(after)
        if before[p]["reputation_data"] != after[p]["reputation_data"]
    ]
    assert len(changed) > 1000
    for r in after.values():
        rd = r["reputation_data"]
        if rd:
            scores = [
                rd[k]
                for k in (
                    "maturity_score",
                    "connection_score",
                    "engagement_score",
                    "sentiment_score",
                )
            ]
            assert all(s is None or 0 <= s <= 100 for s in scores)
            assert rd["spam_risk"] == spam_risk(scores)


def test_malformed_records_on_request() -> None:
    clean = Simulator(telnyx_numbers=100, plivo_numbers=10)
    sim = Simulator(telnyx_numbers=100, plivo_numbers=10, malformed=True)
    eid = sim.telnyx.scenario["enterprises"]["approved_business_daily"]
    recs = sim.telnyx.numbers(eid)
    assert any(r["phone_number"] == "12345" for r in recs)
    assert any(isinstance(r["reputation_data"], list) for r in recs)
    assert any(
        isinstance(r["reputation_data"], dict) and r["reputation_data"]["spam_risk"] == "severe"
        for r in recs
    )
    assert any(
        isinstance(r["reputation_data"], dict) and r["reputation_data"]["maturity_score"] == 150
        for r in recs
    )
    assert any(
        isinstance(r["reputation_data"], dict) and r["reputation_data"]["engagement_score"] == "abc"
        for r in recs
    )
    assert not clean.telnyx.scenario["malformed_numbers"]


def test_unknown_path_and_method(sim: Simulator) -> None:
    c = client(sim)
    assert c.get("/nope").status_code == 404
    assert c.put("/enterprises").status_code == 405
