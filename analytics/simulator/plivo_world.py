"""The simulated Plivo account: rented numbers, business profiles, verified caller IDs.

Carrier registration is lazy: each enrolled number stores, per carrier, its final status and
when it is reached; the status at any moment is computed from the clock, so ``advance`` only
handles the day's events (enrolments, rentals, releases) and 10k numbers cost nothing per day.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from analytics.simulator import clock
from analytics.simulator._util import rng_for, uuid_from
from analytics.simulator.plivo_data import ALIASES, AREAS, PROFILES, REASONS, TOLLFREE

CARRIERS = ("att", "tmobile")
_NPAS = sorted(AREAS)


def merged_status(statuses: list[str]) -> str:
    """Plivo's merge: any ACTIVE, else any PENDING, else any FAILED, else NOT_ENROLLED."""
    for s in ("ACTIVE", "PENDING", "FAILED"):
        if s in statuses:
            return s
    return "NOT_ENROLLED"


class PNum:
    """One rented number; ``plan[carrier] = (final status, when reached)``."""

    __slots__ = (
        "added",
        "alias",
        "changed_at",
        "enabled_at",
        "ntype",
        "number",
        "plan",
        "profile",
        "released",
        "tag",
    )

    def __init__(self, number: str, ntype: str, added: date, alias: str | None) -> None:
        self.number = number
        self.ntype = ntype
        self.added = added
        self.alias = alias
        self.profile = -1
        self.enabled_at: datetime | None = None
        self.changed_at: datetime | None = None  # last enable/disable
        self.plan: dict[str, tuple[str, datetime]] = {}
        self.released: date | None = None
        self.tag = ""  # scenario label; tagged numbers are left alone by random events

    def carrier(self, name: str, now: datetime) -> tuple[str, datetime | None]:
        if self.enabled_at is None or name not in self.plan:
            return "NOT_ENROLLED", self.changed_at
        final, when = self.plan[name]
        if final == "PENDING" or now < when:
            return "PENDING", self.enabled_at
        return final, when


class PlivoWorld:
    """Expected Plivo data; the API module serves exactly what these methods return."""

    def __init__(
        self,
        seed: int,
        start: date,
        count: int,
        auth_id: str,
        shared: list[str],
        taken: set[str],
        verified_shared: list[str],
    ) -> None:
        self.seed = seed
        self.today = start
        self.auth_id = auth_id
        self._taken = set(taken)
        rng = rng_for(seed, "plivo-build")
        self.profiles_ = [self._profile(k, p, rng, start) for k, p in enumerate(PROFILES)]
        self.pidx = {p[0]: k for k, p in enumerate(PROFILES)}
        self.nums: list[PNum] = []
        self.by_number: dict[str, PNum] = {}
        self._released: list[dict[str, Any]] = []
        self.scenario: dict[str, Any] = {
            "profiles": {p[0]: self.profiles_[k]["profile_uuid"] for k, p in enumerate(PROFILES)}
        }
        self._build(rng, start, count, shared)
        self.verified = self._verified(rng, start, verified_shared)

    # ----- construction -------------------------------------------------------------
    def _profile(
        self, k: int, spec: tuple[Any, ...], rng: random.Random, start: date
    ) -> dict[str, Any]:
        key, company, ein, website, vertical, entity, (street, city, state, zip_), dated = spec
        domain = (website or f"https://{key}.example.com").split("//")[1]
        out: dict[str, Any] = {
            "profile_uuid": uuid_from(rng),
            "profile_alias": f"{company.split()[0].lower()}-{key}",
            "profile_type": "PRIMARY" if k == 0 else "SECONDARY",
            "primary_profile": "",
            "customer_type": "DIRECT",
            "entity_type": entity,
            "company_name": company,
            "ein": ein,
            "ein_issuing_country": "US",
            "vertical": vertical,
            "stock_symbol": "",
            "stock_exchange": "",
            "alt_business_id_type": "NONE",
            "website": website or "",
            "address": {
                "street": street,
                "city": city,
                "state": state,
                "postal_code": zip_,
                "country": "US",
            },
            "authorized_contact": {
                "first_name": "Jordan",
                "last_name": "Lee",
                "phone": f"+1312555{3000 + k:04d}",
                "email": f"compliance@{domain}",
                "title": "Operations Manager",
                "seniority": "DIRECTOR",
            },
        }
        if dated:
            created = clock.at(
                start - timedelta(days=300 - 20 * k), rng.randrange(86400), rng.randrange(10**6)
            )
            out["created_at"] = clock.iso_z(created)
        return out

    def _new_number(self, rng: random.Random, added: date, tollfree: bool = False) -> PNum:
        while True:
            npa = rng.choice(TOLLFREE) if tollfree else rng.choice(_NPAS)
            number = f"1{npa}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
            if f"+{number}" not in self._taken:
                self._taken.add(f"+{number}")
                break
        return self._rent(number, "tollfree" if tollfree else "local", added, rng)

    def _rent(self, number: str, ntype: str, added: date, rng: random.Random) -> PNum:
        n = PNum(number, ntype, added, ALIASES[rng.randrange(len(ALIASES))])
        self.nums.append(n)
        self.by_number[number] = n
        return n

    def _enable(
        self,
        n: PNum,
        profile: int,
        when: datetime,
        rng: random.Random,
        att: str = "ACTIVE",
        tmobile: str = "ACTIVE",
    ) -> None:
        """Enrol ``n``; finals reached within 2 business days (``PENDING`` final = stuck)."""
        n.profile, n.enabled_at, n.changed_at = profile, when, when
        n.plan = {}
        for name, final in (("att", att), ("tmobile", tmobile)):
            day = clock.add_business_days(when.date(), rng.choice((1, 1, 2)))
            n.plan[name] = (final, clock.at(day, 3600 + rng.randrange(4 * 3600)))

    def _build(self, rng: random.Random, start: date, count: int, shared: list[str]) -> None:
        def past(days: int) -> datetime:
            return clock.at(start - timedelta(days=days), 7200 + rng.randrange(3 * 3600))

        main, dental = self.pidx["main"], self.pidx["dental"]
        for k, phone in enumerate(shared):
            n = self._rent(phone[1:], "local", start - timedelta(days=200 + k), rng)
            self._enable(n, main if k % 2 == 0 else dental, past(120), rng)
            n.tag = "shared"
        scripted = [
            ("hidden_failure", "no_website", "FAILED", "ACTIVE", 20),
            ("hidden_failure_pending", "no_website", "FAILED", "PENDING", 30),
            ("stuck_pending", "dental", "PENDING", "PENDING", 25),
            ("odd_ein", "odd_ein", "FAILED", "FAILED", 15),
            ("released", "released", "ACTIVE", "ACTIVE", 60),
            ("enabling_yesterday", "main", "ACTIVE", "ACTIVE", 1),
            ("enabling_today", "dental", "ACTIVE", "ACTIVE", 0),
        ]
        for tag, pkey, att, tmo, back in scripted:
            n = self._new_number(rng, start - timedelta(days=back + 30))
            when = past(back) if back else clock.at(start, 3600)
            self._enable(n, self.pidx[pkey], when, rng, att, tmo)
            n.tag = tag
            self.scenario[tag] = n.number
        while len(self.nums) < count:
            n = self._new_number(
                rng, start - timedelta(days=rng.randrange(30, 700)), rng.random() < 0.1
            )
            roll = rng.random()
            if roll < 0.15:
                continue  # never enrolled: caller_reputation disabled, NOT_ENROLLED
            if roll < 0.2:
                self._enable(n, main, past(rng.randrange(40, 200)), rng)
                n.enabled_at, n.changed_at = (
                    None,
                    past(rng.randrange(5, 39)),
                )  # enrolled, then disabled
                continue
            self._enable(n, main if roll < 0.7 else dental, past(rng.randrange(10, 300)), rng)
        self._plan_release(start)

    def _plan_release(self, start: date) -> None:
        """Release the ``released`` business's only number; re-enable a week later, same month."""
        r = start + timedelta(days=2)
        if (r + timedelta(days=7)).month != r.month:
            r = (r.replace(day=1) + timedelta(days=32)).replace(day=2)
        self.scenario["released_on"] = r.isoformat()
        self.scenario["reenabled_on"] = (r + timedelta(days=7)).isoformat()
        self.scenario["reenabled"] = None

    def _verified(self, rng: random.Random, start: date, shared: list[str]) -> list[dict[str, Any]]:
        phones = [(p, "US") for p in shared]
        while len(phones) < len(shared) + 3:
            p = f"+1{rng.choice(_NPAS)}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
            if p not in self._taken:
                self._taken.add(p)
                phones.append((p, "US"))
        phones.append((f"+4420{rng.randrange(10**7, 10**8)}", "GB"))
        out = []
        for k, (phone, country) in enumerate(phones):
            created = clock.at(start - timedelta(days=90 + 11 * k), rng.randrange(86400))
            out.append(
                {
                    "phone_number": phone,
                    "alias": (
                        "Front desk",
                        "Owner mobile",
                        "Call center",
                        "Warehouse",
                        "Dispatch",
                        "London office",
                        "Backup line",
                    )[k % 7],
                    "country": country,
                    "verification_uuid": uuid_from(rng),
                    "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{rng.randrange(10**9):09d}Z",
                }
            )
        return out

    # ----- evolution ----------------------------------------------------------------
    def advance_to(self, day: date) -> None:
        self.today = day
        rng = rng_for(self.seed, "plivo-day", day)
        when = clock.at(day, 7200 + rng.randrange(3 * 3600))
        if day.isoformat() == self.scenario["released_on"]:
            n = self.by_number.get(self.scenario["released"])
            if n is not None:
                self.release(n, day)
        if day.isoformat() == self.scenario["reenabled_on"]:
            n = self._new_number(rng, day)
            self._enable(n, self.pidx["released"], when, rng)
            n.tag = "reenabled"
            self.scenario["reenabled"] = n.number
        if clock.is_business_day(day) and rng.random() < 0.3:
            idle = [n for n in self.nums if n.enabled_at is None and not n.tag]
            if idle:
                n = idle[rng.randrange(len(idle))]
                late_fail = rng.random() < 0.1
                self._enable(
                    n, self.pidx["main"], when, rng, att="FAILED" if late_fail else "ACTIVE"
                )
        if rng.random() < 0.15:
            self._new_number(rng, day, rng.random() < 0.1)
        if rng.random() < 0.08:
            spare = [n for n in self.nums if not n.tag and n.profile in (-1, self.pidx["main"])]
            if len(spare) > 5:
                self.release(spare[rng.randrange(len(spare))], day)

    def release(self, n: PNum, day: date) -> None:
        n.released = day
        self.nums.remove(n)
        del self.by_number[n.number]
        profile = self.profiles_[n.profile]["profile_uuid"] if n.profile >= 0 else None
        self._released.append(
            {
                "number": n.number,
                "alias": n.alias,
                "profile_uuid": profile,
                "released_on": day.isoformat(),
                "tag": n.tag,
            }
        )

    # ----- views (API shapes) -------------------------------------------------------
    def list_item(self, n: PNum, with_reputation: bool = False) -> dict[str, Any]:
        npa = n.number[1:4]
        city, state = AREAS.get(npa, (None, None))
        renewal = n.added + timedelta(days=30 * ((self.today - n.added).days // 30 + 1))
        out: dict[str, Any] = {
            "added_on": n.added.isoformat(),
            "alias": n.alias,
            "application": None,
            "carrier": "Plivo",
            "city": city,
            "compliance_application_id": None,
            "compliance_status": None,
            "country": "United States",
            "mms_enabled": n.ntype == "local",
            "mms_rate": "0.00000",
            "monthly_rental_rate": "0.50000" if n.ntype == "local" else "1.00000",
            "number": n.number,
            "number_type": n.ntype,
            "region": f"{state}, UNITED STATES" if state else "UNITED STATES",
            "renewal_date": renewal.isoformat(),
            "resource_uri": f"/v1/Account/{self.auth_id}/Number/{n.number}/",
            "sms_enabled": True,
            "sms_rate": "0.00000",
            "sub_account": None,
            "tendlc_campaign_id": None,
            "tendlc_registration_status": None,
            "toll_free_sms_verification": None,
            "voice_enabled": True,
            "voice_rate": "0.00850" if n.ntype == "local" else "0.02200",
        }
        if with_reputation:
            out.update(self.reputation(n))
        return out

    def reputation(self, n: PNum) -> dict[str, Any]:
        now = clock.now_of(self.today)
        by_carrier = {}
        for name in ("tmobile", "att"):
            status, when = n.carrier(name, now)
            by_carrier[name] = {
                "status": status,
                "updated_at": clock.iso_z(when, micros=False) if when else None,
            }
        return {
            "caller_reputation": "enabled" if n.enabled_at is not None else "disabled",
            "caller_reputation_status": merged_status([c["status"] for c in by_carrier.values()]),
            "caller_reputation_by_carrier": by_carrier,
            "profile_uuid": self.profiles_[n.profile]["profile_uuid"]
            if n.enabled_at is not None and n.profile >= 0
            else None,
        }

    def numbers(self) -> list[dict[str, Any]]:
        return [self.list_item(n, with_reputation=True) for n in self.nums]

    def profiles(self) -> list[dict[str, Any]]:
        return [dict(p) for p in self.profiles_]

    def verified_caller_ids(self) -> list[dict[str, Any]]:
        return [dict(v) for v in self.verified]

    def released(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._released]

    def profile_problem(self, profile: int) -> str | None:
        key = PROFILES[profile][0]
        return key if key in REASONS else None
