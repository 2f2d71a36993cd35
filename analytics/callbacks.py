"""Plivo Caller Reputation status callbacks: loading a receiver's spool into the store.

Spool format: one JSON object per line, Plivo's payload
``{"number", "carrier", "caller_reputation_status", "auth_id", "profile_uuid"}`` plus the
``received_at`` (RFC 3339) the receiver added. A line without ``received_at`` takes the
file's modification time and is flagged. Each callback gets a deterministic
``callback_key`` (sha256 of the canonical payload and the received time), so ingesting
the same file twice adds nothing the second time. Lines for another account, or that do
not parse, are rejected with a counted reason; they never stop the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from analytics.collectors import shape
from analytics.collectors.plivo_records import CARRIERS, FINAL_STATUSES, e164
from analytics.errors import InputError
from analytics.store.database import writer
from analytics.store.transaction import transaction

_PAYLOAD_KEYS = frozenset(
    {"number", "carrier", "caller_reputation_status", "auth_id", "profile_uuid", "received_at"}
)
_TS = pl.Datetime("us", "UTC")
CALLBACK_SCHEMA: dict[str, Any] = {
    "callback_key": pl.Utf8,
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


class _Rejected(Exception):
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


def read_spool(path: Path) -> tuple[list[str], datetime]:
    """The file's lines and its modification time (UTC); InputError when it is unusable."""
    try:
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a spool file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start})") from None
    return text.splitlines(), mtime


def parse_line(
    line: str, auth_id: str, mtime: datetime, source_file: str, ingested_at: datetime
) -> dict[str, Any]:
    """One spool line as a callback row; raise _Rejected with the reason when it is not one."""
    try:
        payload = json.loads(line)
    except ValueError:
        raise _Rejected("not JSON") from None
    if not isinstance(payload, Mapping):
        raise _Rejected(f"not a JSON object (a {type(payload).__name__})")
    if payload.get("auth_id") is None:
        raise _Rejected("auth_id missing")
    if payload.get("auth_id") != auth_id:
        raise _Rejected("auth_id is not this account's")
    for key in ("number", "carrier", "caller_reputation_status"):
        if payload.get(key) in (None, ""):
            raise _Rejected(f"{key} missing")
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


def _received_at(
    payload: Mapping[str, Any], mtime: datetime, flags: list[str]
) -> tuple[datetime, str]:
    """The receive time and its canonical text (for the key); the mtime when absent."""
    raw = payload.get("received_at")
    if raw is None:
        flags.append("received_at: missing; the spool file's modification time was used")
        return mtime, mtime.isoformat()
    problems: list[str] = []
    when = shape.timestamp(payload, "received_at", problems)
    if when is None:
        raise _Rejected("received_at is not an RFC 3339 timestamp")
    if isinstance(raw, str) and datetime.fromisoformat(raw).tzinfo is None:
        flags.append("received_at: no UTC offset; read as UTC")
    return when, when.isoformat()


def ingest(
    path: Path,
    db_path: Path,
    auth_id: str,
    *,
    now: datetime | None = None,
) -> IngestResult:
    """Load the spool at ``path`` into ``plivo_status_callbacks`` in one transaction.

    Holds the writer lock, adds only callbacks not already stored (by ``callback_key``),
    then publishes the read-only copy.
    """
    path = Path(path)
    lines, mtime = read_spool(path)
    ingested_at = now or datetime.now(UTC)
    source_file = str(path.resolve())
    result = IngestResult(path)
    rows: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        result.read += 1
        try:
            row = parse_line(line, auth_id, mtime, source_file, ingested_at)
        except _Rejected as why:
            result.rejected[str(why)] += 1
            if len(result.rejected_lines) < SHOWN_REJECTS:
                result.rejected_lines.append((number, str(why)))
            continue
        if row["callback_key"] in rows:
            result.duplicates += 1
            continue
        rows[row["callback_key"]] = row
    frame = _frame(list(rows.values()))
    with writer(db_path, "callrep callbacks ingest") as store:
        with store.connection() as con, transaction(con):
            before = _count(con)
            if frame.height:
                con.register("_callback_rows", frame.to_arrow())
                try:
                    con.execute(
                        "insert into plivo_status_callbacks by name "
                        "select * from _callback_rows on conflict do nothing"
                    )
                finally:
                    con.unregister("_callback_rows")
            added = _count(con) - before
        store.publish()
    result.added = added
    result.duplicates += frame.height - added
    result.flagged = sum(1 for r in rows.values() if r["flags"])
    return result


def _count(con: Any) -> int:
    row = con.execute("select count(*) from plivo_status_callbacks").fetchone()
    return int(row[0]) if row else 0


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=CALLBACK_SCHEMA)
    return pl.DataFrame({k: [r[k] for r in rows] for k in CALLBACK_SCHEMA}, schema=CALLBACK_SCHEMA)
