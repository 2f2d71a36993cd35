"""Plivo records → typed rows for the landing tables, with shape flags.

Numbers arrive without the ``+`` (``"14155550123"``) and are stored in E.164 so they join
with Telnyx numbers. Carrier statuses outside the documented four, a missing carrier entry
and carriers other than ``att``/``tmobile`` are kept as they came and flagged; unknown
carriers (and unknown keys inside a carrier entry) go to ``extra``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import phonenumbers
import polars as pl

from analytics.collectors import shape

CARRIERS = ("att", "tmobile")
STATUSES = frozenset({"PENDING", "ACTIVE", "FAILED", "NOT_ENROLLED"})
FINAL_STATUSES = frozenset({"ACTIVE", "FAILED"})
REPUTATION_SWITCH = frozenset({"enabled", "disabled"})
EIN = re.compile(r"^\d{2}-?\d{7}$")

# The Caller Reputation fields, documented on the single-number GET only.
REPUTATION_KEYS = frozenset(
    {
        "caller_reputation",
        "caller_reputation_status",
        "caller_reputation_by_carrier",
        "profile_uuid",
    }
)
# Keys of a Plivo account phone number object (list and detail), from the SDKs and docs.
_NUMBER_KEYS = frozenset(
    {
        "api_id",
        "added_on",
        "alias",
        "application",
        "carrier",
        "city",
        "compliance_application_id",
        "compliance_status",
        "country",
        "mms_enabled",
        "mms_rate",
        "monthly_rental_rate",
        "number",
        "number_type",
        "region",
        "renewal_date",
        "resource_uri",
        "sms_enabled",
        "sms_rate",
        "sub_account",
        "tendlc_campaign_id",
        "tendlc_registration_status",
        "toll_free_sms_verification",
        "voice_enabled",
        "voice_rate",
        *REPUTATION_KEYS,
    }
)
_CARRIER_KEYS = frozenset({"status", "updated_at"})
_PROFILE_KEYS = frozenset(
    {
        "profile_uuid",
        "ein",
        "ein_issuing_country",
        "company_name",
        "profile_alias",
        "profile_type",
        "primary_profile",
        "entity_type",
        "vertical",
        "address",
        "website",
        "authorized_contact",
        "created_at",
        "alt_business_id",
        "alt_business_id_type",
        "customer_type",
        "stock_symbol",
        "stock_exchange",
        "plivo_subaccount",
        "business_contact_email",
        "number_of_employees",
    }
)
_CALLER_ID_KEYS = frozenset(
    {"phone_number", "alias", "country", "verification_uuid", "created_at", "modified_at",
     "subaccount", "api_id"}
)  # fmt: skip

_TS = pl.Datetime("us", "UTC")
_FLAGS = pl.List(pl.Utf8)
_COMMON = {"extra": pl.Utf8, "flags": _FLAGS, "raw": pl.Utf8}

NUMBER_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "collected_at": _TS,
    "number": pl.Utf8,
    "alias": pl.Utf8,
    "number_type": pl.Utf8,
    "region": pl.Utf8,
    "country": pl.Utf8,
    "added_on": pl.Date,
    "monthly_rental_rate": pl.Decimal(12, 5),
    "profile_uuid": pl.Utf8,
    "caller_reputation": pl.Utf8,
    "merged_status": pl.Utf8,
    "att_status": pl.Utf8,
    "att_updated_at": _TS,
    "tmobile_status": pl.Utf8,
    "tmobile_updated_at": _TS,
    **_COMMON,
}

PROFILE_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "collected_at": _TS,
    "profile_uuid": pl.Utf8,
    "ein": pl.Utf8,
    "ein_issuing_country": pl.Utf8,
    "company_name": pl.Utf8,
    "profile_alias": pl.Utf8,
    "entity_type": pl.Utf8,
    "vertical": pl.Utf8,
    "website": pl.Utf8,
    "address": pl.Utf8,
    "authorized_contact": pl.Utf8,
    "created_at": _TS,
    **_COMMON,
}

CALLER_ID_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "collected_at": _TS,
    "phone_number": pl.Utf8,
    "alias": pl.Utf8,
    "country": pl.Utf8,
    "verification_uuid": pl.Utf8,
    "created_at": _TS,
    **_COMMON,
}


def e164(value: Any, key: str, flags: list[str]) -> str | None:
    """A phone number in E.164 with the ``+``; one that does not parse is kept as it came.

    Plivo writes numbers without the ``+`` (``"14155550123"``); both forms are accepted.
    """
    if value is None:
        flags.append(f"{key}: missing")
        return None
    if not isinstance(value, str):
        flags.append(f"{key}: expected a string, got {type(value).__name__}")
        value = json.dumps(value)
    digits = value.strip()
    try:
        parsed = phonenumbers.parse(digits if digits.startswith("+") else f"+{digits}", None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        flags.append(f"{key}: not a phone number: {value[:40]!r}")
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def carries_reputation(item: Any) -> bool:
    """Whether a list item already holds the Caller Reputation fields (no detail GET needed)."""
    return isinstance(item, Mapping) and "caller_reputation_by_carrier" in item


def number_row(
    item: Any, detail: Any, run_id: int, collected_at: datetime, *, detail_error: str | None = None
) -> dict[str, Any]:
    """One number: the list item, overlaid with its single-number GET (``detail``) if any."""
    flags: list[str] = []
    row: dict[str, Any] = {"run_id": run_id, "collected_at": collected_at}
    if detail_error:
        flags.append(detail_error)
    if not isinstance(item, Mapping):
        flags.append(f"record: expected an object, got {type(item).__name__}")
        return {**row, "flags": flags, "raw": shape.as_json(item)}
    record: dict[str, Any] = dict(item)
    if detail is not None:
        if isinstance(detail, Mapping):
            record.update(detail)
        else:
            flags.append(f"detail: expected an object, got {type(detail).__name__}")
    row["number"] = e164(record.get("number"), "number", flags)
    row["alias"] = shape.text(record, "alias", flags)
    row["number_type"] = shape.text(record, "number_type", flags)
    row["region"] = shape.text(record, "region", flags)
    row["country"] = shape.text(record, "country", flags)
    row["added_on"] = shape.day(record, "added_on", flags)
    row["monthly_rental_rate"] = shape.decimal(record, "monthly_rental_rate", flags)
    row["profile_uuid"] = shape.text(record, "profile_uuid", flags)
    row["caller_reputation"] = shape.enum(record, "caller_reputation", REPUTATION_SWITCH, flags)
    row["merged_status"] = shape.enum(record, "caller_reputation_status", STATUSES, flags)
    unknown: dict[str, Any] = {k: v for k, v in record.items() if k not in _NUMBER_KEYS}
    unknown_carriers = _carriers(record, row, flags)
    if unknown_carriers:
        unknown["caller_reputation_by_carrier"] = unknown_carriers
    if unknown:
        row["extra"] = shape.as_json(unknown)
    return shape.finish(row, flags, record if detail is None else {"list": item, "detail": detail})


def _carriers(record: Mapping[str, Any], row: dict[str, Any], flags: list[str]) -> dict[str, Any]:
    """Fill ``<carrier>_status``/``_updated_at``; return what does not fit a typed column."""
    key = "caller_reputation_by_carrier"
    by_carrier = record.get(key)
    if not by_carrier and record.get("caller_reputation") == "disabled":
        return {}  # never enrolled: no carrier entries expected
    if by_carrier is None:
        flags.append(f"{key}: missing")
        return {}
    if not isinstance(by_carrier, Mapping):
        flags.append(f"{key}: expected an object, got {type(by_carrier).__name__}")
        return {"_value": by_carrier}
    leftovers: dict[str, Any] = {}
    for carrier in CARRIERS:
        entry = by_carrier.get(carrier)
        if entry is None:
            flags.append(f"{key}.{carrier}: missing")
            continue
        if not isinstance(entry, Mapping):
            flags.append(f"{key}.{carrier}: expected an object, got {type(entry).__name__}")
            leftovers[carrier] = entry
            continue
        sub: list[str] = [] if entry.get("status") is not None else ["status: missing"]
        row[f"{carrier}_status"] = shape.enum(entry, "status", STATUSES, sub)
        row[f"{carrier}_updated_at"] = shape.timestamp(entry, "updated_at", sub)
        flags.extend(f"{key}.{carrier}.{reason}" for reason in sub)
        odd = {k: v for k, v in entry.items() if k not in _CARRIER_KEYS}
        if odd:
            leftovers[carrier] = odd  # e.g. a `reason`, documented only on the enable response
    for carrier, entry in by_carrier.items():
        if carrier not in CARRIERS:
            flags.append(f"{key}: unknown carrier {str(carrier)[:40]!r}")
            leftovers[str(carrier)] = entry
    return leftovers


def profile_row(item: Any, run_id: int, collected_at: datetime) -> dict[str, Any]:
    """One business profile; the EIN is kept exactly as it came (odd values flagged)."""
    flags: list[str] = []
    row: dict[str, Any] = {"run_id": run_id, "collected_at": collected_at}
    if not isinstance(item, Mapping):
        flags.append(f"record: expected an object, got {type(item).__name__}")
        return {**row, "flags": flags, "raw": shape.as_json(item)}
    row["profile_uuid"] = shape.text(item, "profile_uuid", flags)
    if row["profile_uuid"] is None:
        flags.append("profile_uuid: missing")
    row["ein"] = _ein(item.get("ein"), flags)
    for name in ("ein_issuing_country", "company_name", "profile_alias", "entity_type",
                 "vertical", "website"):  # fmt: skip
        row[name] = shape.text(item, name, flags)
    for name in ("address", "authorized_contact"):
        row[name] = _nested(item, name, flags)
    row["created_at"] = shape.timestamp(item, "created_at", flags)
    row["extra"] = shape.extra(item, _PROFILE_KEYS)
    return shape.finish(row, flags, item)


def _ein(value: Any, flags: list[str]) -> str | None:
    if value is None or value == "":
        flags.append("ein: missing")
        return value
    if not isinstance(value, str):
        flags.append(f"ein: expected a string, got {type(value).__name__}")
        return json.dumps(value)
    if not EIN.match(value):
        flags.append(f"ein: not 9 digits: {value[:40]!r}")
    return value


def _nested(item: Mapping[str, Any], key: str, flags: list[str]) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        flags.append(f"{key}: expected an object, got {type(value).__name__}")
    return shape.as_json(value)


def caller_id_row(item: Any, run_id: int, collected_at: datetime) -> dict[str, Any]:
    """One verified caller ID."""
    flags: list[str] = []
    row: dict[str, Any] = {"run_id": run_id, "collected_at": collected_at}
    if not isinstance(item, Mapping):
        flags.append(f"record: expected an object, got {type(item).__name__}")
        return {**row, "flags": flags, "raw": shape.as_json(item)}
    row["phone_number"] = e164(item.get("phone_number"), "phone_number", flags)
    row["alias"] = shape.text(item, "alias", flags)
    row["country"] = shape.text(item, "country", flags)
    row["verification_uuid"] = shape.text(item, "verification_uuid", flags)
    row["created_at"] = shape.timestamp(item, "created_at", flags)
    row["extra"] = shape.extra(item, _CALLER_ID_KEYS)
    return shape.finish(row, flags, item)
