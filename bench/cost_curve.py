"""Stage 7: the models' cost curve: 10k, 100k and 1M numbers over 30 days each.

For each fleet size, on the synthetic history of :mod:`analytics.simulator.synth`: a full
build, an incremental build after one more day, the database size on disk (and the bytes its
blocks use, next to the landing tables'), and ``callrep report`` of the built database, each
in its own subprocess with its peak RSS. Cost must grow no worse than linearly in numbers: at
most 12× from 100k to 1M (10× the numbers), and 1M numbers build under 2 GB and report in
under 10 s.

    python -m bench.cost_curve [--quick] [--sizes 10000,100000] [--work DIR]

A size that fails (out of memory, say) is recorded as a missed figure with its error, and the
other sizes are still measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import CALLREP, REPO, Figure, copy_database, ratio, run_worker
from bench.models import size_figure

STAGE = "7 cost curve"
DAYS = 30
SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES, QUICK_DAYS = (50, 200, 1_000), 5
MAX_GROWTH = 12.0  # from the middle size to the largest (10× the numbers)
MAX_RSS_MB = 2048.0
MAX_REPORT_S = 10.0


def unavailable() -> str | None:
    try:
        from analytics.models import build  # noqa: F401
        from analytics.simulator.synth import synthesize  # noqa: F401
    except ImportError as err:
        return f"models not available yet ({err})"
    return None


def run_command(args: list[str], timeout: float = 1800) -> dict[str, Any]:
    """Run a command (not a bench worker); its wall time, peak RSS and CPU, via ``wait4``."""
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with tempfile.TemporaryFile(mode="w+") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            raise RuntimeError(
                f"{' '.join(args[:2])} exited {proc.returncode}:\n{log.read()[-2000:]}"
            )
    return {
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def _synth(work: Path, numbers: int, days: int) -> Path:
    """The synthetic history of ``numbers`` × ``days``, cached under ``work``'s parent."""
    cache = work.parent / f"synth-{numbers}x{days}.duckdb"
    if not cache.exists():
        partial = cache.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        run_worker(
            "bench.models",
            "worker",
            "synth",
            "--db",
            str(partial),
            "--numbers",
            str(numbers),
            "--days",
            str(days),
        )
        partial.rename(cache)
    return cache


def measure(work: Path, numbers: int, days: int) -> dict[str, Any]:
    """Full build, one more day, incremental build, sizes and the report for one fleet size."""
    db = work / f"curve-{numbers}.duckdb"
    copy_database(_synth(work, numbers, days), db)
    landing = run_worker("bench.models", "worker", "size", "--db", str(db))
    full = run_worker("bench.models", "worker", "full", "--db", str(db))
    built = run_worker("bench.models", "worker", "size", "--db", str(db))
    more = ["--db", str(db), "--numbers", str(numbers), "--days", "1", "--days-from", str(days)]
    run_worker("bench.models", "worker", "synth", *more)
    incremental = run_worker("bench.models", "worker", "incremental", "--db", str(db))
    out = work / f"report-{numbers}"
    report = run_command([CALLREP, "report", "--db", str(db), "--out", str(out), "--quiet"])
    db.unlink()  # the 1M database is several GB: keep only the cache
    got = {
        "numbers": numbers,
        "days": days,
        "full": full,
        "incremental": incremental,
        "report": report,
        "landing": landing,
        "built": built,
    }
    print(
        f"  {numbers:,} numbers: full {full['seconds']:.1f} s, incremental "
        f"{incremental['seconds']:.2f} s, report {report['seconds']:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return got


def _figures(m: dict[str, Any]) -> list[Figure]:
    n = f"{m['numbers']:,} numbers × {m['days']} days"
    full, incr, rep = m["full"], m["incremental"], m["report"]
    peak = max(full["peak_rss_mb"], incr["peak_rss_mb"])
    return [
        Figure(
            STAGE,
            f"full build, {n}",
            full["seconds"],
            "s",
            [full["seconds"]],
            note=f"CPU {full['cpu_seconds']:.1f} s",
        ),
        Figure(
            STAGE,
            f"incremental day, {n}",
            incr["seconds"],
            "s",
            [incr["seconds"]],
            note=f"CPU {incr['cpu_seconds']:.2f} s",
        ),
        Figure(
            STAGE,
            f"peak RSS, builds, {n}",
            peak,
            "MB",
            [full["peak_rss_mb"], incr["peak_rss_mb"]],
            "target (MB)",
            MAX_RSS_MB,
            ratio(peak, MAX_RSS_MB),
            "< 2 GB",
            peak < MAX_RSS_MB,
        ),
        size_figure(STAGE, f"after the build, {n}", m["landing"], m["built"]),
        Figure(
            STAGE,
            f"callrep report, {n}",
            rep["seconds"],
            "s",
            [rep["seconds"]],
            "target (s)",
            MAX_REPORT_S,
            ratio(rep["seconds"], MAX_REPORT_S),
            "< 10 s",
            rep["seconds"] < MAX_REPORT_S,
            f"peak RSS {rep['peak_rss_mb']:.0f} MB",
        ),
    ]


def _growth(small: dict[str, Any], large: dict[str, Any]) -> list[Figure]:
    """Cost from the middle size to the largest, against the linear bound (× the numbers)."""
    times = large["numbers"] / small["numbers"]
    bound = MAX_GROWTH * times / 10
    name = f"{small['numbers']:,} → {large['numbers']:,} numbers"
    figs = []
    for key, what in (("full", "full build"), ("incremental", "incremental day")):
        a, b = small[key]["seconds"], large[key]["seconds"]
        grew = b / a if a else float("nan")
        figs.append(
            Figure(
                STAGE,
                f"{what} growth, {name}",
                grew,
                "×",
                [a, b],
                "numbers ×",
                times,
                ratio(grew, times),
                f"≤ {bound:g}×",
                grew <= bound,
                f"CPU {large[key]['cpu_seconds'] / small[key]['cpu_seconds']:.1f}×",
            )
        )
    return figs


def _failed(numbers: int, days: int, err: Exception) -> Figure:
    """A size that could not be built or reported: the first error line, as a missed figure."""
    lines = [ln.strip() for ln in str(err).splitlines() if "Error" in ln] or [repr(err)]
    return Figure(
        STAGE,
        f"full build, {numbers:,} numbers × {days} days",
        0.0,
        "s",
        target="builds and reports",
        met=False,
        note=f"FAILED: {lines[-1][:200]}",
    )


def run(
    quick: bool = False, work: Path | None = None, sizes: tuple[int, ...] | None = None
) -> list[Figure]:
    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-curve-"))
    work.mkdir(parents=True, exist_ok=True)
    days = QUICK_DAYS if quick else DAYS
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    figs: list[Figure] = []
    measured: dict[int, dict[str, Any]] = {}
    for n in sizes:
        try:
            measured[n] = measure(work, n, days)
        except (RuntimeError, TimeoutError) as err:  # e.g. out of memory: the curve's point
            figs.append(_failed(n, days, err))
            continue
        figs += _figures(measured[n])
    if len(sizes) >= 2 and sizes[-2] in measured and sizes[-1] in measured:
        figs += _growth(measured[sizes[-2]], measured[sizes[-1]])
    return figs


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.cost_curve")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sizes", help="comma-separated fleet sizes (default 10000,100000,1000000)")
    p.add_argument("--work", type=Path, help="scratch directory (the cache goes in its parent)")
    a = p.parse_args(argv)
    sizes = tuple(int(n) for n in a.sizes.split(",")) if a.sizes else None
    figs = run(quick=a.quick, work=a.work, sizes=sizes)
    print(json.dumps([f.to_json() for f in figs], indent=1))


if __name__ == "__main__":
    main()
