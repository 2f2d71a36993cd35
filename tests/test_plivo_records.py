"""Plivo records → typed rows (analytics.collectors.plivo_records)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.collectors import plivo_records as rec
from analytics.collectors import shape
from analytics.collectors.base import RunContext
from analytics.collectors.plivo import PlivoCollector, PlivoPrior
from analytics.config import PlivoSettings
from analytics.http import ApiClient

WHEN = datetime(2026, 8, 31, 6, tzinfo=UTC)


def item(**overrides: Any) -> dict[str, Any]:
    """A list item as the numbers list returns it (no Caller Reputation fields)."""
    base = {
        "added_on": "2025-03-01",
        "alias": "Main line",
        "country": "United States",
        "monthly_rental_rate": "0.50000",
        "number": "14155550123",
        "number_type": "local",
        "region": "California, UNITED STATES",
        "voice_enabled": True,
    }
    return {**base, **overrides}


def reputation(att: Any = None, tmobile: Any = None, **more: Any) -> dict[str, Any]:
    by_carrier = {
        "att": att
        if att is not None
        else {"status": "ACTIVE", "updated_at": "2026-06-17T11:05:00Z"},
        "tmobile": tmobile
        if tmobile is not None
        else {"status": "ACTIVE", "updated_at": "2026-06-17T10:32:00Z"},
        **more,
    }
    return {
        "caller_reputation": "enabled",
        "caller_reputation_status": "ACTIVE",
        "caller_reputation_by_carrier": by_carrier,
        "profile_uuid": "8444eccc-5af9-404d-a46f-d2fd31cd74de",
    }


def test_documented_number_is_typed_and_unflagged() -> None:
    row = rec.number_row(item(), reputation(), 1, WHEN)
    assert row["number"] == "+14155550123"
    assert row["added_on"] == date(2025, 3, 1)
    assert row["monthly_rental_rate"] == Decimal("0.50000")
    assert (row["att_status"], row["tmobile_status"]) == ("ACTIVE", "ACTIVE")
    assert row["att_updated_at"] == datetime(2026, 6, 17, 11, 5, tzinfo=UTC)
    assert row["merged_status"] == "ACTIVE" and row["caller_reputation"] == "enabled"
    assert "flags" not in row and "raw" not in row and "extra" not in row


def test_hidden_failure_keeps_each_carriers_status() -> None:
    rep = reputation(att={"status": "FAILED", "updated_at": "2026-06-18T09:00:00Z"})
    row = rec.number_row(item(), rep, 1, WHEN)
    assert (row["merged_status"], row["att_status"], row["tmobile_status"]) == (
        "ACTIVE",
        "FAILED",
        "ACTIVE",
    )
    assert "flags" not in row


@given(status=st.text(min_size=1, max_size=30).filter(lambda s: s not in rec.STATUSES))
def test_odd_carrier_status_is_kept_and_flagged(status: str) -> None:
    row = rec.number_row(item(), reputation(tmobile={"status": status}), 1, WHEN)
    assert row["tmobile_status"] == status
    assert any(f.startswith("caller_reputation_by_carrier.tmobile.status") for f in row["flags"])
    assert json.loads(row["raw"])  # the original JSON is kept


def test_odd_merged_status_is_kept_and_flagged() -> None:
    rep = {**reputation(), "caller_reputation_status": "SUSPENDED"}
    row = rec.number_row(item(), rep, 1, WHEN)
    assert row["merged_status"] == "SUSPENDED"
    assert row["flags"] == ["caller_reputation_status: unknown value 'SUSPENDED'"]


def test_missing_carrier_entry_is_flagged_not_dropped() -> None:
    rep = reputation()
    del rep["caller_reputation_by_carrier"]["att"]
    row = rec.number_row(item(), rep, 1, WHEN)
    assert row.get("att_status") is None and row["tmobile_status"] == "ACTIVE"
    assert row["flags"] == ["caller_reputation_by_carrier.att: missing"]


@given(
    carrier=st.text(min_size=1, max_size=20).filter(lambda c: c not in rec.CARRIERS),
    entry=st.dictionaries(st.sampled_from(["status", "updated_at"]), st.text(max_size=10)),
)
def test_extra_carrier_goes_to_extra_and_is_flagged(carrier: str, entry: dict[str, str]) -> None:
    rep = reputation(**{carrier: entry})
    row = rec.number_row(item(), rep, 1, WHEN)
    assert json.loads(row["extra"])["caller_reputation_by_carrier"][carrier] == entry
    assert f"caller_reputation_by_carrier: unknown carrier {carrier[:40]!r}" in row["flags"]
    assert (row["att_status"], row["tmobile_status"]) == ("ACTIVE", "ACTIVE")


def test_reason_inside_a_carrier_entry_lands_in_extra() -> None:
    rep = reputation(att={"status": "FAILED", "reason": "EIN must contain exactly 9 digits"})
    row = rec.number_row(item(), rep, 1, WHEN)
    assert json.loads(row["extra"]) == {
        "caller_reputation_by_carrier": {"att": {"reason": "EIN must contain exactly 9 digits"}}
    }


def test_carrier_breakdown_that_is_not_an_object() -> None:
    rep = {**reputation(), "caller_reputation_by_carrier": "ACTIVE"}
    row = rec.number_row(item(), rep, 1, WHEN)
    assert row["flags"] == ["caller_reputation_by_carrier: expected an object, got str"]
    assert row["number"] == "+14155550123"


def test_disabled_number_without_breakdown_is_not_flagged() -> None:
    rep = {"caller_reputation": "disabled", "caller_reputation_status": "NOT_ENROLLED"}
    row = rec.number_row(item(), rep, 1, WHEN)
    assert "flags" not in row and row.get("att_status") is None


def test_enabled_number_without_breakdown_is_flagged() -> None:
    rep = reputation()
    del rep["caller_reputation_by_carrier"]
    row = rec.number_row(item(), rep, 1, WHEN)
    assert row["flags"] == ["caller_reputation_by_carrier: missing"]


@given(digits=st.from_regex(r"1[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True))
def test_us_numbers_are_normalised_to_e164(digits: str) -> None:
    flags: list[str] = []
    assert rec.e164(digits, "number", flags) == f"+{digits}"
    assert rec.e164(f"+{digits}", "number", flags) == f"+{digits}"
    assert flags == []


@pytest.mark.parametrize("bad", ["12", "not a number", "+", "1415555012345678901"])
def test_unparsable_number_is_kept_as_it_came(bad: str) -> None:
    row = rec.number_row(item(number=bad), reputation(), 1, WHEN)
    assert row["number"] == bad
    assert row["flags"] == [f"number: not a phone number: {bad!r}"]


def test_non_object_record_is_kept_raw() -> None:
    row = rec.number_row(["14155550123"], None, 1, WHEN)
    assert row["raw"] == '["14155550123"]' and row["flags"]


def test_unknown_number_keys_go_to_extra() -> None:
    row = rec.number_row(item(brand_new_field=1), reputation(), 1, WHEN)
    assert json.loads(row["extra"]) == {"brand_new_field": 1}
    assert "flags" not in row


@pytest.mark.parametrize("ein", ["12-3456789", "123456789"])
def test_nine_digit_ein_is_clean(ein: str) -> None:
    row = rec.profile_row({"profile_uuid": "p1", "ein": ein}, 1, WHEN)
    assert row["ein"] == ein and "flags" not in row


@given(ein=st.text(max_size=20).filter(lambda e: e and not rec.EIN.match(e)))
def test_odd_ein_is_kept_exactly_and_flagged(ein: str) -> None:
    row = rec.profile_row({"profile_uuid": "p1", "ein": ein}, 1, WHEN)
    assert row["ein"] == ein
    assert row["flags"] == [f"ein: not 9 digits: {ein[:40]!r}"]


def test_profile_nested_objects_are_json_text() -> None:
    address = {"street": "100 Main St", "city": "Chicago", "state": "IL"}
    row = rec.profile_row(
        {
            "profile_uuid": "p1",
            "ein": "12-3456789",
            "address": address,
            "created_at": "2025-11-04T09:12:03Z",
        },
        1,
        WHEN,
    )
    assert json.loads(row["address"]) == address
    assert row["authorized_contact"] is None
    assert row["created_at"] == datetime(2025, 11, 4, 9, 12, 3, tzinfo=UTC)


def test_caller_id_with_nanosecond_timestamp() -> None:
    row = rec.caller_id_row(
        {"phone_number": "+12025551234", "alias": "US", "country": "US",
         "verification_uuid": "f8", "created_at": "2024-02-09T03:52:22.880097813Z"},
        1,
        WHEN,
    )  # fmt: skip
    assert row["created_at"] == datetime(2024, 2, 9, 3, 52, 22, 880097, tzinfo=UTC)
    assert row["phone_number"] == "+12025551234" and "flags" not in row


def test_frames_have_exactly_the_schema() -> None:
    rows = [rec.number_row(item(), reputation(), 1, WHEN), rec.number_row("junk", None, 1, WHEN)]
    frame = shape.frame(rows, rec.NUMBER_SCHEMA)
    assert frame.schema == rec.NUMBER_SCHEMA and frame.height == 2
    assert shape.frame([], rec.PROFILE_SCHEMA).schema == rec.PROFILE_SCHEMA


# ----- the detail GET is skipped when the list item already carries the fields ----------


def _account(items: list[dict[str, Any]], seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        assert request.method == "GET"
        path = request.url.path.removeprefix("/v1/Account/MA1/")
        meta = {"limit": 20, "next": None, "offset": 0, "total_count": len(items)}
        if path == "Number/":
            return httpx.Response(200, json={"api_id": "a", "meta": meta, "objects": items})
        if path in ("Profile/", "VerifiedCallerId/"):
            key = "profiles" if path == "Profile/" else "objects"
            return httpx.Response(200, json={"api_id": "a", "meta": {"next": None}, key: []})
        number = path.removeprefix("Number/").rstrip("/")
        listed = next(i for i in items if i["number"] == number)
        return httpx.Response(200, json={"api_id": "a", **listed, **reputation()})

    return httpx.MockTransport(handler)


async def _collect(items: list[dict[str, Any]], seen: list[str]) -> Any:
    http = httpx.AsyncClient(
        base_url="http://plivo.test/v1/Account/MA1/", transport=_account(items, seen)
    )
    async with http:
        collector = PlivoCollector(PlivoSettings("MA1", "token"))
        return await collector.collect(
            ApiClient(http), RunContext(1, WHEN, "default", PlivoPrior())
        )


def test_list_item_carrying_reputation_skips_the_detail_get() -> None:
    import asyncio

    carrying = item(number="14155550100", **reputation(att={"status": "PENDING"}))
    bare = item(number="14155550101")
    seen: list[str] = []
    batch = asyncio.run(_collect([carrying, bare], seen))
    assert "/v1/Account/MA1/Number/14155550100/" not in seen
    assert seen.count("/v1/Account/MA1/Number/14155550101/") == 1
    numbers = batch.appends["plivo_number_snapshots"].sort("number")
    assert numbers["number"].to_list() == ["+14155550100", "+14155550101"]
    assert numbers["att_status"].to_list() == ["PENDING", "ACTIVE"]
    assert batch.per_entity["number_details_fetched"] == 1
