"""Plivo status callbacks in the models: decision times, pending to the decision, stuck_pending
cleared, contradictions flagged, callbacks for unknown numbers in the report's notes.

Snapshots land through the conftest ``Landing`` helpers; callbacks through the public
``analytics.orchestration.ingest.ingest`` on a spool file, exactly as ``callrep callbacks
ingest`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics.config import Pricing
from analytics.models import build, is_stale
from analytics.orchestration.ingest import ingest
from analytics.report import context, sections, sql
from analytics.report.weeks import IsoWeek
from analytics.store.database import connect
from tests.conftest import Landing, ts

AUTH_ID = "MAUTH0000000000000001"
A, B, C, D = "+14155550001", "+14155550002", "+14155550003", "+14155550004"


class World:
    """A tmp store: snapshots written through short connections, callbacks ingested."""

    def __init__(self, db: Path, spools: Path) -> None:
        self.db = db
        self.spools = spools
        self.ingests = 0

    def open(self) -> duckdb.DuckDBPyConnection:
        return connect(self.db)

    def run(self, at: str, numbers: list[dict[str, Any]]) -> int:
        """A successful Plivo collection at ``at`` holding ``numbers`` (snapshot rows)."""
        con = self.open()
        try:
            landing = Landing(con)
            run = landing.run(at, source="plivo")
            landing.plivo_profiles(run, [{"profile_uuid": "p1", "ein": "123456789"}])
            landing.plivo_numbers(run, [{"profile_uuid": "p1", **n} for n in numbers])
            return run
        finally:
            con.close()

    def callbacks(self, *items: tuple[str, str, str, str]) -> None:
        """Ingest ``(number, carrier, status, received_at)`` callbacks from a spool file."""
        self.ingests += 1
        path = self.spools / f"spool-{self.ingests}.jsonl"
        path.write_text(
            "".join(
                json.dumps(
                    {
                        "number": number.lstrip("+"),
                        "carrier": carrier,
                        "caller_reputation_status": status,
                        "auth_id": AUTH_ID,
                        "profile_uuid": "p1",
                        "received_at": received_at.replace(" ", "T") + "Z",
                    }
                )
                + "\n"
                for number, carrier, status, received_at in items
            ),
            encoding="utf-8",
        )
        result = ingest(
            path, self.db, {AUTH_ID: "default"}, now=datetime(2026, 12, 1, self.ingests, tzinfo=UTC)
        )
        assert result.added == len(items), result.summary()

    def build(self, *, full: bool = False) -> None:
        con = self.open()
        try:
            build(con, Pricing(), full=full)
        finally:
            con.close()

    def stale(self) -> bool:
        con = self.open()
        try:
            return is_stale(con)
        finally:
            con.close()

    def rows(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        con = self.open()
        try:
            cursor = con.execute(query, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        finally:
            con.close()

    def status(self, number: str) -> dict[str, Any]:
        found = self.rows("select * from plivo_carrier_status where phone_number = ?", [number])
        assert len(found) == 1, found
        return found[0]

    def at_run(self, run: int, number: str) -> dict[str, Any]:
        found = self.rows(
            "select * from int_plivo_carrier_status_runs where run_id = ? and number = ?",
            [run, number],
        )
        assert len(found) == 1, found
        return found[0]


@pytest.fixture
def world(db_path: Path, tmp_path: Path) -> Iterator[World]:
    yield World(db_path, tmp_path)


def snapshot(world: World) -> dict[str, list[str]]:
    """The rows a full and an incremental build must agree on."""
    names = ["int_plivo_carrier_status_runs", "plivo_carrier_status", "plivo_ein_registrations"]
    return {n: sorted(repr(tuple(r.values())) for r in world.rows(f"from {n}")) for n in names}


def pending(**carriers: Any) -> dict[str, Any]:
    """An enabled number's snapshot row, both carriers PENDING unless given; merged as Plivo
    merges (ACTIVE outranks PENDING outranks FAILED)."""
    row = {"caller_reputation": "enabled", "att_status": "PENDING", "tmobile_status": "PENDING"}
    row.update(carriers)
    both = (row["att_status"], row["tmobile_status"])
    row["merged_status"] = next(s for s in ("ACTIVE", "PENDING", "FAILED") if s in both)
    return row


def test_decision_time_prefers_updated_at_then_the_earliest_callback_then_the_collection(world):
    world.callbacks((D, "att", "FAILED", "2026-06-01 09:00"))  # before r1, which sees PENDING
    r1 = world.run(
        "2026-06-01 12:00",
        [{"number": n, **pending()} for n in (A, B, C, D)],
    )
    world.callbacks(
        (A, "att", "ACTIVE", "2026-06-01 18:00"),  # updated_at wins over this
        (A, "tmobile", "ACTIVE", "2026-06-01 20:00"),  # the earliest callback for the decision
        (A, "tmobile", "ACTIVE", "2026-06-01 21:00"),  # a repeat, later
        (C, "att", "ACTIVE", "2026-06-02 13:00"),  # after the collection that first saw it
    )
    r2 = world.run(
        "2026-06-02 12:00",
        [
            {"number": A, **pending(att_status="ACTIVE", tmobile_status="ACTIVE")}
            | {"att_updated_at": ts("2026-06-01 17:30")},
            {"number": B, **pending(att_status="ACTIVE")},  # no callback at all
            {"number": C, **pending(att_status="ACTIVE")},
            {"number": D, **pending(att_status="FAILED")},
        ],
    )
    world.build()
    decided = {
        n: (world.at_run(r2, n)["att_decided_at"], world.at_run(r2, n)["tmobile_decided_at"])
        for n in (A, B, C, D)
    }
    assert decided == {
        A: (ts("2026-06-01 17:30"), ts("2026-06-01 20:00")),
        B: (ts("2026-06-02 12:00"), None),
        C: (ts("2026-06-02 12:00"), None),
        D: (ts("2026-06-02 12:00"), None),  # the FAILED callback predates the PENDING collection
    }
    assert world.at_run(r1, D)["att_callback_contradicted"] is True
    assert not any(world.at_run(r2, n)["att_callback_contradicted"] for n in (A, B, C, D))
    assert world.status(A)["tmobile_decided_at"] == ts("2026-06-01 20:00")
    # the registration is approved when the first carrier turned ACTIVE (B: the collection)
    approved = world.rows("select approved_at from plivo_ein_registrations")
    assert approved == [{"approved_at": ts("2026-06-01 17:30")}]


def test_a_callback_clears_stuck_pending_and_the_pending_time_runs_to_the_decision(world):
    # PENDING since Friday 2026-11-06 10:00: the deadline is Tuesday 2026-11-10 10:00
    since = {"att_updated_at": ts("2026-11-06 10:00")}
    world.run(
        "2026-11-06 10:00",
        [
            {"number": A, **pending(tmobile_status="ACTIVE"), **since},
            {"number": B, **pending()},
        ],
    )
    world.build()
    r2 = world.run(
        "2026-11-12 10:00",
        [
            {"number": A, **pending(tmobile_status="ACTIVE"), **since},
            {"number": B, **pending()},
        ],
    )
    world.build()
    assert world.status(A)["stuck_pending"] is True
    assert world.status(B)["stuck_pending"] is True
    assert not world.stale()

    world.callbacks(
        (A, "att", "ACTIVE", "2026-11-12 15:00"),
        (B, "att", "FAILED", "2026-11-12 16:00"),  # T-Mobile still pending: still stuck
    )
    assert world.stale(), "an ingested callback makes the marts stale"
    world.build()
    a, b = world.status(A), world.status(B)
    assert (a["att_status"], a["att_callback_status"], a["att_decided_at"]) == (
        "PENDING",
        "ACTIVE",
        ts("2026-11-12 15:00"),
    )
    assert a["att_pending_since"] == ts("2026-11-06 10:00")  # pending from here to the decision
    assert (a["pending_deadline"], a["stuck_pending"]) == (None, False)
    assert (b["att_callback_status"], b["stuck_pending"]) == ("FAILED", True)
    assert b["pending_deadline"] == ts("2026-11-10 10:00")  # T-Mobile's, from the first run
    # the run itself is judged at its own collection: stuck then
    assert world.at_run(r2, A)["stuck_pending"] is True

    # the next snapshot confirms the decisions (no updated_at): decided at the callbacks
    r3 = world.run(
        "2026-11-13 10:00",
        [
            {"number": A, **pending(att_status="ACTIVE", tmobile_status="ACTIVE")},
            {"number": B, **pending(att_status="FAILED", tmobile_status="ACTIVE")},
        ],
    )
    world.build()
    assert world.at_run(r3, A)["att_decided_at"] == ts("2026-11-12 15:00")
    assert world.at_run(r3, B)["att_decided_at"] == ts("2026-11-12 16:00")
    assert world.status(B)["tmobile_decided_at"] == ts("2026-11-13 10:00")
    assert not any(world.at_run(r3, n)["att_callback_contradicted"] for n in (A, B))
    # B's business: approved when its first carrier (T-Mobile) was seen ACTIVE
    incremental = snapshot(world)
    world.build(full=True)
    assert snapshot(world) == incremental


def test_a_late_callback_rebuilds_the_collections_after_it(world):
    """Ingested after later collections were built: the incremental build starts at its day."""
    world.run("2026-03-02 12:00", [{"number": A, **pending()}])
    r2 = world.run("2026-03-03 12:00", [{"number": A, **pending(att_status="ACTIVE")}])
    world.build()
    world.run("2026-03-04 12:00", [{"number": A, **pending(att_status="ACTIVE")}])
    world.build()
    assert world.at_run(r2, A)["att_decided_at"] == ts("2026-03-03 12:00")
    world.callbacks((A, "att", "ACTIVE", "2026-03-02 23:00"))
    world.build()
    assert world.status(A)["att_decided_at"] == ts("2026-03-02 23:00")
    assert world.rows("select approved_at from plivo_ein_registrations") == [
        {"approved_at": ts("2026-03-02 23:00")}
    ]
    incremental = snapshot(world)
    world.build(full=True)
    assert snapshot(world) == incremental


def test_a_callback_contradicted_by_the_next_snapshot_is_flagged_not_trusted(world):
    world.run("2026-06-01 12:00", [{"number": A, **pending()}])
    world.callbacks((A, "att", "ACTIVE", "2026-06-01 15:00"))
    r2 = world.run("2026-06-02 12:00", [{"number": A, **pending(att_status="FAILED")}])
    world.build()
    row = world.at_run(r2, A)
    assert (row["att_status"], row["att_callback_contradicted"]) == ("FAILED", True)
    assert row["tmobile_callback_contradicted"] is False
    assert row["att_decided_at"] == ts("2026-06-02 12:00")  # the ACTIVE callback is not used
    mart = world.status(A)
    assert (mart["att_status"], mart["att_callback_contradicted"]) == ("FAILED", True)
    assert mart["hidden_failure"] is True  # T-Mobile still PENDING hides AT&T's failure


def test_callbacks_for_numbers_in_no_snapshot_are_in_the_report_notes(world):
    world.run("2026-06-01 12:00", [{"number": A, **pending()}])
    world.callbacks(
        (A, "att", "ACTIVE", "2026-06-02 10:00"),
        (C, "att", "ACTIVE", "2026-06-02 11:00"),
        (C, "tmobile", "FAILED", "2026-06-02 12:00"),
        (D, "att", "ACTIVE", "2026-06-09 12:00"),  # after the week's end
    )
    world.build()
    con = world.open()
    try:
        p = context.stage(con, IsoWeek(2026, 23))
        assert sql.rows(con, "notes_orphan_callbacks", p) == [
            {
                "phone_number": C,
                "callbacks": 2,
                "first_received_at": ts("2026-06-02 11:00"),
                "last_received_at": ts("2026-06-02 12:00"),
                "total_numbers": 1,
            }
        ]
        notes = sections.notes(con, p, [], [])
    finally:
        con.close()
    assert notes.caveats == [
        f"Plivo status callbacks arrived for 1 numbers in no Plivo snapshot: {C}."
    ]
