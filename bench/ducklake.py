"""Stage: the DuckLake store against the file: concurrent ingest, and builds.

* Aggregate ingest throughput of 1, 2, 4 and 8 collector processes landing Telnyx snapshot
  rows into one DuckLake (catalog in PostgreSQL, Parquet on a local path) at the same time,
  against one process landing into the file: total rows ÷ (last end − first start).
* A full build and a following incremental build (nothing new) of a synthetic year on the
  lake (the file migrated with ``callrep store migrate``) against the same file.

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

from bench.common import PYTHON, REPO, Figure, ratio

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
        run_id = begin_run(con, "telnyx", datetime.now(UTC))
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


def _builds(env: dict[str, str], db: Path) -> tuple[float, float]:
    """Seconds of a full build, then of an incremental one, through the CLI."""
    times = []
    for args in (["build", "--full", "--quiet"], ["build", "--quiet"]):
        t0 = time.perf_counter()
        subprocess.run(
            [PYTHON, "-m", "analytics", *args, "--db", str(db)],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def run(quick: bool = False, runs: int = 1, work: Path | None = None) -> list[Figure]:
    from tests.ducklake_env import new_database, postgres_cluster

    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-ducklake-"))
    rows = 5_000 if quick else 100_000
    figures: list[Figure] = []
    with ExitStack() as stack:
        pg = os.environ.get("CALLREP_TEST_PG") or stack.enter_context(postgres_cluster())
        base = {k: v for k, v in os.environ.items() if not k.startswith("CALLREP_")}
        base["PYTHONPATH"] = str(REPO)
        file_env = {**base}
        single = _writers(1, rows, file_env, work / "ingest.duckdb")
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
        # builds: a synthetic year in a file, migrated into a lake
        from analytics.simulator.synth import synthesize
        from analytics.store.database import connect
        from analytics.store.schema import migrate

        synth = work / "year.duckdb"
        con = connect(synth)
        migrate(con)
        synthesize(con, numbers=300 if quick else 100_000, days=28 if quick else 365, enterprises=3)
        con.close()
        file_full, file_incr = _builds(file_env, synth)
        lake_env = {
            **base,
            "CALLREP_STORE": f"ducklake:postgres:{new_database(pg)}",
            "CALLREP_DATA_PATH": str(work / "lake-build"),
        }
        subprocess.run(
            [
                PYTHON,
                "-m",
                "analytics",
                "store",
                "migrate",
                "--db",
                str(synth),
                "--to",
                lake_env["CALLREP_STORE"],
                "--data-path",
                lake_env["CALLREP_DATA_PATH"],
            ],
            cwd=REPO,
            env=base,
            check=True,
            capture_output=True,
        )
        lake_full, lake_incr = _builds(lake_env, synth)
        scale = "toy" if quick else "100k-number"
        figures += [
            Figure(
                "ducklake",
                f"full build, {scale} year, DuckLake (local path)",
                lake_full,
                "s",
                [lake_full],
                "the file (s)",
                file_full,
                ratio(lake_full, file_full),
            ),
            Figure(
                "ducklake",
                f"incremental build (nothing new), {scale} year, DuckLake",
                lake_incr,
                "s",
                [lake_incr],
                "the file (s)",
                file_incr,
                ratio(lake_incr, file_incr),
            ),
        ]
    return figures


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ducklake")
    p.add_argument("mode", nargs="?", default="run", choices=["run", "worker"])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rows", type=int, default=5_000)
    p.add_argument("--db", default="unused.duckdb")
    a = p.parse_args()
    if a.mode == "worker":
        print(json.dumps(_worker(a)))
        return
    for f in run(quick=a.quick):
        print(f"{f.name}: {f.value:,.1f} {f.unit} (vs {f.versus_value:,.1f}: {f.ratio})")


if __name__ == "__main__":
    sys.exit(main())
