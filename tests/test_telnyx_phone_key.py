"""The Telnyx phone key is landed with each snapshot (migration 007): the digits of a US E.164
number, computed once by the collector, read as they are by staging; older rows keyed by the
migration."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.collectors.telnyx_records import numbers_frame, phone_key
from analytics.store.database import connect
from analytics.store.landing import Batch, land
from analytics.store.runs import RunCounts, begin_run
from analytics.store.schema import migrate
from tests.test_models_layering import _at_version

AT = datetime(2026, 6, 1, 6, tzinfo=UTC)
ENTERPRISE = "ent-1"
COUNTS = RunCounts(
    records=0, flagged=0, http_requests=0, http_retries=0, http_throttled=0, per_entity={}
)

# what a number field may hold: US E.164 numbers, their near misses, and anything at all
PHONES = st.one_of(
    st.from_regex(r"\+1[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True),
    st.from_regex(r"\+?[0-9 _\n٠-٩]{0,16}", fullmatch=True),
    st.text(max_size=20),
    st.integers(),
    st.none(),
)


def _record(phone: Any, index: int) -> dict[str, Any]:
    return {
        "id": f"rec-{index}",
        "phone_number": phone,
        "enterprise_id": ENTERPRISE,
        "record_type": "reputation_phone_number",
        "reputation_data": {
            "spam_risk": "low",
            "spam_category": None,
            "maturity_score": 50,
            "connection_score": 50,
            "engagement_score": 50,
            "sentiment_score": 50,
            "last_refreshed_at": "2026-06-01T05:00:00Z",
        },
        "created_at": "2026-05-01T00:00:00Z",
        "updated_at": "2026-06-01T05:00:00Z",
    }


@settings(max_examples=200)
@given(phones=st.lists(PHONES, min_size=1, max_size=8))
def test_every_typing_path_lands_the_key_of_the_number_it_lands(phones: list[Any]) -> None:
    """The vectorised page typing and the record-by-record one agree with ``phone_key``: a key
    is the digits of a US E.164 number, and a number that is not one lands with neither."""
    frame = numbers_frame([_record(p, i) for i, p in enumerate(phones)], ENTERPRISE, 1, AT)
    assert frame.height == len(phones)
    for number, key in frame.select("phone_number", "phone_key").iter_rows():
        assert key == phone_key(number)
        assert (key is None) == (number is None)
        assert number is None or number == f"+{key}"


def test_staging_reads_the_landed_key(con: duckdb.DuckDBPyConnection, build_models: Any) -> None:
    items = [_record("+12025550101", 0), _record("+4420", 1), _record(None, 2)]
    run_id = begin_run(con, "telnyx", AT)
    frame = numbers_frame(items, ENTERPRISE, run_id, AT)
    land(con, run_id, Batch(appends={"telnyx_number_snapshots": frame}), COUNTS)
    build_models()
    got = con.execute(
        "select phone_number, phone_key, is_usable from stg_telnyx__number_snapshots"
        " order by phone_key nulls last"
    ).fetchall()
    assert got == [("+12025550101", 12025550101, True), (None, None, False), (None, None, False)]


def test_migration_007_keys_the_rows_landed_before_it(tmp_path: Path) -> None:
    con = connect(tmp_path / "old.duckdb")
    try:
        assert migrate(con, _at_version(tmp_path, 6)) == 6
        phones = ["+12025550101", "+442071234567", "+0123", "12025550101", "+1 202", None]
        for i, phone in enumerate(phones):
            con.execute(
                "insert into telnyx_number_snapshots (run_id, collected_at, enterprise_id,"
                " phone_number, has_reputation_data, account)"
                " values (?, ?, ?, ?, false, 'default')",
                [i, AT, ENTERPRISE, phone],
            )
        migrate(con)
        keys = con.execute(
            "select phone_key from telnyx_number_snapshots order by run_id"
        ).fetchall()
    finally:
        con.close()
    assert [k for (k,) in keys] == [12025550101, 442071234567, None, None, None, None]
