"""Stage 3: snapshot rows/s into DuckDB through callrep's store vs straight from Arrow.

The rows are real collector output: simulator list items parsed by
``telnyx_records.number_row`` into the collector's frame (100,000 numbers), repeated for
several runs' worth of rows. callrep's path is ``analytics.store.landing.land`` (one
transaction, insert-by-name from Arrow, ledger update) on a migrated store; the ceiling is
``create table … as select * from <arrow table>`` into an empty database.

    python -m bench.ingest [--quick] [--runs N] [--rows N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import Figure, emit, median, ratio, run_worker

ROWS = 1_000_000


def _rows(total: int) -> Any:
    import polars as pl

    from analytics.collectors import shape
    from analytics.collectors import telnyx_records as rec
    from analytics.simulator import Simulator

    numbers = min(total, 100_000)
    sim = Simulator(seed=7, telnyx_numbers=numbers, telnyx_enterprises=1, plivo_numbers=1)
    items = _items(sim)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    eid = items[0].get("enterprise_id", "e") if items else "e"
    base = shape.frame([rec.number_row(i, eid, 1, when) for i in items], rec.NUMBER_SCHEMA)
    frames, n = [], 0
    while n < total:
        k = n // base.height
        part = base.head(total - n).with_columns(
            pl.lit(k + 1, pl.Int64).alias("run_id"),
            pl.lit(when + timedelta(days=k))
            .cast(base.schema["collected_at"])
            .alias("collected_at"),
        )
        frames.append(part)
        n += part.height
    return pl.concat(frames)


def _items(sim: Any) -> list[dict[str, Any]]:
    """Every number the simulator lists, through its own HTTP surface (in-process)."""
    items: list[dict[str, Any]] = []
    with httpx.Client(
        base_url="http://sim/v2",
        transport=_SyncAdapter(sim),
        headers={"Authorization": f"Bearer {sim.telnyx_api_key}"},
    ) as http:
        for e in http.get("/enterprises", params={"page[size]": 250}).json()["data"]:
            page = 1
            while True:
                body = http.get(
                    f"/enterprises/{e['id']}/reputation/numbers",
                    params={"page[number]": page, "page[size]": 250},
                ).json()
                items.extend(body["data"])
                if page >= body["meta"]["total_pages"]:
                    break
                page += 1
    return items


class _SyncAdapter(httpx.BaseTransport):
    """Use the simulator's request handler from a sync client."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim

    def handle_request(self, request: Any) -> Any:
        response = self.sim.handle(request)
        response.read()
        return response

    def close(self) -> None:
        pass


def _worker(a: argparse.Namespace) -> dict[str, Any]:
    from analytics.store.database import connect

    frame = _rows(a.rows)
    db = Path(a.db)
    if a.tool == "callrep":
        from analytics.store.database import connect
        from analytics.store.landing import Batch, land
        from analytics.store.runs import RunCounts, begin_run
        from analytics.store.schema import migrate

        con = connect(db)
        migrate(con)
        run_id = begin_run(con, "telnyx", datetime.now(UTC))
        batch = Batch(appends={"telnyx_number_snapshots": frame}, records=frame.height)
        counts = RunCounts(frame.height, 0, 0, 0, 0, {})
        t0 = time.perf_counter()
        land(con, run_id, batch, counts)
        seconds = time.perf_counter() - t0
        got = con.execute("select count(*) from telnyx_number_snapshots").fetchone()[0]
    else:
        con = connect(str(db))
        table = frame.to_arrow()
        t0 = time.perf_counter()
        con.register("arrow_rows", table)
        con.execute("create table telnyx_number_snapshots as select * from arrow_rows")
        seconds = time.perf_counter() - t0
        got = con.execute("select count(*) from telnyx_number_snapshots").fetchone()[0]
    con.close()
    assert got == frame.height, (got, frame.height)
    return {"seconds": seconds, "rows": frame.height, "rows_per_s": frame.height / seconds}


def run(
    quick: bool = False, runs: int = 3, work: Path | None = None, rows: int = ROWS
) -> list[Figure]:
    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-ingest-"))
    rows = 20_000 if quick else rows
    runs = 1 if quick else runs
    samples: dict[str, list[dict[str, Any]]] = {"callrep": [], "arrow": []}
    for i in range(runs):
        for tool in samples:
            d = work / f"{tool}-{i}"
            d.mkdir(parents=True, exist_ok=True)
            samples[tool].append(
                run_worker(
                    "bench.ingest", "worker", tool, "--db", str(d / "b.duckdb"), "--rows", str(rows)
                )
            )
        print(f"  ingest run {i + 1}/{runs} done", file=sys.stderr, flush=True)
    ours = median([s["rows_per_s"] for s in samples["callrep"]])
    ceiling = median([s["rows_per_s"] for s in samples["arrow"]])
    return [
        Figure(
            "3 ingest",
            f"callrep land(): {rows:,} Telnyx snapshot rows",
            ours,
            "rows/s",
            [s["rows_per_s"] for s in samples["callrep"]],
            "ceiling: create table as select from Arrow (rows/s)",
            ceiling,
            ratio(ours, ceiling),
            "≥ 0.5× ceiling",
            (ratio(ours, ceiling) or 0) >= 0.5,
            f"land {median([s['seconds'] for s in samples['callrep']]):.2f} s vs Arrow "
            f"{median([s['seconds'] for s in samples['arrow']]):.2f} s",
        ),
        Figure(
            "6 memory",
            f"peak RSS, ingest worker ({rows:,} rows, incl. generating them)",
            median([s["peak_rss_mb"] for s in samples["callrep"]]),
            "MB",
            [s["peak_rss_mb"] for s in samples["callrep"]],
            "Arrow-ceiling worker (MB)",
            median([s["peak_rss_mb"] for s in samples["arrow"]]),
            ratio(
                median([s["peak_rss_mb"] for s in samples["callrep"]]),
                median([s["peak_rss_mb"] for s in samples["arrow"]]),
            ),
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ingest")
    sub = p.add_subparsers(dest="cmd")
    w = sub.add_parser("worker")
    w.add_argument("tool", choices=("callrep", "arrow"))
    w.add_argument("--db", required=True)
    w.add_argument("--rows", type=int, default=ROWS)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rows", type=int, default=ROWS)
    a = p.parse_args(argv)
    if a.cmd == "worker":
        emit(_worker(a))
        return
    figs = run(quick=a.quick, runs=a.runs, rows=a.rows)
    print(json.dumps([f.to_json() for f in figs], indent=1))


if __name__ == "__main__":
    main()
