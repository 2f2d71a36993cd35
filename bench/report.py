"""Stage 5: weekly report render time and HTML size at 100,000 numbers, and with --static;
and both renders of a 1,000,000-number fleet (target < 10 s each, with peak RSS).

Uses the synthetic year of stage 4 (built once if needed), and
``analytics.report.weekly.write_report`` on a read-only connection, as ``callrep report``.
The 1M fleet is the cost curve's largest size (1M numbers × 30 days), from its generator and
its cache, built in full here (the cost curve's database is removed after its own figures).

    python -m bench.report [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Figure, copy_database, emit, median, ratio, run_worker
from bench.cost_curve import DAYS, MAX_REPORT_S, QUICK_DAYS, QUICK_SIZES, SIZES
from bench.cost_curve import _synth as synth_history


def unavailable() -> str | None:
    try:
        from analytics.models import build  # noqa: F401
        from analytics.report.weekly import write_report  # noqa: F401
    except ImportError as err:
        return f"report not available yet ({err})"
    return None


def _worker(a: argparse.Namespace) -> dict[str, Any]:
    from analytics.config import Pricing
    from analytics.orchestration import build_if_stale
    from analytics.report.weekly import write_report
    from analytics.store.database import open_readonly

    db = Path(a.db)
    if a.prepare:
        t0 = time.perf_counter()
        build_if_stale(db, Pricing())
        return {"seconds": time.perf_counter() - t0}
    con = open_readonly(db)
    t0 = time.perf_counter()
    written = write_report(con, Path(a.out), None, pricing=Pricing(), static=a.static)
    seconds = time.perf_counter() - t0
    con.close()
    return {"seconds": seconds, "bytes": Path(written.path).stat().st_size}


def render_timings(db: Path, out: Path, runs: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Render the weekly report from a built database ``runs`` times per mode.

    Each render runs in its own worker subprocess, on a read-only connection, as ``callrep
    report`` does. Returns, for ``"interactive"`` and ``"static"``, one dict per run with
    ``seconds``, ``bytes`` and ``peak_rss_mb``. Importable by other stages (the cost curve's
    1M-number render): ``render_timings(Path("big.duckdb"), Path("out"), runs=1)``.
    """
    timings: dict[str, list[dict[str, Any]]] = {}
    for mode in ("interactive", "static"):
        ss = []
        for i in range(runs):
            target = out / f"out-{mode}-{i}"
            args = ["worker", "--db", str(db), "--out", str(target)]
            ss.append(run_worker("bench.report", *args, *(["--static"] * (mode == "static"))))
            print(f"  report {mode} {i + 1}/{runs}: {ss[-1]['seconds']:.2f} s", file=sys.stderr)
        timings[mode] = ss
    return timings


def big_fleet(work: Path, numbers: int, days: int) -> list[Figure]:
    """Render the report of the cost curve's largest fleet, once per mode, and its figures."""
    db = work / f"report-{numbers}.duckdb"
    copy_database(synth_history(work, numbers, days), db)
    run_worker("bench.models", "worker", "full", "--db", str(db))
    timings = render_timings(db, work / "big", runs=1)
    db.unlink()  # several GB at 1M numbers: only the generator's cache is kept
    figs = []
    for mode, (got,) in timings.items():
        label = " --static" if mode == "static" else ""
        figs.append(
            Figure(
                "5 report",
                f"render{label}, {numbers:,} numbers × {days} days",
                got["seconds"],
                "s",
                [got["seconds"]],
                "target (s)",
                MAX_REPORT_S,
                ratio(got["seconds"], MAX_REPORT_S),
                f"< {MAX_REPORT_S:g} s",
                got["seconds"] < MAX_REPORT_S,
                f"peak RSS {got['peak_rss_mb']:,.0f} MB; HTML {got['bytes'] / 1e6:.2f} MB",
            )
        )
    return figs


def run(quick: bool = False, runs: int = 3, work: Path | None = None) -> list[Figure]:
    from bench.models import synth_db

    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-report-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = 1 if quick else runs
    year, info = synth_db(work, quick)
    db = work / "report.duckdb"
    built = work.parent / "models" / "models.duckdb"  # stage 4's built year, if it ran
    copy_database(built if built.exists() and not quick else year, db)
    # a full build with today's models (stage 4's file may predate a model the report needs)
    run_worker("bench.models", "worker", "full", "--db", str(db))
    # the report's own "build if stale" check, as `callrep report` runs it (normally a no-op)
    run_worker("bench.report", "worker", "--db", str(db), "--out", str(work), "--prepare")
    figs = []
    n = f"{info['numbers']:,} numbers"
    for mode, ss in render_timings(db, work, runs).items():
        label = " --static" if mode == "static" else ""
        w = median([s["seconds"] for s in ss])
        mb = median([s["bytes"] for s in ss]) / 1e6
        figs += [
            Figure(
                "5 report",
                f"render{label}, {n}",
                w,
                "s",
                [s["seconds"] for s in ss],
                "target (s)",
                3.0,
                ratio(w, 3.0),
                "≤ 3 s",
                w <= 3.0,
            ),
            Figure(
                "5 report",
                f"HTML size{label}, {n}",
                mb,
                "MB",
                [s["bytes"] / 1e6 for s in ss],
                "target (MB)",
                3.0,
                ratio(mb, 3.0),
                "≤ 3 MB",
                mb <= 3.0,
            ),
            Figure(
                "6 memory",
                f"peak RSS, report{label}",
                median([s["peak_rss_mb"] for s in ss]),
                "MB",
                [s["peak_rss_mb"] for s in ss],
            ),
        ]
    return figs + big_fleet(
        work, (QUICK_SIZES if quick else SIZES)[-1], QUICK_DAYS if quick else DAYS
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.report")
    sub = p.add_subparsers(dest="cmd")
    w = sub.add_parser("worker")
    w.add_argument("--db", required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--static", action="store_true")
    w.add_argument("--prepare", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args(argv)
    if a.cmd == "worker":
        emit(_worker(a))
        return
    print(json.dumps([f.to_json() for f in run(quick=a.quick, runs=a.runs)], indent=1))


if __name__ == "__main__":
    main()
