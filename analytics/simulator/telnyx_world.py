"""The simulated Telnyx account: enterprises, reputation settings and monitored numbers.

Per-number state is one ``__slots__`` object (scores as a 4-list, a target level ``mu`` the
scores revert to, flag bits), so 100k numbers build in about a second. Scores only move when
the enterprise's ``check_frequency`` says Telnyx refreshed them; ``spam_risk`` is derived
from the scores at serving time, so it can never disagree with them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from analytics.simulator import clock
from analytics.simulator._util import rng_for, uuid_from
from analytics.simulator.telnyx_data import (
    BUSINESSES,
    ENTERPRISE_PLAN,
    EXTRA_FREQUENCIES,
    INDUSTRIES,
    MALFORMED_KINDS,
    MARKUP_CATEGORY,
    NPAS,
    REJECTION_REASONS,
    SPAM_CATEGORIES,
)
from analytics.simulator.telnyx_remediation import Remediation

# flag bits on Num.flags
EXTRA = 1  # carries fields the docs do not list
PINNED = 2  # never removed (shared with Plivo, markup, malformed)
MEDIUM_FLAGGED = 4  # shows a spam_category while medium
BUMP = 8  # remediated: jumps towards mu at the next refresh
FLIPPER = 16  # mu toggles between high and low risk
STICKY = 32  # never submitted for remediation
WEIGHTS = (1, 1, 2, 2)  # maturity, connection, engagement, sentiment


class Num:
    """One monitored number (compact)."""

    __slots__ = ("created", "ent", "flags", "i", "id", "kind", "mu", "phone", "refreshed", "scores")

    def __init__(self, i: int, id_: str, phone: str, ent: int, created: datetime) -> None:
        self.i = i
        self.id = id_
        self.phone = phone
        self.ent = ent
        self.created = created
        self.scores: list[int | None] = [None, None, None, None]
        self.mu = 70
        self.refreshed: datetime | None = None
        self.flags = 0
        self.kind = 0  # 1-based index into MALFORMED_KINDS, 0 = well formed

    def refresh_time(self, day: date) -> datetime:
        """When this number's refresh runs on ``day`` (00:30-04:30 UTC, per number)."""
        return clock.at(day, 1800 + (self.i * 2654435761) % 14400, (self.i * 7919) % 1_000_000)


def spam_risk(scores: list[int | None]) -> str | None:
    """``high``/``medium``/``low`` from the weighted mean of the non-null scores."""
    total = weight = 0
    for value, w in zip(scores, WEIGHTS, strict=True):
        if value is not None:
            total += value * w
            weight += w
    if not weight:
        return None
    mean = total / weight
    return "high" if mean < 35 else "medium" if mean < 55 else "low"


@dataclass
class Enterprise:
    idx: int
    kind: str
    info: dict[str, Any]
    settings: dict[str, Any] | None
    anchor: date
    numbers: list[Num] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.info["id"]

    @property
    def monitoring(self) -> bool:
        s = self.settings
        return bool(s and s["status"] == "approved" and s["loa_status"] == "approved")


class TelnyxWorld:
    """Expected Telnyx data; the API module serves exactly what these methods return."""

    def __init__(
        self, seed: int, start: date, numbers: int, enterprises: int, malformed: bool
    ) -> None:
        self.seed = seed
        self.today = start
        self._serial = 0
        self._phones: set[str] = set()
        self.by_phone: dict[str, Num] = {}
        rng = rng_for(seed, "telnyx-build")
        self.enterprises_: list[Enterprise] = [
            self._make_enterprise(k, rng, start) for k in range(max(1, enterprises))
        ]
        self.by_id = {e.id: e for e in self.enterprises_}
        active = [e for e in self.enterprises_ if e.monitoring]
        weights = [5, 3] + [2] * max(0, len(active) - 2)
        total_w = sum(weights[: len(active)])
        left = numbers
        for pos, ent in enumerate(active):
            share = left if pos == len(active) - 1 else numbers * weights[pos] // total_w
            left -= share
            for _ in range(share):
                self._new_number(ent, rng, start, initial=True)
            ent.numbers.sort(key=lambda n: (n.created, n.i))
        self.scenario: dict[str, Any] = {
            "enterprises": {e.kind: e.id for e in self.enterprises_},
            "markup_number": None,
            "malformed_numbers": [],
        }
        if active and active[0].numbers:
            n = active[0].numbers[0]
            n.flags |= PINNED | STICKY
            n.mu, n.kind = 20, 0
            n.scores = [22, 25, 18, 15]
            n.refreshed = n.refreshed or n.refresh_time(start - timedelta(days=3))
            self.markup_cat = {n.i: MARKUP_CATEGORY}
            self.scenario["markup_number"] = n.phone
        else:
            self.markup_cat = {}
        if malformed and active:
            for k in range(len(MALFORMED_KINDS)):
                n = self._new_number(active[0], rng, start, initial=True)
                n.kind = k + 1
                n.flags |= PINNED | STICKY
                n.refreshed = n.refresh_time(start - timedelta(days=1))
                n.scores = [60, 61, 62, 63]
                self.scenario["malformed_numbers"].append(n.phone)
        self.remediation = Remediation(self, seed)
        self.remediation.seed_history(start)

    # ----- construction -------------------------------------------------------------
    def _make_enterprise(self, k: int, rng: random.Random, start: date) -> Enterprise:
        if k < len(ENTERPRISE_PLAN):
            kind, status, loa, freq, enabled = ENTERPRISE_PLAN[k]
        else:
            freq = EXTRA_FREQUENCIES[(k - len(ENTERPRISE_PLAN)) % len(EXTRA_FREQUENCIES)]
            kind, status, loa, enabled = f"approved_{freq}_{k}", "approved", "approved", True
        legal, dba, legal_type, state, city, postal = BUSINESSES[k % len(BUSINESSES)]
        if k >= len(BUSINESSES):
            legal, dba = f"{legal} {k}", f"{dba} {k}"
        eid = uuid_from(rng)
        created = clock.at(start - timedelta(days=400 - 7 * k), rng.randrange(86400))
        updated = created + timedelta(days=rng.randrange(1, 60), seconds=rng.randrange(86400))
        domain = dba.lower().replace(" ", "") + ".example.com"
        address = {
            "country": "US",
            "administrative_area": state,
            "city": city,
            "postal_code": postal,
            "street_address": f"{100 + 10 * k} Main St",
        }
        info = {
            "id": eid,
            "record_type": "enterprise",
            "legal_name": legal,
            "doing_business_as": dba,
            "organization_type": "commercial",
            "organization_legal_type": legal_type,
            "country_code": "US",
            "jurisdiction_of_incorporation": "Delaware",
            "website": f"https://{domain}",
            "fein": f"{rng.randrange(10, 99)}-{rng.randrange(1000000, 9999999)}",
            "industry": INDUSTRIES[k % len(INDUSTRIES)],
            "number_of_employees": "51-200",
            "organization_contact": {
                "first_name": "Sam",
                "last_name": "Owner",
                "email": f"compliance@{domain}",
                "job_title": "Compliance Lead",
                "phone_number": f"+1312555{1000 + k:04d}",
            },
            "billing_contact": {
                "first_name": "Alex",
                "last_name": "Bill",
                "email": f"billing@{domain}",
                "phone_number": f"+1312555{2000 + k:04d}",
            },
            "organization_physical_address": address,
            "billing_address": dict(address),
            "created_at": clock.iso_z(created),
            "updated_at": clock.iso_z(updated),
        }
        settings = None
        if enabled:
            s_created = updated + timedelta(days=2)
            settings = {
                "enterprise_id": eid,
                "status": status,
                "loa_status": loa,
                "check_frequency": freq,
                "loa_document_id": uuid_from(rng),
                "rejection_reasons": list(REJECTION_REASONS) if status == "rejected" else None,
                "created_at": clock.iso_z(s_created),
                "updated_at": clock.iso_z(s_created + timedelta(minutes=rng.randrange(5, 90))),
            }
        return Enterprise(k, kind, info, settings, anchor=start - timedelta(days=2 + k))

    def _new_phone(self, rng: random.Random) -> str:
        while True:
            npa = NPAS[rng.randrange(len(NPAS))]
            phone = f"+1{npa}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _new_number(self, ent: Enterprise, rng: random.Random, day: date, initial: bool) -> Num:
        self._serial += 1
        if initial:
            back = 0 if rng.random() < 0.01 else rng.randrange(1, 365)
            secs = rng.randrange(6 * 3600 if back == 0 else 86400)
            created = clock.at(day - timedelta(days=back), secs, rng.randrange(1_000_000))
        else:
            # 04:30-06:00, after the day's refreshes
            created = clock.at(day, 16200 + rng.randrange(5400), rng.randrange(1_000_000))
        n = Num(self._serial, uuid_from(rng), self._new_phone(rng), ent.idx, created)
        roll = rng.random()
        if roll < 0.06:
            n.mu = rng.randrange(12, 32)
        elif roll < 0.10:
            n.mu = rng.choice((28, 62))
            n.flags |= FLIPPER
        elif roll < 0.22:
            n.mu = rng.randrange(42, 60)
        else:
            n.mu = rng.randrange(60, 92)
        if rng.random() < 0.3:
            n.flags |= MEDIUM_FLAGGED
        if rng.random() < 0.03:
            n.flags |= EXTRA
        all_null = rng.random() < 0.005
        n.scores = [
            None
            if all_null or rng.random() < 0.03
            else max(0, min(100, n.mu + rng.randrange(-12, 13)))
            for _ in range(4)
        ]
        if initial:
            settings = ent.settings or {}
            last = clock.last_refresh_on_or_before(
                settings.get("check_frequency", ""), day, ent.anchor
            )
            if last is None and settings.get("check_frequency") == "never":
                last = (created + timedelta(days=1)).date()
            if last is not None and created < n.refresh_time(last) <= clock.now_of(day):
                n.refreshed = n.refresh_time(last)
        ent.numbers.append(n)
        self.by_phone[n.phone] = n
        return n

    # ----- evolution ----------------------------------------------------------------
    def advance_to(self, day: date) -> None:
        """Move one day forward to ``day``: refresh, remediation, churn."""
        self.today = day
        for ent in self.enterprises_:
            if not ent.monitoring:
                continue
            if clock.refresh_due(ent.settings["check_frequency"], day, ent.anchor):  # type: ignore[index]
                rng = rng_for(self.seed, "telnyx-refresh", ent.idx, day)
                for n in ent.numbers:
                    if n.created < n.refresh_time(day):
                        self.refresh(n, rng, n.refresh_time(day))
        self.remediation.advance_to(day)
        for ent in self.enterprises_:
            if ent.monitoring:
                self._churn(ent, day)

    def refresh(self, n: Num, rng: random.Random, when: datetime) -> None:
        """One Telnyx refresh of ``n``: scores take a mean-reverting random step."""
        if n.flags & FLIPPER and rng.random() < 0.25:
            n.mu = 90 - n.mu
        elif not n.flags & STICKY and rng.random() < 0.004:
            n.mu = rng.randrange(12, 32)  # something happened: the number goes bad
        bits = rng.getrandbits(32)
        bump = n.flags & BUMP
        mu = n.mu
        sc = n.scores
        for k in range(4):
            v = sc[k]
            if v is None:
                continue
            if bump:
                v = (v + mu) // 2 + 8
            v += (mu - v) // 5 + ((bits >> (8 * k)) & 0xFF) % 15 - 7
            sc[k] = 0 if v < 0 else 100 if v > 100 else v
        n.flags &= ~BUMP
        n.refreshed = when

    def _churn(self, ent: Enterprise, day: date) -> None:
        rng = rng_for(self.seed, "telnyx-churn", ent.idx, day)
        size = len(ent.numbers)
        removals = int(size * 0.001 * rng.random() * 2 + rng.random())
        if removals and size > 10:
            doomed: set[int] = set()
            for _ in range(removals):
                n = ent.numbers[rng.randrange(size)]
                if not n.flags & PINNED:
                    doomed.add(n.i)
            if doomed:
                self.remove_where(ent, lambda n: n.i in doomed)
        adds = int(size * 0.002 * rng.random() * 2 + rng.random() * 1.5)
        for _ in range(adds):
            self._new_number(ent, rng, day, initial=False)

    def remove_where(self, ent: Enterprise, pred: Any) -> list[Num]:
        gone = [n for n in ent.numbers if pred(n)]
        if gone:
            ent.numbers = [n for n in ent.numbers if not pred(n)]
            for n in gone:
                self.by_phone.pop(n.phone, None)
        return gone

    def add_number(self, ent: Enterprise, phone: str, when: datetime) -> Num:
        """A number registered through the API (``reputation_data`` null until refreshed)."""
        self._serial += 1
        rng = rng_for(self.seed, "telnyx-api-add", phone)
        n = Num(self._serial, uuid_from(rng), phone, ent.idx, when)
        n.mu = rng.randrange(55, 90)
        n.scores = [max(0, min(100, n.mu + rng.randrange(-10, 11))) for _ in range(4)]
        self._phones.add(phone)
        ent.numbers.append(n)
        self.by_phone[phone] = n
        return n

    def pin(self, count: int) -> list[str]:
        """Mark ``count`` numbers (with data) as never-removed and return them (for Plivo)."""
        out: list[str] = []
        for ent in self.enterprises_:
            for n in ent.numbers:
                if len(out) >= count:
                    return out
                if n.refreshed is not None and not n.kind and not n.flags & PINNED:
                    n.flags |= PINNED
                    out.append(n.phone)
        return out

    # ----- views (API shapes) -------------------------------------------------------
    def enterprises(self) -> list[dict[str, Any]]:
        return [dict(e.info) for e in self.enterprises_]

    def settings(self, enterprise_id: str) -> dict[str, Any] | None:
        ent = self.by_id.get(enterprise_id)
        return dict(ent.settings) if ent and ent.settings else None

    def numbers(self, enterprise_id: str) -> list[dict[str, Any]]:
        ent = self.by_id.get(enterprise_id)
        return [self.number_json(n) for n in ent.numbers] if ent else []

    def remediation_requests(self, enterprise_id: str) -> list[dict[str, Any]]:
        return self.remediation.details(enterprise_id)

    def number_json(self, n: Num) -> dict[str, Any]:
        ent = self.enterprises_[n.ent]
        rd: Any = None
        if n.refreshed is not None:
            sc = n.scores
            risk = spam_risk(sc)
            cat = None
            if risk == "high" or (risk == "medium" and n.flags & MEDIUM_FLAGGED):
                cat = SPAM_CATEGORIES[self.markup_cat.get(n.i, n.i % MARKUP_CATEGORY)]
            rd = {
                "spam_risk": risk,
                "spam_category": cat,
                "maturity_score": sc[0],
                "connection_score": sc[1],
                "engagement_score": sc[2],
                "sentiment_score": sc[3],
                "last_refreshed_at": clock.iso_z(n.refreshed),
            }
            if n.flags & EXTRA:
                rd["data_source"] = "hiya"
        updated = n.refreshed if n.refreshed is not None and n.refreshed > n.created else n.created
        out = {
            "id": n.id,
            "enterprise_id": ent.id,
            "phone_number": n.phone,
            "reputation_data": rd,
            "created_at": clock.iso_z(n.created),
            "updated_at": clock.iso_z(updated),
        }
        if n.flags & EXTRA:
            out["registration_status"] = "registered"
        if n.kind:
            _break(out, MALFORMED_KINDS[n.kind - 1])
        return out


def _break(out: dict[str, Any], kind: str) -> None:
    rd = out["reputation_data"] or {}
    if kind == "score_150":
        rd["maturity_score"] = 150
    elif kind == "score_string":
        rd["engagement_score"] = "abc"
    elif kind == "spam_risk_severe":
        rd["spam_risk"] = "severe"
    elif kind == "phone_number_short":
        out["phone_number"] = "12345"
    elif kind == "reputation_data_list":
        out["reputation_data"] = [rd]
