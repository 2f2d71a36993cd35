"""Hostile callback spools: each bad line is rejected with a counted reason, the rest is kept.

Every named scenario puts one hostile line between two good ones; the good ones must land.
Hypothesis then fuzzes the line parser and whole files: never a traceback, never a lost
good line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.collectors.plivo_records import CARRIERS, FINAL_STATUSES
from analytics.errors import InputError
from analytics.orchestration.ingest import RejectedLine, ingest, parse_line
from analytics.orchestration.spool import MAX_LINE_BYTES

AUTH_ID = "MASIM0000000000000001"
MTIME = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 9, 2, tzinfo=UTC)


def good(**overrides: Any) -> bytes:
    base = {
        "number": "14155550123",
        "carrier": "att",
        "caller_reputation_status": "ACTIVE",
        "auth_id": AUTH_ID,
        "profile_uuid": "8444eccc-5af9-404d-a46f-d2fd31cd74de",
        "received_at": "2026-06-17T11:05:02Z",
    }
    payload = {k: v for k, v in {**base, **overrides}.items() if v is not None}
    return json.dumps(payload).encode()


FIRST, LAST = good(carrier="tmobile"), good(caller_reputation_status="FAILED")


def stored(db: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select number, carrier, status, received_at, flags from plivo_status_callbacks "
            "order by carrier, status"
        ).fetchall()
    finally:
        con.close()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


# name -> (hostile line bytes, the reason it is rejected with)
REJECTED: dict[str, tuple[bytes, str]] = {
    "100,000-deep array": (b"[" * 100_000 + b"]" * 100_000, "longer than 65,536 bytes"),
    "30,000-deep array": (b"[" * 30_000 + b"]" * 30_000, "JSON nested too deeply"),
    "deep value in a good payload": (
        good(extra=None)[:-1] + b', "extra": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        "JSON nested too deeply",
    ),
    "received_at overflows at 9999": (
        good(received_at="9999-12-31T23:59:59-23:59"),
        "received_at is outside the years 1 to 9999 in UTC",
    ),
    "received_at overflows at 0001": (
        good(received_at="0001-01-01T00:00:00+14:00"),
        "received_at is outside the years 1 to 9999 in UTC",
    ),
    "invalid UTF-8 byte": (good(carrier="att")[:12] + b"\xff" + good()[12:], "not UTF-8 text"),
    "latin-1 text": ('{"number": "café"}'.encode("latin-1"), "not UTF-8 text (byte 16)"),
    "lone surrogate escape": (
        good(profile_uuid="\ud800"),
        "a string holds a lone UTF-16 surrogate",
    ),
    "over the line cap": (b" " * MAX_LINE_BYTES + b"{}", "longer than 65,536 bytes"),
    "NUL bytes": (b"\x00" * 100, "not JSON"),
    "an int of 5,000 digits": (b'{"auth_id": ' + b"9" * 5000 + b"}", "not JSON"),
    "another account": (good(auth_id="MAOTHER"), "auth_id is not a configured account's"),
    "a JSON string": (b'"hello"', "not a JSON object (a str)"),
}


@pytest.mark.parametrize("name", REJECTED)
def test_a_hostile_line_is_rejected_and_the_rest_kept(tmp_path: Path, name: str) -> None:
    line, reason = REJECTED[name]
    path = write(tmp_path / "s.jsonl", FIRST + b"\n" + line + b"\n" + LAST + b"\n")
    result = ingest(path, tmp_path / "t.duckdb", {AUTH_ID: "default"}, now=NOW)
    assert (result.read, result.added) == (3, 2)
    [(number, why)] = result.rejected_lines
    assert number == 2 and why.startswith(reason)
    assert [(r[1], r[2]) for r in stored(tmp_path / "t.duckdb")] == [
        ("att", "FAILED"),
        ("tmobile", "ACTIVE"),
    ]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x1c", "\x0b", "\x0c"])
def test_line_separators_inside_a_string_do_not_split_the_line(
    tmp_path: Path, separator: str
) -> None:
    line = json.dumps(json.loads(good(carrier=f"at{separator}t")), ensure_ascii=False).encode()
    path = write(tmp_path / "s.jsonl", line + b"\n" + LAST + b"\n")
    result = ingest(path, tmp_path / "t.duckdb", {AUTH_ID: "default"})
    assert (result.read, result.added, sum(result.rejected.values())) == (2, 2, 0)
    assert f"at{separator}t" in {r[1] for r in stored(tmp_path / "t.duckdb")}


def test_a_bom_crlf_endings_and_no_final_newline_are_accepted(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + FIRST + b"\r\n\r\n" + LAST  # BOM, CRLF, a blank line, no final \n
    result = ingest(write(tmp_path / "s.jsonl", data), tmp_path / "t.duckdb", {AUTH_ID: "default"})
    assert (result.read, result.added, sum(result.rejected.values())) == (2, 2, 0)


def test_an_empty_file_adds_nothing(tmp_path: Path) -> None:
    result = ingest(write(tmp_path / "s.jsonl", b""), tmp_path / "t.duckdb", {AUTH_ID: "default"})
    assert (result.read, result.added) == (0, 0)


def test_lines_without_received_at_are_stored_once_whatever_the_mtime(tmp_path: Path) -> None:
    """`touch` and append used to store such lines again: they are keyed by content."""
    db = tmp_path / "t.duckdb"
    path = write(tmp_path / "s.jsonl", good(received_at=None) + b"\n")
    assert ingest(path, db, {AUTH_ID: "default"}).added == 1
    later = (MTIME + timedelta(hours=5)).timestamp()
    os.utime(path, (later, later))  # touch
    assert ingest(path, db, {AUTH_ID: "default"}).added == 0
    with path.open("ab") as spool:  # append
        spool.write(good(received_at=None, carrier="tmobile") + b"\n")
    appended = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    again = ingest(path, db, {AUTH_ID: "default"})
    assert (again.read, again.added, again.duplicates) == (2, 1, 1)
    assert [(r[1], r[3]) for r in stored(db)] == [
        ("att", MTIME),  # the first mtime it was seen with
        ("tmobile", appended),
    ]


def test_a_device_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^/dev/zero: not a regular file or a pipe") as err:
        ingest(Path("/dev/zero"), tmp_path / "t.duckdb", {AUTH_ID: "default"})
    assert "\n" not in str(err.value)
    assert not (tmp_path / "t.duckdb").exists()


def test_a_pipe_is_streamed_past_an_endless_looking_line(tmp_path: Path) -> None:
    """64 MiB without a newline through a FIFO: skipped, never held; the next line lands."""
    fifo = tmp_path / "spool.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as pipe:
            pipe.write(FIRST + b"\n")
            block = b"\x00" * (1 << 20)
            for _ in range(64):
                pipe.write(block)
            pipe.write(b"\n" + LAST + b"\n")

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        result = ingest(fifo, tmp_path / "t.duckdb", {AUTH_ID: "default"})
    finally:
        writer.join()
    assert (result.read, result.added) == (3, 2)
    assert result.rejected_lines == [(2, "longer than 65,536 bytes")]


def test_rows_past_one_batch_all_land(tmp_path: Path) -> None:
    lines = [
        good(number=f"1415555{i:04d}", received_at=f"2026-06-17T11:{i % 60:02d}:00Z")
        for i in range(10_500)
    ]
    path = write(tmp_path / "s.jsonl", b"\n".join(lines))
    result = ingest(path, tmp_path / "t.duckdb", {AUTH_ID: "default"})
    assert (result.read, result.added, result.duplicates) == (10_500, 10_500, 0)
    assert ingest(path, tmp_path / "t.duckdb", {AUTH_ID: "default"}).duplicates == 10_500


# --- hypothesis ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.timezones()
)


@st.composite
def good_lines(draw: Callable[..., Any]) -> bytes:
    """A callback Plivo could send: known or odd carriers and statuses, extra keys, any time."""
    payload: dict[str, Any] = {
        "number": draw(st.sampled_from(["14155550123", "+442071838750", "12", "x"])),
        "carrier": draw(st.sampled_from(sorted(CARRIERS)) | st.text(min_size=1)),
        "caller_reputation_status": draw(
            st.sampled_from(sorted(FINAL_STATUSES)) | st.text(min_size=1)
        ),
        "auth_id": AUTH_ID,
    }
    if draw(st.booleans()):
        payload["received_at"] = draw(instants).isoformat()
    payload.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)))
    payload["auth_id"] = AUTH_ID
    for key in ("number", "carrier", "caller_reputation_status"):
        if payload.get(key) in (None, ""):
            payload[key] = "att"
    return json.dumps(payload, ensure_ascii=draw(st.booleans())).encode()


hostile_lines = (
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b""))
    | st.text(max_size=40).map(lambda t: t.replace("\n", "").encode("utf-8", "surrogatepass"))
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.integers(1, 5_000).map(lambda n: b"[" * n + b"]" * n)
)


@settings(max_examples=300, deadline=None)
@given(line=hostile_lines | good_lines())
def test_parse_line_rejects_with_a_reason_or_returns_a_row(line: bytes) -> None:
    try:
        row = parse_line(line, {AUTH_ID: "default"}, MTIME, "spool", NOW)
    except RejectedLine as why:
        assert str(why) and "\n" not in str(why)
    else:
        assert len(row["callback_key"]) == 64 and row["received_at"].tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(line=good_lines())
def test_every_good_line_parses(line: bytes) -> None:
    parse_line(line, {AUTH_ID: "default"}, MTIME, "spool", NOW)


_files = count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.tuples(st.booleans(), hostile_lines, good_lines()), max_size=8),
    bom=st.booleans(),
)
def test_a_file_never_loses_a_good_line(
    tmp_path: Path, lines: list[tuple[bool, bytes, bytes]], bom: bool
) -> None:
    chosen = [g if is_good else h for is_good, h, g in lines]
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(chosen)
    n = next(_files)
    path, db = write(tmp_path / f"{n}.jsonl", data), tmp_path / f"{n}.duckdb"
    result = ingest(path, db, {AUTH_ID: "default"}, now=NOW)
    expected = {
        parse_line(g, {AUTH_ID: "default"}, MTIME, str(path.resolve()), NOW)["callback_key"]
        for is_good, _, g in lines
        if is_good
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        keys = {
            r[0] for r in con.execute("select callback_key from plivo_status_callbacks").fetchall()
        }
    finally:
        con.close()
    assert expected <= keys
    assert result.added == len(keys)
    assert result.added + result.duplicates + sum(result.rejected.values()) == result.read
