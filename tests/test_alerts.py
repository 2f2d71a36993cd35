"""Alert episodes across simulated collections: open, repeat, close, reopen; each opening
announced once per destination, a failed delivery retried by the next run, and the state
kept in the database (keyless, append-only rows) with destinations stored as hashes only."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from analytics.alerts import run_alerts
from analytics.alerts.rules import rules
from analytics.config import Pricing
from analytics.models import build
from analytics.notify import load_destinations
from analytics.orchestration import build_and_publish
from analytics.orchestration.collect import collect
from analytics.orchestration.demo import demo_settings
from analytics.simulator import Simulator
from analytics.store.database import connect
from analytics.store.schema import migrate
from tests.alert_helpers import TOKEN, webhook
from tests.conftest import Landing

UNLIMITED = (10**6, 1.0)


def _rows(db: Path, sql: str) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


class Days:
    """A simulated account collected once a day, built, then alerted on."""

    def __init__(self, tmp_path: Path, destinations: list) -> None:
        self.sim = Simulator(
            seed=5, telnyx_numbers=40, plivo_numbers=10, plivo_rate_limit=UNLIMITED
        )
        self.db = tmp_path / "callrep.duckdb"
        self.good = demo_settings(self.sim, self.db)
        telnyx = self.good.account("telnyx")
        assert telnyx is not None
        wrong_key = replace(telnyx, api_key="not-the-sim-key")
        self.bad = replace(
            self.good,
            accounts=tuple(wrong_key if a is telnyx else a for a in self.good.accounts),
        )
        self.destinations = destinations
        self.transport = self.sim.transport()

    def collect(self, *, telnyx_fails: bool = False):
        settings = self.bad if telnyx_fails else self.good
        outcomes = collect(settings, transport=self.transport, collected_at=self.sim.now)
        status = {o.source: o.status for o in outcomes}
        assert status["telnyx"] == ("failed" if telnyx_fails else "succeeded")
        build_and_publish(self.db, settings.pricing)
        return run_alerts(self.db, self.destinations, now=self.sim.now)

    def next_day(self, **kwargs):
        self.sim.advance(1)
        return self.collect(**kwargs)


def _of(run, rule: str) -> dict[str, str]:
    """The rule's items by subject, without the account every subject names first (here the
    single account, ``default``)."""
    items = {i.subject: i.status for i in run.items if i.rule == rule}
    assert all(s.startswith("default / ") for s in items)
    return {s.removeprefix("default / "): status for s, status in items.items()}


def test_episodes_open_repeat_close_and_reopen_announced_once(tmp_path):
    with webhook() as hook, webhook() as flaky:
        flaky.status = 500
        destinations = load_destinations(
            {"CALLREP_NOTIFY": f"{hook.url()} {flaky.url('Fl4kyS3cretT0ken99')}"}
        )
        days = Days(tmp_path, destinations)

        first = days.collect()
        high = {
            s
            for (s,) in _rows(
                days.db, "select phone_number from number_overview where spam_risk = 'high'"
            )
        }
        assert high and set(_of(first, "number-high")) == high  # the rule is the mart's state
        assert set(_of(first, "number-high").values()) == {"new"}
        assert len(hook.bodies) == 1 and not flaky.bodies
        assert [d.ok for d in first.deliveries] == [True, False]
        assert first.new_announced == len([i for i in first.items if i.status == "new"])

        again = run_alerts(days.db, destinations, now=days.sim.now)  # a re-run the same day
        assert set(_of(again, "number-high").values()) == {"open"}
        assert len(hook.bodies) == 1  # nothing announced twice

        flaky.status = 200  # the failed destination is told on the next run
        failed = days.next_day(telnyx_fails=True)
        assert _of(failed, "collection-failed") == {"telnyx": "new"}
        assert (
            len(hook.bodies) == 2 and "Collections that failed: 1 open (1 new)" in hook.messages[1]
        )
        assert "Numbers high risk" not in hook.messages[1]
        assert len(flaky.bodies) == 1
        for subject in high:
            assert subject in flaky.messages[0]  # the opening it missed, delivered now

        repeat = days.next_day(telnyx_fails=True)
        assert _of(repeat, "collection-failed") == {"telnyx": "open"}
        assert _of(repeat, "data-stale").get("telnyx") == "new"  # 48 h since the last success

        recovered = days.next_day()
        assert _of(recovered, "collection-failed") == {"telnyx": "resolved"}
        assert _of(recovered, "data-stale").get("telnyx") == "resolved"
        last = hook.messages[-1]
        assert (
            "Collections that failed: 1 resolved" in last and "resolved  default / telnyx" in last
        )

        reopened = days.next_day(telnyx_fails=True)
        assert _of(reopened, "collection-failed") == {"telnyx": "new"}

    episodes = _rows(
        days.db,
        "select episode_id, opened_at, closed_at from alert_episodes "
        "left join alert_episode_closings using (episode_id) "
        "where rule = 'collection-failed' order by opened_at",
    )
    assert len(episodes) == 2 and len({e[0] for e in episodes}) == 2
    assert episodes[0][2] is not None and episodes[1][2] is None  # closed, then open again
    duplicated = _rows(
        days.db,
        "select episode_id, destination_sha256, kind, count(*) from alert_announcements "
        "group by all having count(*) > 1",
    )
    assert duplicated == []
    keys = {
        k for (k,) in _rows(days.db, "select distinct destination_sha256 from alert_announcements")
    }
    assert keys == {d.key for d in destinations}
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)  # SHA-256 hex, never the URL
    stored = " ".join(
        str(v)
        for table in ("alert_episodes", "alert_episode_closings", "alert_announcements")
        for row in _rows(days.db, f"select * from {table}")
        for v in row
    )
    assert TOKEN not in stored and "Fl4kyS3cretT0ken99" not in stored and "127.0.0.1" not in stored
    assert TOKEN.encode() not in days.db.read_bytes()


def test_every_rule_is_a_state_with_a_next_step():
    ids = [r.rule_id for r in rules()]
    assert ids == [
        "number-high",
        "score-drift",
        "carrier-failed",
        "registration-overdue",
        "enterprise-gate",
        "remediation-review",
        "registered-but-high",
        "collection-failed",
        "data-stale",
    ]
    # "newly high" is no rule of its own: it is the opening of a number-high episode
    assert not any(r.path.name == "action_newly_high.sql" for r in rules())


def test_the_alert_tables_have_no_key_constraint_or_sequence(tmp_path):
    con = connect(tmp_path / "fresh.duckdb")
    try:
        migrate(con)
        constraints = con.execute(
            "select table_name, constraint_type from duckdb_constraints() "
            "where table_name like 'alert_%' and constraint_type <> 'NOT NULL'"
        ).fetchall()
        defaults = con.execute(
            "select table_name, column_name, column_default from duckdb_columns() "
            "where table_name like 'alert_%' and column_default is not null"
        ).fetchall()
    finally:
        con.close()
    assert constraints == [] and defaults == []  # no key, no nextval(): ids are callrep's UUIDs


def _landed(db: Path, fill) -> None:
    """Add hand-written landing rows (tests/conftest.py's Landing), then build the models."""
    with connect(db) as con:
        migrate(con)
        fill(Landing(con))
        build(con, Pricing())


def _alert(db: Path, at: str):
    return run_alerts(db, now=datetime.fromisoformat(at).replace(tzinfo=UTC))


def test_a_rule_is_not_judged_in_a_week_without_its_source(tmp_path):
    db = tmp_path / "given.duckdb"
    high, low = "+12025550101", "+12025550102"

    def week_46(landing: Landing) -> None:
        telnyx = landing.run("2026-11-10T06:00:00")
        landing.telnyx_enterprise(telnyx)
        landing.telnyx_risks(telnyx, {high: "high", low: "low"})
        plivo = landing.run("2026-11-10T06:05:00", source="plivo")
        landing.plivo_numbers(plivo, [{"number": high, "att_status": "ACTIVE"}])

    _landed(db, week_46)
    first = _alert(db, "2026-11-10T07:00:00")
    assert _of(first, "number-high") == {high: "new"}
    assert _of(first, "registered-but-high") == {high: "new"}

    # week 47: only Plivo collected; Telnyx's states are not judged, so nothing is "resolved"
    _landed(db, lambda landing: landing.run("2026-11-17T06:05:00", source="plivo"))
    plivo_only = _alert(db, "2026-11-17T07:00:00")
    assert _of(plivo_only, "number-high") == {high: "open"}
    assert (
        "number-high" in plivo_only.not_judged
        and "No Telnyx collection" in (plivo_only.not_judged["number-high"])
    )
    assert _of(plivo_only, "data-stale").get("telnyx") == "new"

    def telnyx_back(landing: Landing) -> None:
        telnyx = landing.run("2026-11-17T08:00:00")
        landing.telnyx_enterprise(telnyx)
        landing.telnyx_risks(telnyx, {high: "low", low: "low"})

    _landed(db, telnyx_back)
    cleared = _alert(db, "2026-11-17T09:00:00")
    assert _of(cleared, "number-high") == {high: "resolved"}
    assert _of(cleared, "registered-but-high") == {high: "resolved"}
    assert _of(cleared, "data-stale").get("telnyx") == "resolved"

    # a collection after the last build: the alerts judge the build, and say it is behind
    assert not cleared.models_stale
    with connect(db) as con:
        Landing(con).run("2026-11-17T10:00:00", source="plivo")
    assert _alert(db, "2026-11-17T11:00:00").models_stale
