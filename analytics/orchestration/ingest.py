"""Plivo Caller Reputation status callbacks: loading a receiver's spool into the store.

Spool format: one JSON object per line (lines end at ``\\n`` only; see
:mod:`analytics.orchestration.spool`),
Plivo's payload ``{"number", "carrier", "caller_reputation_status", "auth_id", "profile_uuid"}``
plus the ``received_at`` (RFC 3339) the receiver added. A line without ``received_at`` takes
the file's modification time and is flagged. Each callback gets a deterministic
``callback_key``: sha256 of the canonical payload and the received instant, or of the payload
alone when ``received_at`` is missing (so touching or appending to the file never stores such
a line again). Ingesting the same file twice adds nothing the second time. Each callback
is stored with the account its ``auth_id`` names (a Plivo account or subaccount).
Lines for no known account, that do not parse, are not UTF-8, nest too deeply, hold an
impossible time or pass :data:`~analytics.orchestration.spool.MAX_LINE_BYTES` are rejected
with a counted reason; they never stop the rest. Rows go in through the store's landing
helper, in batches of BATCH_ROWS inside one transaction, so Python holds one batch at a
time whatever the file's size.
:func:`ingest_segments` lands the closed segments ``callrep callbacks serve`` wrote.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.collectors import shape
from analytics.collectors.plivo_records import CARRIERS, FINAL_STATUSES, e164
from analytics.orchestration.spool import MAX_LINE_BYTES, Spool, SpoolLine
from analytics.receiver.segments import archive, closed_segments
from analytics.store.database import writer
from analytics.store.landing import append_new
from analytics.store.provenance import admit
from analytics.store.transaction import transaction

_PAYLOAD_KEYS = frozenset(
    {"number", "carrier", "caller_reputation_status", "auth_id", "profile_uuid", "received_at"}
)
_TS = pl.Datetime("us", "UTC")
CALLBACK_SCHEMA: dict[str, Any] = {
    "callback_key": pl.Utf8,
    "account": pl.Utf8,
    "received_at": _TS,
    "number": pl.Utf8,
    "carrier": pl.Utf8,
    "status": pl.Utf8,
    "profile_uuid": pl.Utf8,
    "source_file": pl.Utf8,
    "ingested_at": _TS,
    "flags": pl.List(pl.Utf8),
    "raw": pl.Utf8,
}
SHOWN_REJECTS = 5  # line numbers reported per run
BATCH_ROWS = 10_000  # rows held in memory before they are inserted
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_JSON_SPACE = b" \t\r\n"


class RejectedLine(Exception):
    """A spool line that cannot become a callback row; the message is the counted reason."""


@dataclass
class IngestResult:
    """What one ingestion read, added and turned away."""

    path: Path
    read: int = 0
    added: int = 0
    duplicates: int = 0
    flagged: int = 0  # accepted callbacks (new or not) that carry flags
    rejected: Counter[str] = field(default_factory=Counter)
    rejected_lines: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Human-readable lines: the counts, reasons per count, the first rejected lines."""
        total = sum(self.rejected.values())
        lines = [
            f"{self.path}: read {self.read}, added {self.added}, duplicates {self.duplicates}, "
            f"rejected {total}, flagged {self.flagged}"
        ]
        lines += [f"  rejected ({n}): {reason}" for reason, n in self.rejected.most_common()]
        lines += [f"  line {no}: {reason}" for no, reason in self.rejected_lines]
        if total > len(self.rejected_lines):
            lines.append(f"  … and {total - len(self.rejected_lines)} more rejected lines")
        return lines

    def reject(self, number: int, reason: str) -> None:
        """Count one rejected line."""
        self.rejected[reason] += 1
        if len(self.rejected_lines) < SHOWN_REJECTS:
            self.rejected_lines.append((number, reason))


def parse_line(
    line: bytes | str,
    accounts: Mapping[str, str],
    mtime: datetime | None,
    source_file: str,
    ingested_at: datetime,
) -> dict[str, Any]:
    """One spool line (without its ``\\n``) as a callback row; raise RejectedLine with the
    reason when it is not one. ``accounts`` maps each known ``auth_id`` to its account's
    name; ``mtime`` (the file's) stands in for a missing ``received_at``."""
    try:
        return _parse(line, accounts, mtime, source_file, ingested_at)
    except RecursionError:
        raise RejectedLine("JSON nested too deeply") from None


def _parse(
    line: bytes | str,
    accounts: Mapping[str, str],
    mtime: datetime | None,
    source_file: str,
    ingested_at: datetime,
) -> dict[str, Any]:
    data = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
    if len(data) > MAX_LINE_BYTES:
        raise RejectedLine(f"longer than {MAX_LINE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RejectedLine(f"not UTF-8 text (byte {err.start + 1})") from None
    try:
        payload = json.loads(text)
    except ValueError:
        raise RejectedLine("not JSON") from None
    if not isinstance(payload, Mapping):
        raise RejectedLine(f"not a JSON object (a {type(payload).__name__})")
    if _SURROGATE_ESCAPE.search(data) and not _encodable(payload):
        raise RejectedLine("a string holds a lone UTF-16 surrogate escape")
    if payload.get("auth_id") is None:
        raise RejectedLine("auth_id missing")
    account = accounts.get(payload["auth_id"]) if isinstance(payload["auth_id"], str) else None
    if account is None:
        raise RejectedLine("auth_id is not a configured account's")
    for key in ("number", "carrier", "caller_reputation_status"):
        if payload.get(key) in (None, ""):
            raise RejectedLine(f"{key} missing")
    flags: list[str] = []
    received_at, stamp = _received_at(payload, mtime, flags)
    carrier = payload["carrier"]
    if not isinstance(carrier, str):
        flags.append(f"carrier: expected a string, got {type(carrier).__name__}")
        carrier = json.dumps(carrier)
    elif carrier not in CARRIERS:
        flags.append(f"carrier: unknown value {carrier[:40]!r}")
    status = payload["caller_reputation_status"]
    if not isinstance(status, str):
        flags.append(f"caller_reputation_status: expected a string, got {type(status).__name__}")
        status = json.dumps(status)
    elif status not in FINAL_STATUSES:
        flags.append(f"caller_reputation_status: not a final status: {status[:40]!r}")
    unknown = sorted(k for k in payload if k not in _PAYLOAD_KEYS)
    if unknown:
        flags.append(f"unknown keys: {', '.join(unknown)[:80]}")
    canonical = {k: v for k, v in payload.items() if k != "received_at"}
    digest = hashlib.sha256(
        json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str).encode()
        + b"\n"
        + stamp.encode()
    )
    row = {
        "callback_key": digest.hexdigest(),
        "account": account,
        "received_at": received_at,
        "number": e164(payload["number"], "number", flags),
        "carrier": carrier,
        "status": status,
        "profile_uuid": shape.text(payload, "profile_uuid", flags),
        "source_file": source_file,
        "ingested_at": ingested_at,
    }
    row["flags"] = flags or None
    row["raw"] = shape.as_json(payload) if flags else None
    return row


def _encodable(payload: Any) -> bool:
    """Whether every string in ``payload`` can be stored as UTF-8 (no lone surrogates)."""
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _received_at(
    payload: Mapping[str, Any], mtime: datetime | None, flags: list[str]
) -> tuple[datetime, str]:
    """The receive time and its text for the key: the instant, or ``missing`` when absent
    (the callback is then keyed by its content alone and stored at the file's mtime)."""
    raw = payload.get("received_at")
    if raw is None:
        if mtime is None:
            raise RejectedLine("received_at missing, and the file has no usable modification time")
        flags.append("received_at: missing; the spool file's modification time was used")
        return mtime, "missing"
    problems: list[str] = []
    when = shape.timestamp(payload, "received_at", problems)
    if when is None:
        if any(shape.OUT_OF_RANGE in p for p in problems):
            raise RejectedLine(f"received_at is {shape.OUT_OF_RANGE}")
        raise RejectedLine("received_at is not an RFC 3339 timestamp")
    if isinstance(raw, str) and datetime.fromisoformat(raw).tzinfo is None:
        flags.append("received_at: no UTC offset; read as UTC")
    return when, when.isoformat()


def ingest(
    path: Path,
    db_path: Path,
    accounts: Mapping[str, str],
    *,
    now: datetime | None = None,
) -> IngestResult:
    """Load the spool at ``path`` into ``plivo_status_callbacks`` in one transaction;
    ``accounts`` maps each known ``auth_id`` to its account's name.

    Holds the writer lock, streams the file, adds only callbacks not already stored (by
    ``callback_key``), then publishes the read-only copy. A database marked synthetic is
    refused (see :mod:`analytics.store.provenance`).
    """
    path = Path(path)
    ingested_at = now or datetime.now(UTC)
    result = IngestResult(path)
    with Spool(path) as spool, writer(db_path, "callrep callbacks ingest") as store:
        with store.connection() as con:
            admit(con, synthetic=False, what=f"real callbacks from {path.name}")
            with transaction(con):
                _load(con, spool, result, accounts, ingested_at)
        store.publish()
    return result


def ingest_segments(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    accounts: Mapping[str, str],
    *,
    synthetic: bool,
    now: datetime | None = None,
) -> list[IngestResult]:
    """Land every closed segment of the receiver's spool ``folder`` in one transaction,
    then move them to ``archive/``; return one result per segment.

    Only complete lines are read. Re-landing a segment (a crash before it was archived)
    adds nothing, by ``callback_key``. ``synthetic`` is the kind of the collection that
    lands them: the spool beside a database belongs to it.
    """
    segments = closed_segments(folder)
    if not segments:
        return []
    ingested_at = now or datetime.now(UTC)
    admit(con, synthetic=synthetic, what=f"callbacks from {folder}/")
    results = []
    with transaction(con):
        for segment in segments:
            result = IngestResult(segment)
            with Spool(segment) as spool:
                _load(con, spool, result, accounts, ingested_at, complete_only=True)
            results.append(result)
    for segment in segments:
        archive(segment)
    return results


def _load(
    con: duckdb.DuckDBPyConnection,
    spool: Spool,
    result: IngestResult,
    accounts: Mapping[str, str],
    ingested_at: datetime,
    *,
    complete_only: bool = False,
) -> None:
    """Insert the spool's new callbacks batch by batch; counts go to ``result``."""
    source_file = str(spool.path.resolve())
    lines = spool.lines(complete_only=complete_only)
    for rows in _batches(lines, result, accounts, spool.mtime, source_file, ingested_at):
        result.flagged += sum(1 for r in rows.values() if r["flags"])
        frame = shape.frame(list(rows.values()), CALLBACK_SCHEMA)
        result.added += append_new(con, "plivo_status_callbacks", "callback_key", frame)
    result.duplicates = result.read - sum(result.rejected.values()) - result.added


def _batches(
    lines: Iterable[SpoolLine],
    result: IngestResult,
    accounts: Mapping[str, str],
    mtime: datetime | None,
    source_file: str,
    ingested_at: datetime,
) -> Iterator[dict[str, dict[str, Any]]]:
    """Parsed rows by key, up to BATCH_ROWS at a time; counts and rejects go to ``result``."""
    rows: dict[str, dict[str, Any]] = {}
    for line in lines:
        if line.data is not None and not line.data.strip(_JSON_SPACE):
            continue
        result.read += 1
        try:
            if line.data is None:
                raise RejectedLine(f"longer than {MAX_LINE_BYTES:,} bytes")
            row = parse_line(line.data, accounts, mtime, source_file, ingested_at)
        except RejectedLine as why:
            result.reject(line.number, str(why))
            continue
        rows[row["callback_key"]] = row
        if len(rows) >= BATCH_ROWS:
            yield rows
            rows = {}
    if rows:
        yield rows
