"""The record parsers against anything JSON can hold: never an exception, never a lost record.

Every item of a page becomes exactly one row that fits its landing schema (polars builds the
frame, as landing does); a record of the documented shape is typed and unflagged whatever
garbage surrounds it; anything else is flagged with the record kept in ``raw``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.collectors import plivo_records as plivo
from analytics.collectors import shape
from analytics.collectors import telnyx_records as telnyx

AT = datetime(2026, 11, 2, tzinfo=UTC)
ODD_TIMES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "2026-11-02T00:00:00Z",
    "2026-11-02",
    "2026-13-45T99:99:99Z",
]
KEYS = sorted(
    {
        "id", "phone_number", "number", "reputation_data", "created_at", "updated_at",
        "spam_risk", "maturity_score", "last_refreshed_at", "status", "loa_status", "results",
        "phone_numbers_count", "caller_reputation_by_carrier", "att", "tmobile",
        "monthly_rental_rate", "added_on", "ein", "profile_uuid", "address", "remediated",
    }
)  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from([*ODD_TIMES, "+12125550123", "14155550123", "ACTIVE", "low", "1e999"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=25,
)
# Records: documented keys (and a nested reputation/carrier object) with hostile values.
leaf = st.sampled_from(ODD_TIMES) | scalars
inner_record = st.dictionaries(st.sampled_from(KEYS), leaf, max_size=6)
records = st.dictionaries(st.sampled_from(KEYS), leaf | inner_record | json_values, max_size=10)
items = records | json_values
GOOD_NUMBER = {
    "id": "n1",
    "phone_number": "+12125550199",
    "created_at": "2026-11-01T00:00:00Z",
    "updated_at": "2026-11-01T00:00:00Z",
    "reputation_data": {"spam_risk": "high", "maturity_score": 10, "connection_score": 20,
                        "engagement_score": 30, "sentiment_score": 40, "spam_category": "x",
                        "last_refreshed_at": "2026-11-01T00:00:00Z"},
}  # fmt: skip
GOOD_PLIVO = {
    "number": "14155550199",
    "caller_reputation": "enabled",
    "caller_reputation_status": "ACTIVE",
    "caller_reputation_by_carrier": {
        "att": {"status": "ACTIVE", "updated_at": "2026-11-01T00:00:00Z"},
        "tmobile": {"status": "FAILED", "updated_at": "2026-11-01T00:00:00Z"},
    },
}


def flagged_rows_keep_raw(rows: list[dict[str, Any]]) -> bool:
    return all(r.get("raw") is not None for r in rows if r.get("flags"))


@settings(max_examples=120, deadline=None)
@given(st.lists(items, max_size=6), st.integers(0, 6))
def test_telnyx_number_pages_keep_every_item(items: list[Any], at: int) -> None:
    page = [*items[:at], GOOD_NUMBER, *items[at:]]
    frame = telnyx.numbers_frame(page, "ent-1", 1, AT)
    assert frame.height == len(page)
    good = frame.filter(frame["phone_number"] == GOOD_NUMBER["phone_number"])
    if not any(isinstance(i, dict) and i.get("phone_number") == "+12125550199" for i in items):
        assert good.height == 1 and good["flags"][0] is None and good["spam_risk"][0] == "high"
    assert frame.filter(frame["flags"].is_not_null())["raw"].null_count() == 0


@settings(max_examples=120, deadline=None)
@given(items, items)
def test_telnyx_enterprise_and_request_rows_fit_their_schemas(item: Any, other: Any) -> None:
    rows = [telnyx.enterprise_row(item, other, 1, AT), telnyx.enterprise_row(item, None, 1, AT)]
    assert shape.frame(rows, telnyx.ENTERPRISE_SCHEMA).height == 2
    detail = telnyx.request_row(item, "ent-1", 1, AT, detail=True)
    slim = telnyx.request_row(item, "ent-1", 1, AT, detail=False)
    assert shape.frame([detail], telnyx.REQUEST_SCHEMA).height == 1
    slim_schema = {k: telnyx.REQUEST_SCHEMA[k] for k in telnyx.SLIM_REQUEST_COLUMNS}
    assert shape.frame([slim], slim_schema).height == 1
    results, _ = telnyx.result_rows(item, 1)
    shape.frame(results, telnyx.RESULT_SCHEMA)
    assert flagged_rows_keep_raw([*rows, detail])


@settings(max_examples=120, deadline=None)
@given(st.lists(items, max_size=6), items)
def test_plivo_rows_fit_their_schemas_and_the_good_record_is_typed(
    items: list[Any], detail: Any
) -> None:
    numbers = [plivo.number_row(i, detail, 1, AT) for i in items]
    numbers += [plivo.number_row(i, None, 1, AT) for i in items]
    numbers.append(plivo.number_row(GOOD_PLIVO, None, 1, AT))
    assert shape.frame(numbers, plivo.NUMBER_SCHEMA).height == len(numbers)
    assert numbers[-1]["number"] == "+14155550199" and "flags" not in numbers[-1]
    assert numbers[-1]["tmobile_status"] == "FAILED"
    profiles = [plivo.profile_row(i, 1, AT) for i in items]
    caller_ids = [plivo.caller_id_row(i, 1, AT) for i in items]
    assert shape.frame(profiles, plivo.PROFILE_SCHEMA).height == len(items)
    assert shape.frame(caller_ids, plivo.CALLER_ID_SCHEMA).height == len(items)
    assert flagged_rows_keep_raw([*numbers, *profiles, *caller_ids])
