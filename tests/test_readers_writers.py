"""A reader holding the main file never costs a collection its fetched data (issue 10 part 5).

The reader is another process with a read-only DuckDB connection on the main file (a notebook
that ignored the published copy). The writer waits for it, reporting the wait; if it is still
held, the fetched batches go to ``<name>.pending/`` and the next writer lands them first, in
order, exactly once.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.config import Settings, load_settings
from analytics.errors import ConfigError, StoreError
from analytics.models import build
from analytics.orchestration.collect import collect
from analytics.simulator.core import Simulator
from analytics.store.database import WAIT_ENV, connect, writer
from analytics.store.landing import Batch
from analytics.store.pending import entries_in, pending_dir, save
from analytics.store.runs import RunCounts, begin_run, list_runs

START = datetime(2026, 11, 2, 6, tzinfo=UTC)
TABLES = ("raw_responses", "telnyx_number_snapshots", "plivo_number_snapshots")


def _settings(sim: Simulator, tmp_path: Path) -> Settings:
    config = tmp_path / "callrep.toml"
    config.write_text("[plivo]\nrate = 100000\nperiod_seconds = 1.0\n")
    return load_settings(
        env={
            "TELNYX_API_KEY": sim.telnyx_api_key,
            "TELNYX_BASE_URL": "http://telnyx.sim/v2",
            "PLIVO_AUTH_ID": sim.plivo_auth_id,
            "PLIVO_AUTH_TOKEN": sim.plivo_auth_token,
            "PLIVO_BASE_URL": "http://plivo.sim/v1",
            "CALLREP_DB": str(tmp_path / "t.duckdb"),
            "CALLREP_CONFIG": str(config),
        }
    )


def _sim() -> Simulator:
    return Simulator(seed=5, start=START, telnyx_numbers=120, telnyx_enterprises=3)


def _hold(path: str, ready: Any, release: Any, writer_too: bool) -> None:
    """Another process: a read-only reader on the main file (or a writer mid-build)."""
    if writer_too:
        with writer(Path(path), "build"), connect(path):
            ready.set()
            release.wait(30)
        return
    con = duckdb.connect(path, read_only=True)
    ready.set()
    release.wait(30)
    con.close()


class Holder:
    """Runs :func:`_hold` in a forked process until :meth:`release`."""

    def __init__(self, path: Path, *, writer_too: bool = False) -> None:
        ctx = multiprocessing.get_context("fork")
        self.ready, self.done = ctx.Event(), ctx.Event()
        self.process = ctx.Process(
            target=_hold, args=(str(path), self.ready, self.done, writer_too)
        )

    def __enter__(self) -> Holder:
        self.process.start()
        assert self.ready.wait(20)
        return self

    def release(self) -> None:
        self.done.set()
        self.process.join(20)

    def __exit__(self, *exc: object) -> None:
        self.release()


class ReaderArrives(httpx.AsyncBaseTransport):
    """The simulator, with a reader opening the main file at the first request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, holder: Holder) -> None:
        self.inner, self.holder, self.started = inner, holder, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.started:
            self.started = True
            self.holder.__enter__()
        return await self.inner.handle_async_request(request)


def _counts(path: Path) -> dict[str, Any]:
    con = connect(path, read_only=True)
    try:
        found: dict[str, Any] = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES
        }
        found["runs"] = con.execute(
            "select source, status, records, flagged from collection_runs order by run_id"
        ).fetchall()
        for table in ("telnyx_number_snapshots", "plivo_number_snapshots"):
            found[f"{table} rows"] = con.execute(  # run ids differ between databases
                f"select * exclude (run_id) from {table} order by all"
            ).fetchall()
        return found
    finally:
        con.close()


def test_a_reader_holding_the_main_file_leaves_the_batches_pending_then_they_land_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = _sim()
    settings = _settings(sim, tmp_path)
    (tmp_path / "control").mkdir()
    control = _settings(sim, tmp_path / "control")
    collect(control, transport=sim.transport(), collected_at=sim.now)
    with writer(settings.db_path) as store, store.connection():
        pass  # an existing database, as the nightly cron finds it
    monkeypatch.setenv(WAIT_ENV, "0.3")

    holder = Holder(settings.db_path)
    with pytest.raises(StoreError) as info:
        collect(settings, transport=ReaderArrives(sim.transport(), holder), collected_at=sim.now)
    message = str(info.value)
    assert "\n" not in message
    assert "open in another program" in message and "waited 0.3 s" in message
    assert f"{pending_dir(settings.db_path)}/" in message
    assert "waiting up to 0.3 s" in capsys.readouterr().err
    saved = [p.name.split("-run") for p in entries_in(pending_dir(settings.db_path))]
    assert [number for number, _ in saved] == ["000001", "000002"]
    holder.release()
    con = connect(settings.db_path, read_only=True)
    try:
        open_runs = [(r["run_id"], r["source"], r["status"]) for r in list_runs(con)]
    finally:
        con.close()
    assert sorted(open_runs) == [
        (int(saved[0][1]), "telnyx", "running"),
        (int(saved[1][1]), "plivo", "running"),
    ]

    with writer(settings.db_path):  # the next writer, whatever its command
        pass
    landed = _counts(settings.db_path)
    expected = _counts(control.db_path)
    assert landed == expected
    assert not pending_dir(settings.db_path).exists()
    with writer(settings.db_path):  # exactly once: nothing lands twice
        pass
    assert _counts(settings.db_path) == expected


def test_pending_batches_land_before_the_next_collection_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = _sim()
    settings = _settings(sim, tmp_path)
    with writer(settings.db_path) as store, store.connection():
        pass
    monkeypatch.setenv(WAIT_ENV, "0")
    holder = Holder(settings.db_path)
    with pytest.raises(StoreError, match="pending"):
        transport = ReaderArrives(sim.transport(), holder)
        collect(settings, only=["telnyx"], transport=transport, collected_at=sim.now)
    holder.release()
    later = datetime(2026, 11, 3, 6, tzinfo=UTC)
    [outcome] = collect(settings, only=["telnyx"], transport=sim.transport(), collected_at=later)
    assert outcome.status == "succeeded"
    con = connect(settings.db_path, read_only=True)
    try:
        runs = con.execute(
            "select run_id, status, collected_at from collection_runs order by run_id"
        ).fetchall()
        per_run = con.execute(
            "select run_id, count(*) from telnyx_number_snapshots group by run_id order by run_id"
        ).fetchall()
    finally:
        con.close()
    assert [r[1] for r in runs] == ["succeeded", "succeeded"] and runs[1][0] == outcome.run_id
    assert [r[2] for r in runs] == [sim.now, later]
    assert [r[0] for r in per_run] == [r[0] for r in runs]
    assert per_run[0][1] == per_run[1][1] > 0


def test_a_reader_that_lets_go_within_the_wait_costs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = _sim()
    settings = _settings(sim, tmp_path)
    with writer(settings.db_path) as store, store.connection():
        pass
    monkeypatch.setenv(WAIT_ENV, "20")
    holder = Holder(settings.db_path).__enter__()
    threading.Timer(0.5, holder.release).start()
    outcomes = collect(settings, transport=sim.transport(), collected_at=sim.now)
    holder.release()
    assert [o.status for o in outcomes] == ["succeeded", "succeeded"]
    assert "waiting up to 20 s" in capsys.readouterr().err
    assert not pending_dir(settings.db_path).exists()


def test_a_bad_wait_setting_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = _sim()
    settings = _settings(sim, tmp_path)
    monkeypatch.setenv(WAIT_ENV, "soon")
    result = CliRunner().invoke(
        cli, ["runs", "--db", str(settings.db_path)], env={WAIT_ENV: "soon"}
    )
    assert result.exit_code == 0  # readers never wait, so never read it
    with pytest.raises(ConfigError, match=f"{WAIT_ENV}: expected seconds"):
        collect(settings, transport=sim.transport(), collected_at=sim.now)


def test_report_during_a_build_reads_the_published_copy(tmp_path: Path) -> None:
    sim = _sim()
    settings = _settings(sim, tmp_path)
    collect(settings, transport=sim.transport(), collected_at=sim.now)
    with writer(settings.db_path) as store:
        with store.connection() as con:
            build(con)
        store.publish()
    later = datetime(2026, 11, 9, 6, tzinfo=UTC)
    collect(settings, transport=sim.transport(), collected_at=later)  # the copy is now stale
    with Holder(settings.db_path, writer_too=True):  # a build holds the lock and the file
        result = CliRunner().invoke(
            cli,
            ["report", "--db", str(settings.db_path), "--out", str(tmp_path / "out")],
        )
    assert result.exit_code == 0, result.output
    assert "not rebuilding first" in result.stderr and "pid" in result.stderr
    assert list((tmp_path / "out").glob("weekly-*.html"))


def test_a_pending_batch_that_cannot_land_is_one_line_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    with writer(db) as store, store.connection():
        pass
    broken = pending_dir(db) / "000001-run1"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "cannot land the pending batch" in result.stderr
    assert broken.exists()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keys=st.lists(st.text(min_size=1, max_size=30), max_size=20),
    body=st.one_of(st.none(), st.just('{"a": [1, "\\u2028", null]}')),
)
def test_a_pending_batch_lands_exactly_what_was_fetched(
    tmp_path_factory: pytest.TempPathFactory, keys: list[str], body: str | None
) -> None:
    db = tmp_path_factory.mktemp("pending") / "t.duckdb"
    with writer(db) as store, store.connection() as con:
        run_id = begin_run(con, "telnyx", START)
    rows = pl.DataFrame(
        {
            "run_id": [run_id] * len(keys),
            "source": ["telnyx"] * len(keys),
            "endpoint": ["numbers"] * len(keys),
            "resource_key": keys,
            "body": [body] * len(keys),
        },
        schema={"run_id": pl.Int64, "source": pl.String, "endpoint": pl.String,
                "resource_key": pl.String, "body": pl.String},
    )  # fmt: skip
    counts = RunCounts(len(keys), 0, 1, 0, 0, {"numbers": len(keys)})
    save(db, run_id, counts, batch=Batch(appends={"raw_responses": rows}, records=len(keys)))
    with writer(db):
        pass
    con = connect(db, read_only=True)
    try:
        landed = con.execute("select resource_key, body from raw_responses order by all").fetchall()
        run = con.execute("select status, records from collection_runs").fetchall()
    finally:
        con.close()
    assert landed == sorted((k, body) for k in keys)
    assert run == [("succeeded", len(keys))]
