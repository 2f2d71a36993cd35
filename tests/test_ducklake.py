"""The ducklake: store for real: a PostgreSQL catalog, Parquet on a local path and in S3.

Needs PostgreSQL (``tests/ducklake_env.py`` starts a throwaway cluster when ``.ci/run`` has
not) and, for S3, moto. Skipped without them, failed in CI (``CALLREP_REQUIRE_DUCKLAKE=1``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.simulator import Simulator, serve
from analytics.store.advisory import BuildLock
from analytics.store.database import open_readonly, writer
from analytics.store.location import lake_from_env
from analytics.store.runs import begin_run
from tests.ducklake_env import (
    PG_ENV,
    moto_server,
    new_bucket,
    new_database,
    postgres_cluster,
    unavailable,
)

pytestmark = pytest.mark.ducklake

START = datetime(2026, 10, 5, 6, tzinfo=UTC)
COLLECTORS = 4
S3_KEYS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def pg() -> Iterator[str]:
    if os.environ.get(PG_ENV):
        yield os.environ[PG_ENV]
        return
    with postgres_cluster() as conninfo:
        yield conninfo


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    if os.environ.get("AWS_ENDPOINT_URL"):
        yield os.environ["AWS_ENDPOINT_URL"]
        return
    try:
        import moto.server  # noqa: F401
    except ImportError:
        unavailable("moto[server] is not installed")
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def lake(
    request: pytest.FixtureRequest, pg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A fresh lake (its own catalog database and data path) as the process's store."""
    env = {"CALLREP_STORE": f"ducklake:postgres:{new_database(pg)}"}
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        env |= {**S3_KEYS, "AWS_ENDPOINT_URL": endpoint}
        env["CALLREP_DATA_PATH"] = f"s3://{new_bucket(endpoint)}/lake"
    else:
        env["CALLREP_DATA_PATH"] = str(tmp_path / "lake")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CALLREP_DB", str(tmp_path / "unused.duckdb"))
    return env


def _sim() -> Simulator:
    return Simulator(seed=5, start=START, telnyx_numbers=60, telnyx_enterprises=2)


def _collector_env(sim: Simulator, srv: object, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "callrep.toml"
    config.write_text("[plivo]\nrate = 100000\nperiod_seconds = 1.0\n")
    return {
        **os.environ,
        "TELNYX_API_KEY": sim.telnyx_api_key,
        "TELNYX_BASE_URL": srv.telnyx_base_url,  # type: ignore[attr-defined]
        "PLIVO_AUTH_ID": sim.plivo_auth_id,
        "PLIVO_AUTH_TOKEN": sim.plivo_auth_token,
        "PLIVO_BASE_URL": srv.plivo_base_url,  # type: ignore[attr-defined]
        "CALLREP_CONFIG": str(config),
    }


def _query(sql: str) -> list[tuple[object, ...]]:
    con = open_readonly()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_concurrent_collectors_then_build_report_export_on_the_lake(
    lake: dict[str, str], tmp_path: Path
) -> None:
    sim = _sim()
    with serve(sim, port=0) as srv:
        env = _collector_env(sim, srv, tmp_path)
        results = _collect_concurrently(env, COLLECTORS)
    for status, _out, err in results:
        assert status == 0, err

    runs = _query("select source, status, counts from collection_runs order by run_id")
    assert sorted((s, st) for s, st, _ in runs) == sorted(
        [("plivo", "succeeded")] * COLLECTORS + [("telnyx", "succeeded")] * COLLECTORS
    )
    numbers = {json.loads(str(c))["numbers"] for s, _, c in runs if s == "telnyx"}
    assert len(numbers) == 1 and numbers.pop() > 0
    per_run = _query(
        "select count(distinct run_id), count(*) from telnyx_number_snapshots "
        "where run_id in (select run_id from collection_runs where status = 'succeeded')"
    )
    total = _query("select count(*) from telnyx_number_snapshots")
    [(run_count, rows)] = per_run
    assert run_count == COLLECTORS and total == [(rows,)]
    [(one,)] = _query(
        "select count(*) from telnyx_number_snapshots "
        "where run_id = (select min(run_id) from collection_runs where source = 'telnyx')"
    )
    assert rows == COLLECTORS * one

    runner = CliRunner()
    built = runner.invoke(cli, ["build"])
    assert built.exit_code == 0, built.output
    assert "built" in built.output and "full" in built.output
    again = runner.invoke(cli, ["build"])
    assert again.exit_code == 0 and "no new runs" in again.output, again.output
    assert _query("select count(*) from stg_telnyx__number_snapshots") == [(rows,)]

    if not lake["CALLREP_DATA_PATH"].startswith("s3://"):  # the report reads the same marts
        [(collected,)] = _query("select max(collected_at) from collection_runs")
        year, week, _ = collected.isocalendar()  # type: ignore[attr-defined]
        reported = runner.invoke(
            cli, ["report", "--week", f"{year}-W{week:02d}", "--out", str(tmp_path / "reports")]
        )
        assert reported.exit_code == 0, reported.output
        assert list((tmp_path / "reports").glob("weekly-*.html"))

    out = tmp_path / "weekly.csv"
    exported = runner.invoke(cli, ["export", "spam_risk_weekly", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    [(weekly,)] = _query("select count(*) from spam_risk_weekly")
    assert weekly > 0 and len(out.read_text().strip().splitlines()) == weekly + 1

    # another engine reads the landing table's Parquet, listed by DuckLake itself
    files = [
        r[0]
        for r in _query(
            "select data_file from ducklake_list_files('lake', 'telnyx_number_snapshots')"
        )
    ]
    assert files
    options = None
    if lake["CALLREP_DATA_PATH"].startswith("s3://"):
        options = {
            "aws_access_key_id": S3_KEYS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": S3_KEYS["AWS_SECRET_ACCESS_KEY"],
            "aws_region": S3_KEYS["AWS_REGION"],
            "aws_endpoint_url": lake["AWS_ENDPOINT_URL"],
            "aws_allow_http": "true",
        }
    frame = pl.read_parquet(files, storage_options=options)
    assert frame.height == rows and "phone_number" in frame.columns


def test_a_second_builder_gets_the_one_line_lock_error(lake: dict[str, str]) -> None:
    target = lake_from_env()
    assert target is not None
    with BuildLock(target, "callrep build"):
        result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1
    assert "is being built by another callrep process (pid" in result.stderr
    assert "`callrep build`" in result.stderr


_KILLED = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    import polars as pl
    from analytics.store.database import writer
    from analytics.store.landing import Batch, land
    from analytics.store.runs import RunCounts, begin_run

    rows = pl.DataFrame({
        "run_id": [0] * 300_000, "source": "telnyx", "endpoint": "e",
        "resource_key": [str(i) for i in range(300_000)], "body": "{}",
    })
    with writer(None) as store, store.connection() as con:
        run_id = begin_run(con, "telnyx", datetime.now(UTC), claim=store.claim)
        batch = Batch(appends={"raw_responses": rows.with_columns(run_id=pl.lit(run_id))})
        print(run_id, flush=True)
        land(con, run_id, batch, RunCounts(300_000, 0, 0, 0, 0, {}))
    print("committed", flush=True)
    """
)


@pytest.mark.parametrize("lake", ["local"], indirect=True)  # one data path is enough
def test_a_collector_killed_mid_commit_leaves_nothing_partial(lake: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    assert proc.stdout is not None
    run_id = int(proc.stdout.readline())
    time.sleep(0.3)  # inside land(): writing the Parquet or committing the catalog
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stdout.close()
    ledger = _query(f"select status from collection_runs where run_id = {run_id}")
    [(landed,)] = _query(f"select count(*) from raw_responses where run_id = {run_id}")
    assert (ledger, landed) in (([], 0), ([("succeeded",)], 300_000))
    shown = _shown_once_settled(run_id)  # the lake tells a dead collector's run from a live one
    assert shown == ("succeeded" if ledger else "failed interrupted")


def _shown(run_id: int) -> str:
    """How ``callrep runs`` shows ``run_id``: its status, and the error's first word."""
    result = CliRunner().invoke(cli, ["runs", "--limit", "50"])
    assert result.exit_code == 0, result.output
    [line] = [row for row in result.output.splitlines() if row.split()[0] == str(run_id)]
    fields = line.split()
    return " ".join(fields[3:4] + [f.rstrip(":") for f in fields[9:10]])


def _shown_once_settled(run_id: int) -> str:
    """``_shown``, once PostgreSQL has ended a dead collector's session (it does so as soon
    as it reads the closed socket; a few tries at most)."""
    for _ in range(100):
        shown = _shown(run_id)
        if shown != "running":
            return shown
        time.sleep(0.1)
    return shown


@pytest.mark.parametrize("lake", ["local"], indirect=True)  # one data path is enough
def test_runs_shows_a_live_collector_s_run_running_and_a_dead_one_s_interrupted(
    lake: dict[str, str],
) -> None:
    with writer(Path("unused.duckdb"), "callrep collect") as store:
        with store.connection() as con:
            run_id = begin_run(con, "telnyx", START, claim=store.claim)
            unclaimed = begin_run(con, "plivo", START)  # a start written by no live collector
        assert _shown(run_id) == "running"
        assert _shown(unclaimed) == "failed interrupted"
    assert _shown_once_settled(run_id) == "failed interrupted"  # its session (and lock) ended
    [(ledger,)] = _query("select count(*) from collection_runs")
    assert ledger == 0  # shown, not written: `runs` only reads


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    from tests.test_report_fixtures import report_db

    return report_db()


@pytest.mark.parametrize("lake", ["local"], indirect=True)  # one data path is enough
def test_migrating_a_file_gives_identical_marts_and_leaves_it_untouched(
    lake: dict[str, str], demo_file: Path
) -> None:
    before = demo_file.read_bytes()
    result = CliRunner().invoke(
        cli, ["store", "migrate", "--db", str(demo_file), "--to", lake["CALLREP_STORE"]]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("copied ")
    assert demo_file.read_bytes() == before

    from analytics.store.database import connect
    from tests.test_report_fixtures import mart_names

    source = connect(demo_file, read_only=True)
    target = open_readonly()
    try:
        marts = sorted(mart_names(source) - {"schema_version", "callrep_generation"})
        assert "spam_risk_weekly" in marts
        for mart in marts:
            want = source.execute(f"select * from {mart} order by all").fetchall()
            got = target.execute(f"select * from {mart} order by all").fetchall()
            assert got == want, mart
        runs = "select run_id, status from collection_runs order by run_id"
        assert target.execute(runs).fetchall() == source.execute(runs).fetchall()
    finally:
        source.close()
        target.close()

    refused = CliRunner().invoke(
        cli, ["store", "migrate", "--db", str(demo_file), "--to", lake["CALLREP_STORE"]]
    )
    assert refused.exit_code == 2 and "already holds runs" in refused.stderr


def test_a_password_in_the_store_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLREP_DATA_PATH", "/tmp")
    result = CliRunner().invoke(
        cli, ["--store", "ducklake:postgres:dbname=x password=hunter2", "runs"]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "PGPASSWORD" in result.stderr
    assert "hunter2" not in result.stderr


def _collect_concurrently(
    env: dict[str, str], count: int, *options: str
) -> list[tuple[int, str, str]]:
    """``count`` concurrent ``collect --quiet [options]`` processes: (status, stdout, stderr)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "analytics", "collect", "--quiet", *options],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    return [(p.returncode, *output) for p, output in zip(procs, outputs, strict=True)]


@pytest.mark.parametrize("lake", ["local"], indirect=True)  # S3: the collect-build-export test
def test_concurrent_collect_alert_builds_and_announces_once_on_the_lake(
    lake: dict[str, str], tmp_path: Path
) -> None:
    from tests.alert_helpers import webhook

    sim = _sim()
    with serve(sim, port=0) as srv, webhook() as hook:
        env = {**_collector_env(sim, srv, tmp_path), "CALLREP_NOTIFY": hook.url()}
        target = lake_from_env()
        assert target is not None
        with BuildLock(target, "callrep build"):  # a builder is busy: every process skips
            held = _collect_concurrently(env, 2, "--alert")
        for status, out, err in held:
            skipped = [line for line in out.splitlines() if "skipped" in line]
            assert status == 0 and len(skipped) == 1, (out, err)
            assert skipped[0].startswith("build and alerts skipped: the DuckLake")
            assert "being built by another callrep process (pid" in skipped[0]
        assert hook.bodies == []

        raced = _collect_concurrently(
            env, 3, "--alert"
        )  # one builds and alerts; one that finds it busy skips
        for status, out, err in raced:
            skipped = "build and alerts skipped: the DuckLake" in out
            alerted = bool(re.search(r": [0-9,]+ open \(|nothing needs action", out))
            assert status == 0 and skipped != alerted, (out, err)
        sent = sum("sent to JSON destination 1" in out for _, out, _ in raced)
        assert sent >= 1 and len(hook.bodies) == sent  # later builders find nothing new

        again = CliRunner().invoke(
            cli, ["alerts", "--exit-status"], env={"CALLREP_NOTIFY": hook.url()}
        )
        assert again.exit_code == 0, again.output
        assert len(hook.bodies) == sent

    [(episodes, items)] = _query(
        "select count(*), count(distinct (rule, subject)) from alert_episodes"
    )
    assert episodes == items > 0  # every item opened once, whoever built
    [(announced, distinct)] = _query(
        "select count(*), count(distinct (episode_id, kind)) from alert_announcements"
    )
    assert announced == distinct == episodes  # each opening told once to the one destination


@pytest.mark.parametrize("lake", ["local"], indirect=True)  # DuckLake's own functions
def test_store_maintain_merges_small_files_expires_snapshots_and_keeps_the_data(
    lake: dict[str, str],
) -> None:
    from analytics.store.landing import Batch, land
    from analytics.store.runs import RunCounts

    with writer(Path("unused.duckdb"), "callrep collect") as store:
        for _ in range(6):  # six small runs: six small files per table, a snapshot each
            with store.connection() as con:
                run_id = begin_run(con, "telnyx", START, claim=store.claim)
                rows = pl.DataFrame(
                    {"resource_key": [f"{run_id}-{i}" for i in range(50)], "body": "{}"}
                ).with_columns(run_id=pl.lit(run_id), source=pl.lit("telnyx"), endpoint=pl.lit("e"))
                land(
                    con,
                    run_id,
                    Batch(appends={"raw_responses": rows}),
                    RunCounts(50, 0, 0, 0, 0, {}),
                )
    data = Path(lake["CALLREP_DATA_PATH"])
    listed = "select count(*) from ducklake_list_files('lake', 'raw_responses')"
    content = "select count(*), sum(hash(columns(*))) from raw_responses"
    snapshots = "select count(*) from ducklake_snapshots('lake')"
    [(files_before,)], before = _query(listed), _query(content)
    [(snapshots_before,)] = _query(snapshots)
    on_disk = len(list(data.rglob("*.parquet")))
    assert files_before == 6 and before[0][0] == 300

    result = CliRunner().invoke(cli, ["store", "maintain", "--keep-days", "0"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["merged", "expired", "deleted"]

    [(files_after,)] = _query(listed)
    [(snapshots_after,)] = _query(snapshots)
    assert files_after < files_before and snapshots_after < snapshots_before
    assert len(list(data.rglob("*.parquet"))) < on_disk  # the merged-away files are gone
    assert _query(content) == before  # and the data reads the same


def test_store_maintain_on_a_file_store_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["store", "maintain"], env={"CALLREP_STORE": None, "CALLREP_CONFIG": None}
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "the store is a file" in result.stderr


def test_the_store_and_data_path_keys_of_callrep_toml_choose_the_lake(
    pg: str, tmp_path: Path
) -> None:
    sim = _sim()
    data = tmp_path / "lake"
    config = tmp_path / "lake.toml"  # not _collector_env's callrep.toml
    conninfo = new_database(pg)
    config.write_text(f'store = "ducklake:postgres:{conninfo}"\ndata_path = "{data}"\n')
    unset = {"CALLREP_STORE": None, "CALLREP_DATA_PATH": None, "CALLREP_DB": None}
    with serve(sim, port=0) as srv:
        env = {**_collector_env(sim, srv, tmp_path), "CALLREP_CONFIG": str(config)}
        env = {k: v for k, v in env.items() if k not in unset}
        collected = subprocess.run(
            [sys.executable, "-m", "analytics", "collect", "--source", "telnyx", "--quiet"],
            env={**env, "PYTHONPATH": os.getcwd()},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert collected.returncode == 0, collected.stderr
    assert list(data.rglob("*.parquet")) and not list(tmp_path.glob("*.duckdb"))
    listed = CliRunner().invoke(cli, ["runs"], env={**unset, "CALLREP_CONFIG": str(config)})
    assert listed.exit_code == 0, listed.output
    [run] = listed.output.splitlines()[1:]
    assert run.split()[1:4] == ["telnyx", "default", "succeeded"]
