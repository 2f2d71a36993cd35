"""Telnyx records → typed rows for the landing tables, with shape flags."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl

from analytics.collectors import shape

SPAM_RISKS = frozenset({"low", "medium", "high"})
SCORES = ("maturity_score", "connection_score", "engagement_score", "sentiment_score")
GATES = frozenset({"pending", "approved", "rejected"})
FREQUENCIES = frozenset({"business_daily", "daily", "weekly", "biweekly", "monthly", "never"})
REMEDIATION_STATUSES = frozenset({"pending", "in_progress", "completed", "failed", "cancelled"})
FINAL_REMEDIATION = frozenset({"completed", "failed", "cancelled"})
BUCKETS = ("remediated", "not_flagged", "requires_review", "ineligible", "refused")

_NUMBER_KEYS = frozenset(
    {
        "id",
        "enterprise_id",
        "phone_number",
        "reputation_data",
        "created_at",
        "updated_at",
        "record_type",
    }
)
_REPUTATION_KEYS = frozenset({"spam_risk", "spam_category", "last_refreshed_at", *SCORES})
_SETTINGS_KEYS = frozenset(
    {
        "enterprise_id",
        "status",
        "loa_status",
        "check_frequency",
        "loa_document_id",
        "rejection_reasons",
        "created_at",
        "updated_at",
        "record_type",
    }
)
_REQUEST_KEYS = frozenset(
    {
        "id",
        "status",
        "call_purpose",
        "contact_email",
        "webhook_url",
        "phone_numbers_count",
        "phone_numbers_submitted",
        "phone_numbers_ineligible",
        "created_at",
        "updated_at",
        "tier1_completed_at",
        "tier2_completed_at",
        "results",
        "record_type",
    }
)

_TS = pl.Datetime("us", "UTC")
_FLAGS = pl.List(pl.Utf8)

NUMBER_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "collected_at": _TS,
    "enterprise_id": pl.Utf8,
    "phone_number": pl.Utf8,
    "phone_key": pl.Int64,  # the number's digits: the models' key, computed once, here
    "record_id": pl.Utf8,
    "has_reputation_data": pl.Boolean,
    "spam_risk": pl.Utf8,
    "spam_category": pl.Utf8,
    **dict.fromkeys(SCORES, pl.Int16),
    "last_refreshed_at": _TS,
    "created_at": _TS,
    "updated_at": _TS,
    "extra": pl.Utf8,
    "flags": _FLAGS,
    "raw": pl.Utf8,
}

ENTERPRISE_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "collected_at": _TS,
    "enterprise_id": pl.Utf8,
    "legal_name": pl.Utf8,
    "doing_business_as": pl.Utf8,
    "reputation_enabled": pl.Boolean,
    "status": pl.Utf8,
    "loa_status": pl.Utf8,
    "check_frequency": pl.Utf8,
    "loa_document_id": pl.Utf8,
    "rejection_reasons": _FLAGS,
    "settings_created_at": _TS,
    "settings_updated_at": _TS,
    "extra": pl.Utf8,
    "flags": _FLAGS,
    "raw": pl.Utf8,
}

REQUEST_SCHEMA: dict[str, Any] = {
    "request_id": pl.Utf8,
    "enterprise_id": pl.Utf8,
    "status": pl.Utf8,
    "call_purpose": pl.Utf8,
    "contact_email": pl.Utf8,
    "phone_numbers_count": pl.Int32,
    "phone_numbers_submitted": pl.Int32,
    "phone_numbers_ineligible": pl.Int32,
    "created_at": _TS,
    "updated_at": _TS,
    "tier1_completed_at": _TS,
    "tier2_completed_at": _TS,
    "has_results": pl.Boolean,
    "last_seen_run_id": pl.Int64,
    "detail_run_id": pl.Int64,
    "collected_at": _TS,
    "extra": pl.Utf8,
    "flags": _FLAGS,
    "raw": pl.Utf8,
}

# Columns the slim list shape carries: a request seen only in the list updates just these.
SLIM_REQUEST_COLUMNS = (
    "request_id",
    "status",
    "call_purpose",
    "phone_numbers_count",
    "created_at",
    "updated_at",
    "tier1_completed_at",
    "tier2_completed_at",
    "last_seen_run_id",
    "collected_at",
)

RESULT_SCHEMA: dict[str, Any] = {
    "request_id": pl.Utf8,
    "phone_number": pl.Utf8,
    "bucket": pl.Utf8,
    "run_id": pl.Int64,
}


def phone_key(number: Any) -> int | None:
    """The models' key of a US E.164 number (``"+12025550123"`` -> 12025550123); else None.

    Landed beside the number (the fast path of :func:`numbers_frame` computes the same,
    vectorised), so no model build parses a number again."""
    if isinstance(number, str) and shape.US_E164.match(number):
        return int(number[1:])
    return None


def number_row(
    item: Any, enterprise_id: str, run_id: int, collected_at: datetime
) -> dict[str, Any]:
    """One monitored number from the list endpoint, typed, with shape flags."""
    flags: list[str] = []
    row: dict[str, Any] = {
        "run_id": run_id,
        "collected_at": collected_at,
        "enterprise_id": enterprise_id,
    }
    if not isinstance(item, Mapping):
        flags.append(f"record: expected an object, got {type(item).__name__}")
        return {**row, "has_reputation_data": False, "flags": flags, "raw": shape.as_json(item)}
    row["phone_number"] = shape.us_phone(item.get("phone_number"), "phone_number", flags)
    row["phone_key"] = phone_key(row["phone_number"])
    row["record_id"] = shape.text(item, "id", flags)
    row["created_at"] = shape.timestamp(item, "created_at", flags)
    row["updated_at"] = shape.timestamp(item, "updated_at", flags)
    if item.get("enterprise_id") not in (None, enterprise_id):
        flags.append("enterprise_id: differs from the enterprise listed")
    unknown = {k: v for k, v in item.items() if k not in _NUMBER_KEYS}
    reputation = item.get("reputation_data")
    row["has_reputation_data"] = isinstance(reputation, Mapping)
    if isinstance(reputation, Mapping):
        row["spam_risk"] = shape.enum(reputation, "spam_risk", SPAM_RISKS, flags)
        row["spam_category"] = shape.text(reputation, "spam_category", flags)
        for name in SCORES:
            row[name] = shape.score(reputation, name, flags)
        row["last_refreshed_at"] = shape.timestamp(reputation, "last_refreshed_at", flags)
        extra_rep = {k: v for k, v in reputation.items() if k not in _REPUTATION_KEYS}
        if extra_rep:
            unknown["reputation_data"] = extra_rep
    elif reputation is not None:
        flags.append(
            f"reputation_data: expected an object or null, got {type(reputation).__name__}"
        )
    if unknown:
        row["extra"] = shape.as_json(unknown)
    return shape.finish(row, flags, item)


def enterprise_row(
    enterprise: Any, settings: Any, run_id: int, collected_at: datetime
) -> dict[str, Any]:
    """One enterprise with its reputation settings (``settings`` None: reputation disabled)."""
    flags: list[str] = []
    ent = enterprise if isinstance(enterprise, Mapping) else {}
    if not isinstance(enterprise, Mapping):
        flags.append(f"record: expected an object, got {type(enterprise).__name__}")
    row: dict[str, Any] = {
        "run_id": run_id,
        "collected_at": collected_at,
        "enterprise_id": str(ent.get("id")),
        "legal_name": shape.text(ent, "legal_name", flags),
        "doing_business_as": shape.text(ent, "doing_business_as", flags),
        "reputation_enabled": settings is not None,
    }
    if settings is not None:
        if not isinstance(settings, Mapping):
            flags.append(f"settings: expected an object, got {type(settings).__name__}")
            settings = {}
        row["status"] = shape.enum(settings, "status", GATES, flags)
        row["loa_status"] = shape.enum(settings, "loa_status", GATES, flags)
        row["check_frequency"] = shape.enum(settings, "check_frequency", FREQUENCIES, flags)
        row["loa_document_id"] = shape.text(settings, "loa_document_id", flags)
        row["rejection_reasons"] = shape.string_list(settings, "rejection_reasons", flags)
        row["settings_created_at"] = shape.timestamp(settings, "created_at", flags)
        row["settings_updated_at"] = shape.timestamp(settings, "updated_at", flags)
        row["extra"] = shape.extra(settings, _SETTINGS_KEYS)
    return shape.finish(row, flags, {"enterprise": enterprise, "settings": settings})


def request_row(
    item: Any, enterprise_id: str, run_id: int, collected_at: datetime, *, detail: bool
) -> dict[str, Any]:
    """A remediation request: the full detail shape, or only the slim list columns."""
    flags: list[str] = []
    rec = item if isinstance(item, Mapping) else {}
    if not isinstance(item, Mapping):
        flags.append(f"record: expected an object, got {type(item).__name__}")
    row: dict[str, Any] = {
        "request_id": str(rec.get("id")),
        "enterprise_id": enterprise_id,
        "status": shape.enum(rec, "status", REMEDIATION_STATUSES, flags),
        "call_purpose": shape.text(rec, "call_purpose", flags),
        "phone_numbers_count": shape.integer(rec, "phone_numbers_count", flags),
        "created_at": shape.timestamp(rec, "created_at", flags),
        "updated_at": shape.timestamp(rec, "updated_at", flags),
        "tier1_completed_at": shape.timestamp(rec, "tier1_completed_at", flags),
        "tier2_completed_at": shape.timestamp(rec, "tier2_completed_at", flags),
        "last_seen_run_id": run_id,
        "collected_at": collected_at,
    }
    if not detail:
        return {k: row[k] for k in SLIM_REQUEST_COLUMNS}
    row["contact_email"] = shape.text(rec, "contact_email", flags)
    row["phone_numbers_submitted"] = shape.integer(rec, "phone_numbers_submitted", flags)
    row["phone_numbers_ineligible"] = shape.integer(rec, "phone_numbers_ineligible", flags)
    results = rec.get("results")
    if results is not None and not isinstance(results, Mapping):
        flags.append(f"results: expected an object or null, got {type(results).__name__}")
    row["has_results"] = isinstance(results, Mapping)
    row["detail_run_id"] = run_id
    row["extra"] = shape.extra(rec, _REQUEST_KEYS | {"webhook_url"})
    return shape.finish(row, flags, item)


def result_rows(item: Any, run_id: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Per-number outcome rows of a request detail, and flags for what did not fit."""
    flags: list[str] = []
    if not isinstance(item, Mapping) or not isinstance(item.get("results"), Mapping):
        return [], flags
    rows = []
    for bucket, numbers in item["results"].items():
        if bucket not in BUCKETS:
            flags.append(f"results: unknown bucket {str(bucket)[:40]!r}")
        if not isinstance(numbers, list):
            flags.append(f"results.{bucket}: expected a list")
            continue
        for number in numbers:
            rows.append(
                {
                    "request_id": str(item.get("id")),
                    "phone_number": number if isinstance(number, str) else shape.as_json(number),
                    "bucket": str(bucket),
                    "run_id": run_id,
                }
            )
    return rows, flags


_REPUTATION_STRUCT = pl.Struct(
    {
        "spam_risk": pl.Utf8,
        "spam_category": pl.Utf8,
        **dict.fromkeys(SCORES, pl.Int64),
        "last_refreshed_at": pl.Utf8,
    }
)
_PAGE_SCHEMA = {
    "id": pl.Utf8,
    "phone_number": pl.Utf8,
    "reputation_data": _REPUTATION_STRUCT,
    "created_at": pl.Utf8,
    "updated_at": pl.Utf8,
}
_ISO_8601 = "%Y-%m-%dT%H:%M:%S%.f%#z"


def numbers_frame(
    items: list[Any], enterprise_id: str, run_id: int, collected_at: datetime
) -> pl.DataFrame:
    """A page of monitored numbers as rows of ``NUMBER_SCHEMA``.

    Records of the documented shape (nearly all; unknown extra fields allowed, kept in
    ``extra``) are typed in one vectorised pass; any other record goes through
    :func:`number_row`, so the result is the same as typing every record one by one.
    """
    fitting, odd, extras = [], [], []  # extras: the fitting records' positions with extra fields
    for item in items:
        fit = _fits(item, enterprise_id)
        if fit == _EXTRA:
            extras.append(len(fitting))
        (fitting if fit else odd).append(item)
    page = pl.from_dicts(fitting, schema=_PAGE_SCHEMA) if fitting else None
    frames = []
    if page is not None:
        rep = pl.col("reputation_data")
        typed = page.select(
            pl.lit(run_id, pl.Int64).alias("run_id"),
            pl.lit(collected_at, _TS).alias("collected_at"),
            pl.lit(enterprise_id, pl.Utf8).alias("enterprise_id"),
            pl.col("phone_number"),
            pl.col("phone_number").str.slice(1).cast(pl.Int64).alias("phone_key"),
            pl.col("id").alias("record_id"),
            rep.is_not_null().alias("has_reputation_data"),
            rep.struct.field("spam_risk"),
            rep.struct.field("spam_category"),
            *(rep.struct.field(s).cast(pl.Int16) for s in SCORES),
            _timestamp(rep.struct.field("last_refreshed_at")).alias("last_refreshed_at"),
            _timestamp(pl.col("created_at")).alias("created_at"),
            _timestamp(pl.col("updated_at")).alias("updated_at"),
            _extra_column(fitting, extras),
            pl.lit(None, pl.List(pl.Utf8)).alias("flags"),
            pl.lit(None, pl.Utf8).alias("raw"),
        )
        # A timestamp polars cannot read (no offset, odd spelling): type that record slowly.
        unread = (
            (rep.struct.field("last_refreshed_at").is_not_null() & pl.col("lr").is_null())
            | (pl.col("created_at").is_not_null() & pl.col("ca").is_null())
            | (pl.col("updated_at").is_not_null() & pl.col("ua").is_null())
        )
        check = page.with_columns(
            lr=typed["last_refreshed_at"], ca=typed["created_at"], ua=typed["updated_at"]
        ).select(unread.alias("unread"))["unread"]
        if check.any():
            odd.extend(item for item, bad in zip(fitting, check, strict=True) if bad)
            typed = typed.filter(~check)
        frames.append(typed)
    if odd:
        rows = [number_row(item, enterprise_id, run_id, collected_at) for item in odd]
        frames.append(shape.frame(rows, NUMBER_SCHEMA))
    return pl.concat(frames) if frames else pl.DataFrame(schema=NUMBER_SCHEMA)


class NumberTyper:
    """Types a listing's numbers as its pages arrive: every `every` pages on a worker thread
    (polars does the bulk), so typing overlaps the requests still in flight and leaves the
    event loop free. One call per run of pages costs a third of the CPU of one per page.

    Pass :meth:`add` as ``fetch_all(..., on_page=...)``, then await :meth:`frame`.
    """

    def __init__(
        self, enterprise_id: str, run_id: int, collected_at: datetime, every: int = 32
    ) -> None:
        self._args = (enterprise_id, run_id, collected_at)
        self._every = every
        self._items: list[Any] = []
        self._pages = 0
        self._runs: list[asyncio.Future[pl.DataFrame]] = []

    def add(self, page: Any) -> None:
        """Take one page's items (in listing order); type them once `every` pages are in."""
        self._items.extend(page.items)
        self._pages += 1
        if self._pages % self._every == 0:
            self._start()

    async def frame(self) -> pl.DataFrame:
        """Every item added, typed, in order (as :func:`numbers_frame` over all of them)."""
        self._start()
        frames = await asyncio.gather(*self._runs)
        return pl.concat(frames) if frames else pl.DataFrame(schema=NUMBER_SCHEMA)

    def _start(self) -> None:
        if self._items:
            items, self._items = self._items, []
            run = asyncio.to_thread(numbers_frame, items, *self._args)
            self._runs.append(asyncio.ensure_future(run))


def _timestamp(column: pl.Expr) -> pl.Expr:
    """Parsed to UTC; null when unreadable or, in UTC, outside years 1-9999 (as the slow path)."""
    parsed = column.str.to_datetime(_ISO_8601, strict=False, time_zone="UTC", time_unit="us")
    return pl.when(parsed.dt.year().is_between(1, 9999)).then(parsed)


def _extra(item: dict[str, Any]) -> str:
    """The fields beyond the documented ones of a record that has some, as
    :func:`number_row` keeps them in ``extra``."""
    rep = item.get("reputation_data")
    unknown = {k: v for k, v in item.items() if k not in _NUMBER_KEYS}
    if rep is not None and (
        extra_rep := {k: v for k, v in rep.items() if k not in _REPUTATION_KEYS}
    ):
        unknown["reputation_data"] = extra_rep
    return shape.as_json(unknown)


def _extra_column(fitting: list[dict[str, Any]], extras: list[int]) -> pl.Series:
    """The ``extra`` column: null but where a record has fields beyond the documented ones."""
    column: list[str | None] = [None] * len(fitting)
    for at in extras:
        column[at] = _extra(fitting[at])
    return pl.Series("extra", column, pl.Utf8)


_EXTRA = 2  # what _fits returns for a fitting record with fields beyond the documented ones


def _fits(item: Any, enterprise_id: str) -> int:
    """Whether a record has the documented shape and values: 0 if not, 1 if so, and
    ``_EXTRA`` if so beside unknown fields (which :func:`_extra` then collects).

    Runs once per record, holding the GIL while the event loop waits: written out test by
    test (no generator expressions, methods bound once), it costs half of the loop form.
    """
    if type(item) is not dict:
        return 0
    get = item.get
    owner = get("enterprise_id")
    if owner is not None and owner != enterprise_id:
        return 0
    phone = get("phone_number")
    if type(phone) is not str or _E164(phone) is None:
        return 0
    if (
        type(get("id")) not in _TEXT
        or type(get("created_at")) not in _TEXT
        or type(get("updated_at")) not in _TEXT
        or type(get("record_type")) not in _TEXT
    ):
        return 0
    known = item.keys() <= _NUMBER_KEYS
    rep = get("reputation_data")
    if rep is None:
        return 1 if known else _EXTRA
    if type(rep) is not dict:
        return 0
    get = rep.get
    risk = get("spam_risk")
    if (
        type(risk) not in _TEXT  # first: a list or an object cannot be looked up in a set
        or risk not in _RISK_OR_NULL
        or type(get("spam_category")) not in _TEXT
        or type(get("last_refreshed_at")) not in _TEXT
    ):
        return 0
    for key in SCORES:
        value = get(key)
        if value is not None and (type(value) is not int or not 0 <= value <= 100):
            return 0
    return 1 if known and rep.keys() <= _REPUTATION_KEYS else _EXTRA


_TEXT = frozenset({str, type(None)})  # the types a text field may have
_E164 = shape.US_E164.match
_RISK_OR_NULL = frozenset({*SPAM_RISKS, None})
