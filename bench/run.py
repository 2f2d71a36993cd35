"""Regenerate bench/RESULTS.md and bench/results.json: ``python -m bench.run``.

    .venv/bin/python -m bench.run                      # every stage, full scale (~10 min)
    .venv/bin/python -m bench.run --quick              # toy scale, one run each (~1 min)
    .venv/bin/python -m bench.run --only telnyx,ingest # some stages; others kept from results.json

Stages: telnyx (1), plivo (2), ingest (3), models (4), report (5), cost_curve (7: the models
at 10k, 100k and 1M numbers, one run each); peak RSS (6) is measured for every worker. Each
timed job runs in its own subprocess; figures are medians of ``--runs`` runs (default 3;
stages whose one run takes over a minute run once).
Before starting, the harness waits (up to ``--max-wait`` s) for the 1-minute load average
to drop under 1.5 and records the load before and after each stage.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure, fresh_dir, load1, machine, wait_for_quiet

HERE = Path(__file__).resolve().parent
STAGES = ("telnyx", "plivo", "ingest", "models", "report", "cost_curve", "ducklake")


def _available(stage: str) -> str | None:
    """None if the stage can run here, else why not."""
    mod = importlib.import_module(f"bench.{stage}")
    check = getattr(mod, "unavailable", None)
    return check() if check else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="toy scale, one run per figure")
    p.add_argument("--only", default=",".join(STAGES), help="comma-separated stages")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md/results.json go")
    p.add_argument(
        "--work",
        type=Path,
        help="scratch directory, reused between runs (default: $TMPDIR/callrep-bench; the "
        "synthetic year cached there is ~1.1 GB, a full run's scratch ~5 GB)",
    )
    p.add_argument("--max-wait", type=float, default=600, help="seconds to wait for low load")
    p.add_argument("--no-wait", action="store_true", help="do not wait for low load")
    p.add_argument(
        "--plivo-default-limit", action="store_true", help="also Plivo at 300/5 (~3 min)"
    )
    p.add_argument("--profile", action="store_true", help="also write pyinstrument profiles")
    a = p.parse_args(argv)
    only = [s.strip() for s in a.only.split(",") if s.strip()]
    bad = [s for s in only if s not in STAGES]
    if bad:
        p.error(f"unknown stage {bad[0]!r} (known: {', '.join(STAGES)})")
    # Scratch: each stage's folder is emptied before it runs; the synthetic year cached at the
    # top level (synth-*.duckdb) and the other stages' folders are kept for reuse.
    work = Path(a.work or Path(tempfile.gettempdir()) / "callrep-bench")
    work.mkdir(parents=True, exist_ok=True)
    if not a.no_wait:
        wait_for_quiet(1.5, a.max_wait)
    started = datetime.now(UTC)
    figures: list[Figure] = []
    loads: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for stage in only:
        why = _available(stage)
        if why:
            skipped[stage] = why
            print(f"{stage}: skipped ({why})", file=sys.stderr)
            continue
        if not a.no_wait:
            wait_for_quiet(1.5, min(a.max_wait, 120))
        before = load1()
        t0 = time.perf_counter()
        print(f"{stage}: running (load {before:.2f})", file=sys.stderr, flush=True)
        mod = importlib.import_module(f"bench.{stage}")
        kwargs: dict[str, Any] = {"quick": a.quick, "work": fresh_dir(work / stage)}
        if stage in ("telnyx", "ingest", "models", "report"):
            kwargs["runs"] = a.runs
        if stage == "telnyx":
            kwargs["profile"] = a.profile
        if stage == "plivo":
            kwargs["default_limit"] = a.plivo_default_limit
        try:
            got = mod.run(**kwargs)
        except Exception as err:  # a product stage still being built: record it, go on
            lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
            errs = [ln for ln in lines if "Error" in ln or "Exception" in ln]
            last = errs[-1:] or lines[-1:] or [repr(err)]
            skipped[stage] = f"failed: {type(err).__name__}: {last[0][:300]}"
            print(f"{stage}: {skipped[stage]}", file=sys.stderr, flush=True)
            continue
        for f in got:
            f.origin = stage
        figures += got
        loads[stage] = {
            "load1_before": round(before, 2),
            "load1_after": round(load1(), 2),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(f"{stage}: done in {loads[stage]['seconds']} s", file=sys.stderr, flush=True)
    results = _merge(a.out / "results.json", figures, only, loads, skipped, a.quick, started)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    (a.out / "RESULTS.md").write_text(render(results))
    print(f"wrote {a.out / 'RESULTS.md'} and {a.out / 'results.json'}", file=sys.stderr)
    return 0


def _merge(
    path: Path,
    figures: list[Figure],
    only: list[str],
    loads: dict[str, Any],
    skipped: dict[str, str],
    quick: bool,
    started: datetime,
) -> dict[str, Any]:
    """This run's figures, plus earlier figures of stages not rerun (marked with their date)."""
    old: dict[str, Any] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except ValueError:
            old = {}
    kept = [
        f for f in old.get("figures", []) if f.get("origin") not in only and not old.get("quick")
    ]
    stage_meta = {k: v for k, v in old.get("stages", {}).items() if k not in only}
    stamp = started.isoformat(timespec="seconds")
    for stage in only:
        if stage in loads:
            stage_meta[stage] = {**loads[stage], "measured_at": stamp, "quick": quick}
        elif stage in skipped:
            stage_meta[stage] = {"skipped": skipped[stage], "measured_at": stamp}
    new = [{**f.to_json(), "measured_at": stamp} for f in figures]
    order = {s: i for i, s in enumerate(STAGES)}
    allf = sorted(
        [*kept, *new],
        key=lambda f: (f["stage"], order.get(f.get("origin") or "", 9)),
    )
    return {
        "generated_at": stamp,
        "quick": quick,
        "machine": machine(),
        "stages": dict(sorted(stage_meta.items(), key=lambda kv: order.get(kv[0], 9))),
        "figures": allf,
    }


def _num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "–"
    if unit in ("rows/s", "records/s") or abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    v = m["versions"]
    lines = [
        "# callrep benchmark results",
        "",
        "Regenerate with `.venv/bin/python -m bench.run` (one stage: `--only telnyx`; toy scale: "
        "`--quick`). Do not edit by hand.",
        "",
        f"- Generated {results['generated_at']}{' (QUICK, toy scale)' if results['quick'] else ''}",
        f"- Machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gb']} GB RAM, {m['os']}",
        f"- Python {m['python']}; callrep {v['callrep']}, duckdb {v['duckdb']}, polars "
        f"{v['polars']}, pyarrow {v['pyarrow']}, httpx {v['httpx']}, dlt {v['dlt']}",
        "- Each figure is the median of the runs listed (each run in its own subprocess); "
        "ratio = value ÷ bound/peer measured in the same run (for times, < 1 is better than "
        "the bound; for rates, > 1 is better).",
        "",
        "| stage | load (1 min) before → after | stage time | measured |",
        "|---|---|---|---|",
    ]
    for stage, meta in results["stages"].items():
        if "skipped" in meta:
            lines.append(f"| {stage} | – | – | skipped: {meta['skipped']} |")
        else:
            quick = " quick" if meta.get("quick") else ""
            lines.append(
                f"| {stage} | {meta['load1_before']} → {meta['load1_after']} | "
                f"{meta['seconds']} s | {meta['measured_at']}{quick} |"
            )
    lines += [
        "",
        "| stage | figure | value | runs | bound / peer | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in results["figures"]:
        runs = ", ".join(_num(r, f["unit"]) for r in f["runs"]) if f["runs"] else ""
        versus = (
            f"{f['bound_or_peer']}: {_num(f['bound_or_peer_value'])}" if f["bound_or_peer"] else ""
        )
        met = {True: "yes", False: "**no**", None: ""}[f["met"]]
        name = f["name"] + (f" — {f['note']}" if f.get("note") else "")
        lines.append(
            f"| {f['stage']} | {name} | {_num(f['value'], f['unit'])} {f['unit']} | {runs} | "
            f"{versus} | {_num(f['ratio'])} | {f['target'] or ''} | {met} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
