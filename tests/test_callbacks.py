"""Plivo status callback spools → plivo_status_callbacks (analytics.orchestration.ingest)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.cli.callbacks import callbacks
from analytics.errors import ConfigError, InputError
from analytics.orchestration.ingest import ingest
from analytics.store.database import published_path

AUTH_ID = "MASIM0000000000000001"
PROFILE = "8444eccc-5af9-404d-a46f-d2fd31cd74de"
MTIME = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def payload(**overrides: Any) -> dict[str, Any]:
    base = {
        "number": "14155550123",
        "carrier": "att",
        "caller_reputation_status": "ACTIVE",
        "auth_id": AUTH_ID,
        "profile_uuid": PROFILE,
        "received_at": "2026-06-17T11:05:02Z",
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def spool(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


def rows(db: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select number, carrier, status, received_at, profile_uuid, flags "
            "from plivo_status_callbacks order by received_at, carrier"
        ).fetchall()
    finally:
        con.close()


def test_ingest_normalises_and_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    path = spool(
        tmp_path / "spool.jsonl",
        [payload(), payload(carrier="tmobile", caller_reputation_status="FAILED",
                            received_at="2026-06-18T09:00:00+02:00")],
    )  # fmt: skip
    first = ingest(path, db, {AUTH_ID: "default"})
    assert (first.read, first.added, first.duplicates, sum(first.rejected.values())) == (2, 2, 0, 0)
    assert rows(db) == [
        (
            "+14155550123",
            "att",
            "ACTIVE",
            datetime(2026, 6, 17, 11, 5, 2, tzinfo=UTC),
            PROFILE,
            None,
        ),
        ("+14155550123", "tmobile", "FAILED", datetime(2026, 6, 18, 7, tzinfo=UTC), PROFILE, None),
    ]
    again = ingest(path, db, {AUTH_ID: "default"})
    assert (again.read, again.added, again.duplicates) == (2, 0, 2)
    assert len(rows(db)) == 2
    assert published_path(db).exists()


def test_same_payload_at_another_time_is_another_callback(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    path = spool(
        tmp_path / "s.jsonl", [payload(), payload(), payload(received_at="2026-06-17T11:06:00Z")]
    )
    result = ingest(path, db, {AUTH_ID: "default"})
    assert (result.added, result.duplicates) == (2, 1)


def test_equal_instants_written_differently_are_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    path = spool(
        tmp_path / "s.jsonl",
        [
            payload(received_at="2026-06-17T11:05:02Z"),
            payload(received_at="2026-06-17T13:05:02+02:00"),
        ],
    )
    assert ingest(path, db, {AUTH_ID: "default"}).added == 1


def test_foreign_auth_id_and_garbage_are_rejected_without_stopping(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    path = spool(
        tmp_path / "s.jsonl",
        [
            payload(auth_id="MAOTHER000000000000"),
            "{not json",
            "",
            "[1, 2]",
            payload(auth_id=None),
            payload(carrier=None),
            payload(received_at="yesterday"),
            payload(number="14155550199"),
        ],
    )
    result = ingest(path, db, {AUTH_ID: "default"})
    assert result.read == 7 and result.added == 1
    assert dict(result.rejected) == {
        "auth_id is not a configured account's": 1,
        "not JSON": 1,
        "not a JSON object (a list)": 1,
        "auth_id missing": 1,
        "carrier missing": 1,
        "received_at is not an RFC 3339 timestamp": 1,
    }
    assert result.rejected_lines[:3] == [
        (1, "auth_id is not a configured account's"),
        (2, "not JSON"),
        (4, "not a JSON object (a list)"),
    ]
    summary = "\n".join(result.summary())
    assert "rejected 6" in summary and "line 2: not JSON" in summary and "more rejected" in summary
    assert [r[0] for r in rows(db)] == ["+14155550199"]


def test_missing_received_at_takes_the_mtime_and_is_flagged(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    path = spool(tmp_path / "s.jsonl", [payload(received_at=None)])
    result = ingest(path, db, {AUTH_ID: "default"})
    assert (result.added, result.flagged) == (1, 1)
    [(_, _, _, received_at, _, flags)] = rows(db)
    assert received_at == MTIME
    assert flags == ["received_at: missing; the spool file's modification time was used"]
    assert ingest(path, db, {AUTH_ID: "default"}).added == 0  # same file, same mtime: same key


def test_odd_values_are_kept_and_flagged(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    path = spool(
        tmp_path / "s.jsonl",
        [payload(carrier="verizon", caller_reputation_status="PENDING", number="12", extra_key=1)],
    )
    assert ingest(path, db, {AUTH_ID: "default"}).added == 1
    [(number, carrier, status, _, _, flags)] = rows(db)
    assert (number, carrier, status) == ("12", "verizon", "PENDING")
    assert flags == [
        "carrier: unknown value 'verizon'",
        "caller_reputation_status: not a final status: 'PENDING'",
        "unknown keys: extra_key",
        "number: not a phone number: '12'",
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.text(max_size=40), max_size=8))
def test_arbitrary_text_never_crashes(tmp_path: Path, lines: list[str]) -> None:
    db = tmp_path / "h.duckdb"
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join([*lines, json.dumps(payload())]), encoding="utf-8")
    result = ingest(path, db, {AUTH_ID: "default"})
    lines_read = path.read_bytes().split(b"\n")
    assert result.read == sum(1 for x in lines_read if x.strip(b" \t\r\n"))
    assert result.added + result.duplicates + sum(result.rejected.values()) == result.read


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file"):
        ingest(tmp_path / "nope.jsonl", tmp_path / "t.duckdb", {AUTH_ID: "default"})
    assert not (tmp_path / "t.duckdb").exists()


def test_cli_prints_counts(tmp_path: Path) -> None:
    path = spool(tmp_path / "s.jsonl", [payload(), "garbage"])
    db = tmp_path / "t.duckdb"
    env = {"PLIVO_AUTH_ID": AUTH_ID, "PLIVO_AUTH_TOKEN": None, "CALLREP_CONFIG": None}
    result = CliRunner().invoke(callbacks, ["ingest", str(path), "--db", str(db)], env=env)
    assert result.exit_code == 0, result.output
    assert "read 2, added 1, duplicates 0, rejected 1" in result.output
    assert "line 2: not JSON" in result.output


def test_cli_auth_id_option_and_missing_auth_id(tmp_path: Path) -> None:
    path = spool(tmp_path / "s.jsonl", [payload()])
    db = tmp_path / "t.duckdb"
    runner = CliRunner()
    env = {"PLIVO_AUTH_ID": None, "CALLREP_CONFIG": None}
    missing = runner.invoke(callbacks, ["ingest", str(path), "--db", str(db)], env=env)
    assert isinstance(missing.exception, ConfigError)
    assert "--auth-id" in str(missing.exception)
    ok = runner.invoke(
        callbacks, ["ingest", str(path), "--db", str(db), "--auth-id", AUTH_ID], env=env
    )
    assert ok.exit_code == 0 and "added 1" in ok.output
