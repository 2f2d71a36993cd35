"""Checking API records against their documented shape without ever dropping one.

Every reader returns a typed value or None and, when the value does not fit, appends a
reason to ``flags``. Callers keep the original record (as JSON) whenever flags is non-empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

# ASCII digits only and nothing after them: `\d` also matches other scripts' digits, and `$`
# matches before a trailing newline.
US_E164 = re.compile(r"\+1[2-9][0-9]{2}[2-9][0-9]{6}\Z")
_MAX_DECIMAL = Decimal(10) ** 7  # DECIMAL(12, 5)


def text(record: Mapping[str, Any], key: str, flags: list[str]) -> str | None:
    """A string field (null allowed)."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    flags.append(f"{key}: expected a string, got {type(value).__name__}")
    return None


def enum(
    record: Mapping[str, Any], key: str, allowed: Iterable[str], flags: list[str]
) -> str | None:
    """A string from a documented set; other strings are kept as they came, flagged."""
    value = text(record, key, flags)
    if value is not None and value not in allowed:
        flags.append(f"{key}: unknown value {value[:40]!r}")
    return value


def score(record: Mapping[str, Any], key: str, flags: list[str]) -> int | None:
    """A 0-100 integer score (null allowed)."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        flags.append(f"{key}: expected a number, got {type(value).__name__}")
        return None
    if not 0 <= value <= 100 or value != int(value):  # NaN fails the range, inf never reaches int
        flags.append(f"{key}: {value!r} is outside 0-100")
        return None
    return int(value)


MAX_COUNT = 2**31 - 1  # counts land in INTEGER columns


def integer(record: Mapping[str, Any], key: str, flags: list[str]) -> int | None:
    """A non-negative integer count that fits an INTEGER column (null allowed)."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        flags.append(f"{key}: expected a non-negative integer, got {value!r}"[:120])
        return None
    return value


OUT_OF_RANGE = "outside the years 1 to 9999 in UTC"


def timestamp(record: Mapping[str, Any], key: str, flags: list[str]) -> datetime | None:
    """An ISO 8601 / RFC 3339 timestamp, returned in UTC (null allowed)."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except ValueError:
            pass
        except OverflowError:  # e.g. 9999-12-31T23:59:59-23:59 is past year 9999 in UTC
            flags.append(f"{key}: {OUT_OF_RANGE}: {value[:40]!r}")
            return None
    flags.append(f"{key}: not an ISO 8601 timestamp: {str(value)[:40]!r}")
    return None


def day(record: Mapping[str, Any], key: str, flags: list[str]) -> date | None:
    """A date, or a timestamp reduced to its date (null allowed)."""
    value = record.get(key)
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    stamp = timestamp(record, key, flags)
    return stamp.date() if stamp else None


def decimal(record: Mapping[str, Any], key: str, flags: list[str]) -> Decimal | None:
    """A decimal given as a string or number (null allowed)."""
    value = record.get(key)
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.00001"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) >= _MAX_DECIMAL:
        flags.append(f"{key}: not a decimal that fits 12 digits: {str(value)[:40]!r}")
        return None
    return number


def string_list(record: Mapping[str, Any], key: str, flags: list[str]) -> list[str] | None:
    """A list of strings (null allowed); other items are kept as their JSON text, flagged."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        flags.append(f"{key}: expected a list, got {type(value).__name__}")
        return [json.dumps(value)]
    if not all(isinstance(v, str) for v in value):
        flags.append(f"{key}: expected strings only")
    return [v if isinstance(v, str) else json.dumps(v) for v in value]


def us_phone(value: Any, key: str, flags: list[str]) -> str | None:
    """A US number in E.164 (``+1NPANXXXXXX``); anything else is flagged and not typed."""
    if isinstance(value, str) and US_E164.match(value):
        return value
    flags.append(f"{key}: not a US E.164 number: {str(value)[:40]!r}")
    return None


def extra(record: Mapping[str, Any], documented: frozenset[str]) -> str | None:
    """The keys beyond the documented ones, as JSON; None when there are none."""
    unknown = {k: v for k, v in record.items() if k not in documented}
    return json.dumps(unknown, default=str) if unknown else None


def as_json(value: Any) -> str:
    """A record as JSON text, for the ``raw`` column of flagged rows."""
    return json.dumps(value, default=str)


def finish(row: dict[str, Any], flags: list[str], original: Any) -> dict[str, Any]:
    """Attach the reasons, and the record as it came, to a row that did not fit its shape."""
    if flags:
        row["flags"] = flags
        row["raw"] = as_json(original)
    return row


def frame(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows (dicts; missing keys are null) as a frame with exactly ``schema``."""
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame({name: [row.get(name) for row in rows] for name in schema}, schema=schema)
