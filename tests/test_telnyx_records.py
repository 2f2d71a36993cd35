"""Telnyx records: documented shapes typed, anything else kept as it came and flagged."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from analytics.collectors import shape
from analytics.collectors import telnyx_records as rec
from analytics.http import Page

NOW = datetime(2026, 11, 2, 6, tzinfo=UTC)
GOOD = {
    "id": "16286ab3",
    "enterprise_id": "ent-1",
    "phone_number": "+12025551234",
    "reputation_data": {
        "spam_risk": "low",
        "spam_category": None,
        "maturity_score": 82,
        "connection_score": 75,
        "engagement_score": 68,
        "sentiment_score": 90,
        "last_refreshed_at": "2026-03-24T12:00:00Z",
    },
    "created_at": "2026-04-26T18:06:51.940749Z",
    "updated_at": "2026-04-26T18:09:24.785211Z",
}


def _row(item: Any) -> dict[str, Any]:
    return rec.number_row(item, "ent-1", 1, NOW)


def test_documented_record_is_typed_without_flags() -> None:
    row = _row(GOOD)
    assert row["phone_number"] == "+12025551234"
    assert row["spam_risk"] == "low" and row["maturity_score"] == 82
    assert row["last_refreshed_at"] == datetime(2026, 3, 24, 12, tzinfo=UTC)
    assert "flags" not in row and "raw" not in row and "extra" not in row


def test_null_reputation_data_and_null_fields_are_normal() -> None:
    assert "flags" not in _row({**GOOD, "reputation_data": None})
    nulls = dict.fromkeys(GOOD["reputation_data"])
    row = _row({**GOOD, "reputation_data": nulls})
    assert "flags" not in row and row["has_reputation_data"] and row["spam_risk"] is None


def test_markup_in_spam_category_is_kept_verbatim() -> None:
    category = '<script>alert("x")</script>'
    row = _row({**GOOD, "reputation_data": {**GOOD["reputation_data"], "spam_category": category}})
    assert row["spam_category"] == category and "flags" not in row


def test_unknown_fields_land_in_extra() -> None:
    item = {
        **GOOD,
        "carrier_hint": "x",
        "reputation_data": {**GOOD["reputation_data"], "new_score": 5},
    }
    row = _row(item)
    assert json.loads(row["extra"]) == {"carrier_hint": "x", "reputation_data": {"new_score": 5}}
    assert "flags" not in row


def test_malformed_values_are_flagged_and_kept_raw() -> None:
    item = {
        **GOOD,
        "phone_number": "12345",
        "reputation_data": {
            **GOOD["reputation_data"],
            "spam_risk": "severe",
            "maturity_score": 150,
            "sentiment_score": "abc",
        },
    }
    row = _row(item)
    assert row["phone_number"] is None and row["spam_risk"] == "severe"
    assert row["maturity_score"] is None and row["sentiment_score"] is None
    assert len(row["flags"]) == 4
    assert json.loads(row["raw"]) == item


def test_reputation_data_of_the_wrong_type_is_flagged() -> None:
    row = _row({**GOOD, "reputation_data": [1, 2]})
    assert not row["has_reputation_data"] and row["flags"]


def test_remediation_results_become_rows_per_bucket() -> None:
    detail = {
        "id": "r1",
        "status": "completed",
        "results": {
            "remediated": ["+12025551234"],
            "requires_review": ["+12025555678"],
            "not_flagged": [],
            "ineligible": [],
            "refused": [],
        },
    }
    rows, flags = rec.result_rows(detail, 7)
    assert {(r["phone_number"], r["bucket"]) for r in rows} == {
        ("+12025551234", "remediated"),
        ("+12025555678", "requires_review"),
    }
    assert flags == []
    assert rec.result_rows({"id": "r2", "results": None}, 7) == ([], [])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@given(item=st.dictionaries(st.sampled_from([*GOOD, "x"]), json_values) | json_values)
def test_any_json_becomes_a_row_never_an_exception(item: Any) -> None:
    row = _row(item)
    assert row["enterprise_id"] == "ent-1"
    if row.get("flags"):
        assert json.loads(row["raw"]) == json.loads(json.dumps(item, default=str))
    frame = shape.frame([row], rec.NUMBER_SCHEMA)
    assert frame.height == 1


@given(
    risk=st.none() | st.sampled_from(["low", "medium", "high"]),
    scores=st.lists(st.none() | st.integers(0, 100), min_size=4, max_size=4),
)
def test_every_documented_value_is_accepted(risk: str | None, scores: list[int | None]) -> None:
    data = {"spam_risk": risk, **dict(zip(rec.SCORES, scores, strict=True))}
    row = _row({**GOOD, "reputation_data": data})
    assert "flags" not in row
    assert [row[s] for s in rec.SCORES] == scores


timestamps = st.none() | st.sampled_from(
    [
        "2026-03-24T12:00:00Z",
        "2026-04-26T18:06:51.940749Z",
        "2026-04-26T18:06:51.9+02:00",
        "2026-04-26T18:06:51",  # no offset: read as UTC by the slow path
        "yesterday",
        "2026-02-30T00:00:00Z",
    ]
)
reputations = st.none() | st.fixed_dictionaries(
    {
        # a list or an object: unhashable, it once made the fast path raise
        "spam_risk": st.none()
        | st.sampled_from(["low", "medium", "high", "severe"])
        | st.sampled_from([["low"], {"level": "low"}]),
        "spam_category": st.none() | st.sampled_from(["Robocall", "<b>x</b>"]) | st.integers(),
        **{s: st.none() | st.integers(-5, 105) | st.just("abc") for s in rec.SCORES},
        "last_refreshed_at": timestamps,
    },
    optional={"new_score": st.integers()},
)
records = st.fixed_dictionaries(
    {
        "id": st.none() | st.text(max_size=5),
        "phone_number": st.sampled_from(["+12025551234", "+13125550000", "12345", "+4420"]),
        "reputation_data": reputations,
        "created_at": timestamps,
        "updated_at": timestamps,
    },
    optional={"enterprise_id": st.sampled_from(["ent-1", "ent-2"]), "extra_key": st.integers()},
)


def _sorted_rows(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.rows(), key=repr)


@given(items=st.lists(records | json_values, max_size=12))
def test_vectorised_page_equals_typing_each_record(items: list[Any]) -> None:
    fast = rec.numbers_frame(items, "ent-1", 1, NOW)
    slow = shape.frame([_row(item) for item in items], rec.NUMBER_SCHEMA)
    assert fast.schema == slow.schema
    assert _sorted_rows(fast) == _sorted_rows(slow)


@given(
    items=st.lists(records | json_values, max_size=30),
    size=st.integers(1, 5),
    every=st.integers(1, 3),
)
def test_typing_as_pages_arrive_equals_typing_each_record(
    items: list[Any], size: int, every: int
) -> None:
    pages = [Page(body={}, items=items[i : i + size]) for i in range(0, len(items), size)]

    async def typed() -> pl.DataFrame:
        typer = rec.NumberTyper("ent-1", 1, NOW, every=every)
        for page in pages:
            typer.add(page)
            await asyncio.sleep(0)  # pages arrive while earlier runs are being typed
        return await typer.frame()

    fast = asyncio.run(typed())
    slow = shape.frame([_row(item) for item in items], rec.NUMBER_SCHEMA)
    assert fast.schema == slow.schema
    assert _sorted_rows(fast) == _sorted_rows(slow)


def test_runs_of_pages_keep_the_listing_order() -> None:
    numbers = [f"+1202555{n:04d}" for n in range(10)]
    pages = [Page(body={}, items=[{**GOOD, "phone_number": n}]) for n in numbers]

    async def typed() -> pl.DataFrame:
        typer = rec.NumberTyper("ent-1", 1, NOW, every=3)
        for page in pages:
            typer.add(page)
        return await typer.frame()

    assert asyncio.run(typed())["phone_number"].to_list() == numbers
