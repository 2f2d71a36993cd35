"""Remediation requests in the simulated Telnyx account.

A request's ``status`` is a pure function of its timeline and the clock: ``pending`` when
created, ``in_progress`` once tier 1 is done (next day), then its fate (``completed`` with
tier 2 the day after, or ``failed``/``cancelled``). ``results`` (chosen at creation) are
revealed on completion; each number sits in exactly one bucket, and
``phone_numbers_count >= submitted + ineligible`` (a few batches had numbers cancelled).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from analytics.simulator import clock
from analytics.simulator._util import rng_for, uuid_from
from analytics.simulator.telnyx_data import CALL_PURPOSES

if TYPE_CHECKING:
    from analytics.simulator.telnyx_world import Enterprise, TelnyxWorld

BUCKETS = ("remediated", "not_flagged", "requires_review", "ineligible", "refused")
FINAL = ("completed", "failed", "cancelled")


@dataclass
class Request:
    id: str
    ent: int
    created: datetime
    fate: str
    call_purpose: str
    contact_email: str | None
    webhook_url: str | None
    outcome: dict[str, str]  # phone -> bucket
    extra_count: int = 0
    applied: bool = False
    t1: datetime = field(init=False)
    t2: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.t1 = self.created + timedelta(days=1, minutes=17)
        self.t2 = self.t1 + timedelta(days=1, minutes=32)

    def status(self, now: datetime) -> str:
        if self.fate == "cancelled":
            return "cancelled" if now >= self.t1 else "pending"
        if now >= self.t2:
            return self.fate
        return "in_progress" if now >= self.t1 else "pending"

    def in_flight(self, now: datetime) -> bool:
        return self.status(now) not in FINAL

    def slim(self, now: datetime) -> dict[str, Any]:
        status = self.status(now)
        tier1 = self.t1 if status in ("in_progress", "completed", "failed") else None
        tier2 = self.t2 if status == "completed" else None
        updated = {"pending": self.created, "cancelled": self.t1, "in_progress": self.t1}.get(
            status, self.t2
        )
        submitted = sum(1 for b in self.outcome.values() if b != "ineligible")
        return {
            "id": self.id,
            "status": status,
            "phone_numbers_count": len(self.outcome) + self.extra_count,
            "call_purpose": self.call_purpose,
            "created_at": clock.iso_z(self.created),
            "updated_at": clock.iso_z(updated),
            "tier1_completed_at": clock.iso_z(tier1) if tier1 else None,
            "tier2_completed_at": clock.iso_z(tier2) if tier2 else None,
            "_submitted": submitted,
        }

    def detail(self, now: datetime) -> dict[str, Any]:
        out = self.slim(now)
        submitted = out.pop("_submitted")
        results = None
        if out["status"] == "completed":
            results = {b: [] for b in BUCKETS}
            for phone, bucket in self.outcome.items():
                results[bucket].append(phone)
        return {
            "id": out["id"],
            "status": out["status"],
            "phone_numbers_count": out["phone_numbers_count"],
            "phone_numbers_submitted": submitted,
            "phone_numbers_ineligible": len(self.outcome) - submitted,
            "call_purpose": self.call_purpose,
            "contact_email": self.contact_email,
            "webhook_url": self.webhook_url,
            "created_at": out["created_at"],
            "updated_at": out["updated_at"],
            "tier1_completed_at": out["tier1_completed_at"],
            "tier2_completed_at": out["tier2_completed_at"],
            "results": results,
        }


class Remediation:
    """All remediation requests, per enterprise, newest first when listed."""

    def __init__(self, world: TelnyxWorld, seed: int) -> None:
        self.world = world
        self.seed = seed
        self.requests: dict[int, list[Request]] = {}

    def _ent_requests(self, ent_idx: int) -> list[Request]:
        return self.requests.setdefault(ent_idx, [])

    def seed_history(self, start: date) -> None:
        """Backdated requests so a fresh world already shows every status."""
        plan = (
            (9, "completed"),
            (6, "failed"),
            (4, "cancelled"),
            (3, "completed"),
            (1, "completed"),
            (0, "completed"),
        )
        for ent in [e for e in self.world.enterprises_ if e.monitoring][:2]:
            rng = rng_for(self.seed, "telnyx-remediation-history", ent.idx)
            for back, fate in plan:
                self._create_auto(ent, start - timedelta(days=back), rng, fate)
            self._apply(start)

    def advance_to(self, day: date) -> None:
        for ent in self.world.enterprises_:
            if not ent.monitoring:
                continue
            rng = rng_for(self.seed, "telnyx-remediation", ent.idx, day)
            if rng.random() < 0.35:
                self._create_auto(ent, day, rng, None)
        self._apply(day)

    def _apply(self, day: date) -> None:
        """Completed requests clear their remediated numbers at the next refresh."""
        now = clock.now_of(day)
        from analytics.simulator.telnyx_world import BUMP

        for reqs in self.requests.values():
            for req in reqs:
                if not req.applied and not req.in_flight(now):
                    req.applied = True
                    if req.status(now) != "completed":
                        continue
                    for phone, bucket in req.outcome.items():
                        n = self.world.by_phone.get(phone)
                        if n is not None and bucket == "remediated":
                            n.mu = max(n.mu, 72)
                            n.flags |= BUMP

    def _create_auto(
        self, ent: Enterprise, day: date, rng: random.Random, fate: str | None
    ) -> None:
        from analytics.simulator.telnyx_world import STICKY, spam_risk

        nums = ent.numbers
        if not nums:
            return
        now = clock.now_of(day)
        busy = {p for r in self._ent_requests(ent.idx) if r.in_flight(now) for p in r.outcome}
        sample = [nums[rng.randrange(len(nums))] for _ in range(min(3000, len(nums)))]
        high = []
        seen: set[str] = set()
        for n in sample:
            if n.phone in busy or n.phone in seen or n.flags & STICKY or n.refreshed is None:
                continue
            if spam_risk(n.scores) == "high":
                high.append(n.phone)
                seen.add(n.phone)
        if not high:
            return
        picked = high[: rng.randrange(1, 12)]
        outcome: dict[str, str] = {}
        for phone in picked:
            r = rng.random()
            outcome[phone] = (
                "remediated"
                if r < 0.55
                else "requires_review"
                if r < 0.75
                else "refused"
                if r < 0.88
                else "ineligible"
            )
        calm = next(
            (
                n.phone
                for n in sample
                if n.phone not in busy
                and n.phone not in outcome
                and spam_risk(n.scores) == "low"
                and not n.flags & STICKY
            ),
            None,
        )
        if calm and rng.random() < 0.4:
            outcome[calm] = "not_flagged"
        if fate is None:
            r = rng.random()
            fate = "completed" if r < 0.86 else "failed" if r < 0.93 else "cancelled"
        created = clock.at(day, 3600 + rng.randrange(3 * 3600), rng.randrange(1_000_000))
        self._add(ent, created, fate, outcome, rng, extra=1 if rng.random() < 0.15 else 0)

    def _add(
        self,
        ent: Enterprise,
        created: datetime,
        fate: str,
        outcome: dict[str, str],
        rng: random.Random,
        extra: int = 0,
        **fields: Any,
    ) -> Request:
        dba = ent.info["doing_business_as"].lower().replace(" ", "")
        req = Request(
            id=uuid_from(rng),
            ent=ent.idx,
            created=created,
            fate=fate,
            call_purpose=fields.get("call_purpose")
            or CALL_PURPOSES[rng.randrange(len(CALL_PURPOSES))],
            contact_email=fields.get("contact_email", f"ops@{dba}.example.com"),
            webhook_url=fields.get("webhook_url"),
            outcome=outcome,
            extra_count=extra,
        )
        self._ent_requests(ent.idx).append(req)
        return req

    def submit(
        self, ent: Enterprise, phones: list[str], body: dict[str, Any], now: datetime
    ) -> Request:
        """A request created through the API (``POST .../remediation``)."""
        rng = rng_for(
            self.seed, "telnyx-remediation-api", ent.idx, now, len(self._ent_requests(ent.idx))
        )
        from analytics.simulator.telnyx_world import spam_risk

        outcome = {}
        for p in phones:
            n = self.world.by_phone[p]
            outcome[p] = (
                "remediated" if spam_risk(n.scores) in ("high", "medium") else "not_flagged"
            )
        return self._add(ent, now, "completed", outcome, rng, **body)

    def busy(self, ent: Enterprise, now: datetime) -> set[str]:
        return {p for r in self._ent_requests(ent.idx) if r.in_flight(now) for p in r.outcome}

    def listed(self, ent_idx: int) -> list[Request]:
        return sorted(self._ent_requests(ent_idx), key=lambda r: r.created, reverse=True)

    def find(self, ent_idx: int, req_id: str) -> Request | None:
        return next((r for r in self._ent_requests(ent_idx) if r.id == req_id), None)

    def details(self, enterprise_id: str) -> list[dict[str, Any]]:
        ent = self.world.by_id.get(enterprise_id)
        if ent is None:
            return []
        now = clock.now_of(self.world.today)
        return [r.detail(now) for r in self.listed(ent.idx)]
