"""Stage: the DuckLake store against the file: concurrent ingest, and builds.

* Aggregate ingest throughput of 1, 2, 4 and 8 collector processes landing Telnyx snapshot
  rows into one DuckLake (catalog in PostgreSQL, Parquet on a local path) at the same time,
  against one process landing into the file: total rows ÷ (last end − first start).
* The models stage's synthetic year (100,000 numbers × 365 days, cached beside the stage's
  folder) on the file and migrated into a lake with ``callrep store migrate``: a full build,
  then one more synthetic day and an incremental build, on each; CPU seconds in the notes.

PostgreSQL comes from ``CALLREP_TEST_PG`` or a throwaway cluster (tests/ducklake_env.py).

    python -m bench.ducklake [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO, Figure, copy_database, emit, ratio, run_worker

WRITERS = (1, 2, 4, 8)


def unavailable() -> str | None:
    """Why the stage cannot run here (no PostgreSQL), or None."""
    if os.environ.get("CALLREP_TEST_PG"):
        return None
    from tests.ducklake_env import _binary

    return None if _binary("initdb") and _binary("pg_ctl") else "PostgreSQL is not installed"


def _worker(a: argparse.Namespace) -> dict[str, Any]:
    from analytics.store.database import writer
    from analytics.store.landing import Batch, land
    from analytics.store.runs import RunCounts, begin_run
    from bench.ingest import _rows

    frame = _rows(a.rows)
    with writer(Path(a.db)) as store, store.connection() as con:
        run_id = begin_run(con, "telnyx", datetime.now(UTC), claim=store.claim)
        rows = frame.with_columns(run_id=run_id)
        started = time.time()
        land(
            con,
            run_id,
            Batch(appends={"telnyx_number_snapshots": rows}),
            RunCounts(rows.height, 0, 0, 0, 0, {}),
        )
        ended = time.time()
    return {"started": started, "ended": ended, "rows": frame.height}


def _writers(count: int, rows: int, env: dict[str, str], db: Path) -> float:
    """Rows per second landed by ``count`` concurrent processes."""
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "bench.ducklake", "worker", "--rows", str(rows), "--db", str(db)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"ducklake worker exited {proc.returncode}: {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    span = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return sum(r["rows"] for r in results) / span


def _lake_worker(a: argparse.Namespace) -> dict[str, Any]:
    """One timed step on the lake: a full or incremental build, or one more synthetic day."""
    from analytics.config import Pricing
    from analytics.models import build
    from analytics.simulator.synth import synthesize
    from analytics.store.lake import connect_lake, ensure_schema
    from analytics.store.location import parse_lake

    con = connect_lake(parse_lake(a.store, a.data_path))
    try:
        ensure_schema(con)
        t0 = time.perf_counter()
        if a.action == "synth":
            synthesize(con, numbers=a.numbers, days=1, days_from=a.days_from)
            return {"seconds": time.perf_counter() - t0}
        report = build(con, Pricing(), full=a.action == "full")
        return {"seconds": time.perf_counter() - t0, "summary": report.summary()[:300]}
    finally:
        con.close()


def _builds(work: Path, quick: bool, pg: str, base: dict[str, str]) -> list[Figure]:
    """The models stage's synthetic year on the file and migrated into a lake: a full build,
    then one more synthetic day and an incremental build, on each (the models stage's steps)."""
    from bench.models import synth_db
    from tests.ducklake_env import new_database

    year, info = synth_db(work, quick)
    numbers, days = info["numbers"], info["days"]
    db = work / "build.duckdb"
    copy_database(year, db)
    more = ["--numbers", str(numbers), "--days", "1", "--days-from", str(days)]
    file_full = run_worker("bench.models", "worker", "full", "--db", str(db))
    run_worker("bench.models", "worker", "synth", "--db", str(db), *more)
    file_incr = run_worker("bench.models", "worker", "incremental", "--db", str(db))

    store = f"ducklake:postgres:{new_database(pg)}"
    data_path = str(work / "lake-build")
    t0 = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "analytics", "store", "migrate", "--db", str(year), "--to", store],
        cwd=REPO,
        env={**base, "CALLREP_DATA_PATH": data_path},
        check=True,
        capture_output=True,
    )
    migrated = time.perf_counter() - t0
    lake = ["--store", store, "--data-path", data_path]
    lake_full = run_worker("bench.ducklake", "lake", "full", *lake)
    run_worker("bench.ducklake", "lake", "synth", *lake, *more[:2], *more[-2:])
    lake_incr = run_worker("bench.ducklake", "lake", "incremental", *lake)
    scale = f"{numbers:,} numbers × {days} days"
    note = "CPU {:.1f} s on the lake, {:.1f} s on the file"
    return [
        Figure(
            "ducklake",
            f"full build, {scale}, DuckLake (local path)",
            lake_full["seconds"],
            "s",
            [lake_full["seconds"]],
            "the file (s)",
            file_full["seconds"],
            ratio(lake_full["seconds"], file_full["seconds"]),
            note=note.format(lake_full["cpu_seconds"], file_full["cpu_seconds"])
            + f"; migrating the file into the lake took {migrated:.0f} s",
        ),
        Figure(
            "ducklake",
            f"incremental build after one more day, {scale}, DuckLake (local path)",
            lake_incr["seconds"],
            "s",
            [lake_incr["seconds"]],
            "the file (s)",
            file_incr["seconds"],
            ratio(lake_incr["seconds"], file_incr["seconds"]),
            note=note.format(lake_incr["cpu_seconds"], file_incr["cpu_seconds"]),
        ),
    ]


def run(quick: bool = False, runs: int = 1, work: Path | None = None) -> list[Figure]:
    from tests.ducklake_env import new_database, postgres_cluster

    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-ducklake-"))
    rows = 5_000 if quick else 100_000
    figures: list[Figure] = []
    with ExitStack() as stack:
        pg = os.environ.get("CALLREP_TEST_PG") or stack.enter_context(postgres_cluster())
        base = {k: v for k, v in os.environ.items() if not k.startswith("CALLREP_")}
        base["PYTHONPATH"] = str(REPO)
        single = _writers(1, rows, base, work / "ingest.duckdb")
        for count in WRITERS:
            lake_env = {
                **base,
                "CALLREP_STORE": f"ducklake:postgres:{new_database(pg)}",
                "CALLREP_DATA_PATH": str(work / f"lake-{count}"),
            }
            value = _writers(count, rows, lake_env, work / "unused.duckdb")
            figures.append(
                Figure(
                    "ducklake",
                    f"ingest: {count} concurrent collector(s) into DuckLake, {rows:,} rows each",
                    value,
                    "rows/s",
                    [value],
                    "one collector into the file (rows/s)",
                    single,
                    ratio(value, single),
                )
            )
        figures += _builds(work, quick, pg, base)
    return figures


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ducklake")
    p.add_argument("mode", nargs="?", default="run", choices=["run", "worker", "lake"])
    p.add_argument("action", nargs="?", choices=["full", "incremental", "synth"])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rows", type=int, default=5_000)
    p.add_argument("--db", default="unused.duckdb")
    p.add_argument("--store")
    p.add_argument("--data-path")
    p.add_argument("--numbers", type=int)
    p.add_argument("--days-from", type=int)
    a = p.parse_args()
    if a.mode == "worker":
        print(json.dumps(_worker(a)))
        return
    if a.mode == "lake":
        emit(_lake_worker(a))
        return
    for f in run(quick=a.quick):
        print(f"{f.name}: {f.value:,.1f} {f.unit} (vs {f.versus_value:,.1f}: {f.ratio})")


if __name__ == "__main__":
    sys.exit(main())
