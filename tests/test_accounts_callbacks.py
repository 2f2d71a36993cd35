"""Plivo callbacks for several (sub)accounts: each auth_id is routed to its account, for the
receiver's signature check and for ingest; plus the cancelling gather and the 005 upgrade."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest

from analytics.collectors.gather import gather
from analytics.config import Pricing
from analytics.orchestration import build_and_publish
from analytics.orchestration.ingest import ingest
from analytics.receiver.app import PATH, ReceiverConfig, create_app
from analytics.receiver.segments import SegmentWriter, closed_segments
from analytics.resources import queries_dir
from analytics.store.database import connect, open_readonly
from analytics.store.schema import migrate
from tests.receiver_helpers import LoopbackServer, payload, plivo_signature

PUBLIC = "https://callbacks.example.com"
MAIN, SUB = "MAMAINACCOUNT0001", "SASUBACCOUNT00002"
TOKENS = {MAIN: "main-token-0123456789", SUB: "sub-token-9876543210"}


def _signed(params: dict[str, str], token: str, nonce: str) -> dict[str, object]:
    return {
        "content": urlencode(params).encode(),
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "x-plivo-signature-v3": plivo_signature("POST", PUBLIC + PATH, params, nonce, token),
            "x-plivo-signature-v3-nonce": nonce,
        },
    }


def test_the_receiver_checks_each_auth_id_with_its_own_token(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    app = create_app(
        ReceiverConfig(tokens=TOKENS, public_url=PUBLIC),
        SegmentWriter(spool),
        SegmentWriter(spool / "quarantine"),
    )
    with LoopbackServer(app) as server:
        post = server.http.post
        assert post(PATH, **_signed(payload(auth_id=MAIN), TOKENS[MAIN], "n1")).status_code == 200
        assert post(PATH, **_signed(payload(auth_id=SUB), TOKENS[SUB], "n2")).status_code == 200
        # the main account's token does not sign for the subaccount, nor an unknown auth_id
        assert post(PATH, **_signed(payload(auth_id=SUB), TOKENS[MAIN], "n3")).status_code == 403
        other = payload(auth_id="MAOTHER00000000001")
        assert post(PATH, **_signed(other, TOKENS[MAIN], "n4")).status_code == 403
        server.stop()
    kept = [
        json.loads(line)
        for seg in closed_segments(spool)
        for line in seg.read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(k["auth_id"] for k in kept) == sorted([MAIN, SUB])


def test_ingest_stores_each_callback_under_its_account(tmp_path: Path) -> None:
    lines = [
        {**payload(auth_id=MAIN, number="14155550101"), "received_at": "2026-11-02T10:00:00Z"},
        {**payload(auth_id=SUB, number="14155550102"), "received_at": "2026-11-02T10:01:00Z"},
        {**payload(auth_id="MAOTHER00000000001"), "received_at": "2026-11-02T10:02:00Z"},
    ]
    spool = tmp_path / "spool.jsonl"
    spool.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    db = tmp_path / "c.duckdb"
    result = ingest(spool, db, {MAIN: "main", SUB: "clinic-sub"})
    assert result.added == 2
    assert dict(result.rejected) == {"auth_id is not a configured account's": 1}
    build_and_publish(db, Pricing(), full=True)
    con = open_readonly(db)
    try:
        rows = con.execute(
            "select account, number from plivo_status_callbacks order by number"
        ).fetchall()
        staged = con.execute("select distinct account from stg_plivo__status_callbacks").fetchall()
    finally:
        con.close()
    assert rows == [("main", "+14155550101"), ("clinic-sub", "+14155550102")]
    assert sorted(staged) == [("clinic-sub",), ("main",)]


def test_gather_cancels_and_awaits_the_siblings_of_a_failure() -> None:
    finished: list[str] = []

    async def slow() -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            finished.append("cancelled")
            raise
        return "late"

    async def failing() -> str:
        await asyncio.sleep(0)
        raise ValueError("boom")

    async def run() -> None:
        with pytest.raises(ValueError, match="boom"):
            await gather([slow(), failing(), slow()])
        assert finished == ["cancelled", "cancelled"]  # already unwound when gather raised

    asyncio.run(run())
    assert asyncio.run(_ordered()) == [3, 2, 1]


async def _ordered() -> list[int]:
    async def after(n: int) -> int:
        await asyncio.sleep(n / 1000)
        return n

    return await gather(after(n) for n in (3, 2, 1))


def test_rows_from_before_accounts_belong_to_the_default_account(tmp_path: Path) -> None:
    old = tmp_path / "migrations"
    old.mkdir()
    for path in sorted((queries_dir() / "migrations").glob("00[1-3]_*.sql")):
        shutil.copy(path, old / path.name)
    db = tmp_path / "old.duckdb"
    con = connect(db)
    try:
        migrate(con, old)
        con.execute(
            "insert into collection_runs (source, started_at, collected_at, status) "
            "values ('plivo', now(), now(), 'succeeded')"
        )
        migrate(con)
        assert con.execute("select account from collection_runs").fetchall() == [("default",)]
        columns = con.execute(
            "select table_name from duckdb_columns() where column_name = 'account'"
        ).fetchall()
    finally:
        con.close()
    assert {"collection_runs", "plivo_status_callbacks", "telnyx_number_snapshots"} <= {
        c[0] for c in columns
    }
