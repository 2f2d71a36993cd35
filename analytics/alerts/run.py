"""One alert run: evaluate every rule against the latest build, move the episodes, deliver.

The rules read the weekly report's staged tables for the ISO week of the latest successful
collection (its last run of each source), so an alert and the report's action tables always
agree. A rule whose sources have no collection in that week is not judged: its episodes stay
as they are rather than being announced resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics.alerts import digest, episodes
from analytics.alerts.episodes import Item, Pending
from analytics.alerts.rules import Match, Rule, evaluate, rules
from analytics.config import Pricing
from analytics.errors import StoreError
from analytics.models import is_stale
from analytics.notify import Delivery, Destination, deliver
from analytics.report import context
from analytics.report.accounts import read_by_readers, scope, scope_episodes
from analytics.report.coverage import collected_weeks, latest_collection, missing_sources
from analytics.report.weeks import IsoWeek
from analytics.store.database import builder, open_readonly
from analytics.store.location import lake_from_env
from analytics.store.transaction import first_line


@dataclass
class AlertRun:
    """What a run found and told: every item, each destination's digest and how it went."""

    rules: tuple[Rule, ...]
    items: list[Item]
    owed: dict[str, list[Pending]]  # destination key -> what it had not been told
    deliveries: list[Delivery] = field(default_factory=list)
    not_judged: dict[str, str] = field(default_factory=dict)  # rule id -> why
    dry_run: bool = False
    destinations: tuple[Destination, ...] = ()
    models_stale: bool = False  # a collection (or a change) since the last build

    @property
    def new_announced(self) -> int:
        """Openings announced (or, in a dry run, to be announced); without a destination,
        the episodes this run opened (announced on stdout only)."""
        if not self.destinations:
            return sum(1 for i in self.items if i.status == "new")
        ok = {d.destination.key for d in self.deliveries if d.ok}
        keys = set(self.owed) if self.dry_run else ok
        return sum(1 for k in keys for p in self.owed.get(k, []) if p.kind == "opened")

    def title(self, rule_id: str) -> str:
        return next((r.title for r in self.rules if r.rule_id == rule_id), rule_id)


def _evaluate(con: duckdb.DuckDBPyConnection, now: datetime) -> tuple[list[Match], list[str], dict]:
    """Every rule's matches now (on the accounts ``con`` is scoped to, see report.accounts)."""
    latest = latest_collection(con)
    week = IsoWeek.of((latest or now).astimezone(UTC).date())
    missing = missing_sources(collected_weeks(con), week)
    params = {**context.stage(con, week), "now": now}
    matches: list[Match] = []
    evaluated: list[str] = []
    not_judged: dict[str, str] = {}
    for rule in rules():
        absent = [missing[s] for s in rule.sources if s in missing]
        if absent:
            not_judged[rule.rule_id] = " ".join(absent)
            continue
        matches += evaluate(con, rule, params)
        evaluated.append(rule.rule_id)
    return matches, evaluated, not_judged


def _run(
    con: duckdb.DuckDBPyConnection,
    destinations: Sequence[Destination],
    now: datetime,
    *,
    dry_run: bool,
    pricing: Pricing,
    accounts: Sequence[str],
) -> AlertRun:
    try:
        scope(con, accounts, read_by_readers())
        scope_episodes(con)
        matches, evaluated, not_judged = _evaluate(con, now)
        episodes.stage(con, matches, evaluated, now)
    except duckdb.CatalogException as err:
        raise StoreError(
            f"the database lacks what the alerts read ({first_line(err)}); run `callrep build`"
        ) from None
    result = AlertRun(
        rules=rules(),
        items=episodes.items(con, matches),
        owed={d.key: episodes.pending(con, d.key) for d in destinations},
        not_judged=not_judged,
        dry_run=dry_run,
        destinations=tuple(destinations),
        models_stale=is_stale(con, pricing=pricing),
    )
    if dry_run:
        return result
    episodes.record(con)
    by_item = {(m.rule_id, m.subject): m for m in matches}
    for destination in destinations:
        owed = result.owed[destination.key]
        if not owed:
            continue
        title, body = digest.digest(result.rules, owed, by_item)
        delivery = deliver(destination, title, body)
        result.deliveries.append(delivery)
        if delivery.ok:
            episodes.announced(con, destination.key, owed, now)
    return result


def run_alerts(
    db_path: Path,
    destinations: Sequence[Destination] = (),
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    pricing: Pricing | None = None,
    accounts: Sequence[str] = (),
) -> AlertRun:
    """Evaluate, record and deliver (under the writer lock, then publish the read-only copy).

    ``dry_run`` reads the published copy, sends nothing and records nothing. ``now`` (default:
    the clock) is the run's time: the episodes' and announcements' times, and what "26 hours
    without a successful collection" counts from. ``pricing`` (the settings the models were
    built with) only decides whether the build is stale, which the result reports.
    ``accounts`` (default: all): judge, record and announce only these accounts' episodes; an
    account without a collection run is an :class:`InputError`.
    """
    now = now or datetime.now(UTC)
    pricing = pricing or Pricing()
    if lake_from_env() is None and not db_path.exists():
        raise StoreError(f"no callrep database at {db_path}; run `callrep collect` first")
    if dry_run:
        con = open_readonly(db_path)
        try:
            return _run(con, destinations, now, dry_run=True, pricing=pricing, accounts=accounts)
        finally:
            con.close()
    with builder(db_path, "alerts") as store:  # one at a time on a DuckLake too
        with store.connection() as con:
            result = _run(con, destinations, now, dry_run=False, pricing=pricing, accounts=accounts)
        store.publish()
    return result
