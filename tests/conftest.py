"""Shared fixtures for the SQL model tests: a real DuckDB file migrated to the landing schema,
helpers to write hand-made runs and snapshot rows, and a one-call build.

    def test_something(landing, build_models, rows):
        run = landing.run("2026-03-02T06:00:00")                  # a succeeded Telnyx run
        landing.telnyx_numbers(run, [{"phone_number": "+12025550101", "spam_risk": "high"}])
        build_models()                                             # runner.build(con, Pricing())
        assert rows("select * from spam_risk_daily") == [...]

Every helper fills unspecified NOT NULL columns with neutral defaults and takes
``collected_at`` from the run, so a test writes only the columns its rule is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import settings

from analytics.collectors.telnyx_records import phone_key
from analytics.config import DEFAULT_ACCOUNT, Pricing
from analytics.store.database import connect
from analytics.store.schema import migrate

# Hypothesis judges examples by what they find, never by how long one took: on a loaded CI
# machine a 200 ms per-example deadline made correct tests fail.
settings.register_profile("callrep", deadline=None)
settings.load_profile("callrep")

ENTERPRISE = "ent-1"


def ts(value: str | datetime) -> datetime:
    """An ISO timestamp (naive means UTC) as an aware UTC datetime."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


class Landing:
    """Writes hand-made rows into the landing tables of one connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def run(
        self,
        at: str | datetime,
        *,
        source: str = "telnyx",
        status: str = "succeeded",
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Add a ``collection_runs`` row of ``account``; return its run_id."""
        when = ts(at)
        values = {"source": source, "started_at": when, "collected_at": when}
        values |= {"finished_at": when, "status": status}
        if self._has_account("collection_runs"):
            values["account"] = account
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        row = self.con.execute(
            f"insert into collection_runs (run_id, {names}) "
            f"select coalesce(max(run_id), 0) + 1, {marks} from collection_runs returning run_id",
            list(values.values()),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert dict rows into ``table`` by column name (missing columns are null, the
        account is the default one: the append-only tables have no column defaults)."""
        account = {"account": DEFAULT_ACCOUNT} if self._has_account(table) else {}
        for row in rows:
            row = {**account, **row}
            names = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            self.con.execute(
                f"insert into {table} ({names}) values ({marks})",
                [ts(v) if isinstance(v, datetime) else v for v in row.values()],
            )

    def _has_account(self, table: str) -> bool:
        """Whether ``table`` has the ``account`` column (schema version 5 on)."""
        return self._has_column(table, "account")

    def _has_column(self, table: str, column: str) -> bool:
        found = self.con.execute(
            "select count(*) from duckdb_columns() where table_name = ? and column_name = ?"
            " and database_name = current_database()",
            [table, column],
        ).fetchone()
        return bool(found and found[0])

    def _collected_at(self, run_id: int) -> datetime:
        row = self.con.execute(
            "select collected_at from collection_runs where run_id = ?", [run_id]
        ).fetchone()
        assert row is not None, f"no run {run_id}"
        return row[0]

    def telnyx_numbers(self, run_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        """Snapshot rows for ``telnyx_number_snapshots``. Defaults: enterprise ``ent-1``,
        reputation data present, risk ``low``, all four scores 50, and the phone key the
        collector lands (None for a number it would not type)."""
        at = self._collected_at(run_id)
        keyed = self._has_column("telnyx_number_snapshots", "phone_key")  # version 7 on
        full = []
        for row in rows:
            base: dict[str, Any] = {
                "run_id": run_id,
                "collected_at": at,
                "enterprise_id": ENTERPRISE,
                "has_reputation_data": True,
                "spam_risk": "low",
                "maturity_score": 50,
                "connection_score": 50,
                "engagement_score": 50,
                "sentiment_score": 50,
                "last_refreshed_at": at,
            }
            full.append({**base, **row})
            if keyed:
                full[-1].setdefault("phone_key", phone_key(full[-1].get("phone_number")))
        self.insert("telnyx_number_snapshots", full)

    def telnyx_risks(self, run_id: int, risks: Mapping[str, str | None], **common: Any) -> None:
        """Shorthand: ``{phone_number: spam_risk}`` for one run."""
        self.telnyx_numbers(
            run_id, [{"phone_number": p, "spam_risk": r, **common} for p, r in risks.items()]
        )

    def telnyx_enterprise(
        self, run_id: int, enterprise_id: str = ENTERPRISE, **values: Any
    ) -> None:
        """One ``telnyx_enterprise_snapshots`` row (approved, daily refresh by default)."""
        row = {
            "run_id": run_id,
            "collected_at": self._collected_at(run_id),
            "enterprise_id": enterprise_id,
            "reputation_enabled": True,
            "status": "approved",
            "loa_status": "approved",
            "check_frequency": "daily",
            **values,
        }
        self.insert("telnyx_enterprise_snapshots", [row])

    def remediation_request(self, request_id: str, run_id: int, **values: Any) -> None:
        """One ``telnyx_remediation_requests`` row (completed, enterprise ``ent-1``)."""
        at = self._collected_at(run_id)
        row = {
            "request_id": request_id,
            "enterprise_id": ENTERPRISE,
            "status": "completed",
            "has_results": True,
            "last_seen_run_id": run_id,
            "detail_run_id": run_id,
            "collected_at": at,
            **values,
        }
        self.insert("telnyx_remediation_requests", [row])

    def remediation_results(
        self, request_id: str, run_id: int, buckets: Mapping[str, Sequence[str]]
    ) -> None:
        """``{bucket: [phone_number, ...]}`` rows for ``telnyx_remediation_results``."""
        self.insert(
            "telnyx_remediation_results",
            [
                {"request_id": request_id, "phone_number": p, "bucket": b, "run_id": run_id}
                for b, phones in buckets.items()
                for p in phones
            ],
        )

    def plivo_numbers(self, run_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows for ``plivo_number_snapshots`` (collected_at from the run)."""
        at = self._collected_at(run_id)
        self.insert(
            "plivo_number_snapshots", [{"run_id": run_id, "collected_at": at, **r} for r in rows]
        )

    def plivo_profiles(self, run_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows for ``plivo_profile_snapshots`` (collected_at from the run)."""
        at = self._collected_at(run_id)
        self.insert(
            "plivo_profile_snapshots", [{"run_id": run_id, "collected_at": at, **r} for r in rows]
        )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A DuckDB file migrated to the current landing schema."""
    path = tmp_path / "callrep.duckdb"
    con = connect(path)
    try:
        migrate(con)
    finally:
        con.close()
    return path


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open connection on :func:`db_path`."""
    connection = connect(db_path)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def landing(con: duckdb.DuckDBPyConnection) -> Landing:
    """Helpers that write hand-made rows through ``con`` (see :class:`Landing`)."""
    return Landing(con)


@pytest.fixture
def build_models(con: duckdb.DuckDBPyConnection) -> Callable[..., Any]:
    """``build_models(pricing=None, full=False)`` runs the model runner on ``con``."""
    from analytics.models import build

    def run(pricing: Pricing | None = None, *, full: bool = False) -> Any:
        return build(con, pricing or Pricing(), full=full)

    return run


@pytest.fixture
def rows(con: duckdb.DuckDBPyConnection) -> Callable[..., list[dict[str, Any]]]:
    """``rows(sql, params=None)`` → list of dicts."""

    def query(sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cursor = con.execute(sql, list(params or []))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    return query
