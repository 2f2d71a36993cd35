"""Stage 1: Telnyx collection of 100,000 numbers over loopback with 50 ms latency.

callrep (``analytics.collect.collect``) against, in the same run and from the same simulator
process: the latency bound ``pages × latency ÷ 32`` plus callrep's own ingest time, a plain
sequential httpx loop (same pages, same per-record parse, one polars → DuckDB insert), and
dlt's ``rest_api`` source into DuckDB with the parquet loader. Also sweeps callrep's
concurrency so the default can be justified by measurement.

    python -m bench.telnyx [--quick] [--runs N]           # the stage alone
    python -m bench.telnyx worker callrep --url ... --key ... --db ... --concurrency 16
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    Figure,
    SimProcess,
    emit,
    median,
    ratio,
    run_worker,
)

NUMBERS = 100_000
ENTERPRISES = 3
LATENCY = 0.05
PAGE_SIZE = 250
BOUND_CONCURRENCY = 32
SWEEP = (8, 16, 32, 64)


# --------------------------------------------------------------------------- workers


def _worker_callrep(a: argparse.Namespace) -> dict[str, Any]:
    import analytics.collect as collect_mod
    from analytics.config import Limits, Pricing, Settings, TelnyxSettings
    from analytics.store.database import connect

    land_seconds: list[float] = []
    real_land = collect_mod.land

    def timed_land(*args: Any, **kwargs: Any) -> None:
        t = time.perf_counter()
        try:
            real_land(*args, **kwargs)
        finally:
            land_seconds.append(time.perf_counter() - t)

    collect_mod.land = timed_land
    settings = Settings(
        db_path=Path(a.db),
        telnyx=TelnyxSettings(
            api_key=a.key,
            base_url=a.url,
            limits=Limits(concurrency=a.concurrency, rate=None, period=1.0, timeout=30.0),
        ),
        plivo=None,
        pricing=Pricing(),
    )
    profiler = None
    if a.profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        profiler.start()
    t0 = time.perf_counter()
    outcomes = collect_mod.collect(settings, only=["telnyx"])
    wall = time.perf_counter() - t0
    if profiler is not None:
        profiler.stop()
        Path(a.profile).write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    (out,) = outcomes
    if out.status != "succeeded":
        raise SystemExit(f"callrep collect failed: {out.error}")
    con = connect(a.db, read_only=True)
    rows = con.execute("select count(*) from telnyx_number_snapshots").fetchone()[0]
    con.close()
    return {
        "wall": wall,
        "network": out.seconds,
        "land": sum(land_seconds),
        "requests": out.requests,
        "records": out.records,
        "number_rows": rows,
        "pages": -(-rows // PAGE_SIZE),
    }


def _worker_seq(a: argparse.Namespace) -> dict[str, Any]:
    """The obvious hand-written loop: one request at a time, parse, one bulk insert."""
    import httpx

    from analytics.collectors import shape
    from analytics.collectors import telnyx_records as rec
    from analytics.store.database import connect

    collected_at = datetime.now(UTC)
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    requests = 0
    with httpx.Client(
        base_url=a.url, headers={"Authorization": f"Bearer {a.key}"}, timeout=30
    ) as http:
        enterprises = http.get("/enterprises", params={"page[size]": PAGE_SIZE}).json()["data"]
        requests += 1
        for ent in enterprises:
            eid = ent["id"]
            page = 1
            while True:
                r = http.get(
                    f"/enterprises/{eid}/reputation/numbers",
                    params={"page[number]": page, "page[size]": PAGE_SIZE},
                )
                requests += 1
                r.raise_for_status()
                body = r.json()
                rows.extend(rec.number_row(i, eid, 1, collected_at) for i in body["data"])
                if page >= (body.get("meta") or {}).get("total_pages", 0):
                    break
                page += 1
    frame = shape.frame(rows, rec.NUMBER_SCHEMA)
    con = connect(a.db)
    t_ins = time.perf_counter()
    con.register("frame", frame.to_arrow())
    con.execute("create table telnyx_number_snapshots as select * from frame")
    con.close()
    done = time.perf_counter()
    return {
        "wall": done - t0,
        "land": done - t_ins,
        "requests": requests,
        "number_rows": frame.height,
    }


def _worker_dlt(a: argparse.Namespace) -> dict[str, Any]:
    """dlt's rest_api source, configured as the docs suggest for JSON:API page-number paging."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    import dlt
    from dlt.sources.rest_api import rest_api_source

    from analytics.store.database import connect

    paginator = {
        "type": "page_number",
        "base_page": 1,
        "page_param": "page[number]",
        "total_path": "meta.total_pages",
    }
    source = rest_api_source(
        {
            "client": {
                "base_url": a.url.rstrip("/") + "/",
                "auth": {"type": "bearer", "token": a.key},
            },
            "resource_defaults": {
                "write_disposition": "append",
                "endpoint": {
                    "params": {"page[size]": PAGE_SIZE},
                    "data_selector": "data",
                    "paginator": paginator,
                },
            },
            "resources": [
                {"name": "enterprises", "endpoint": {"path": "enterprises"}},
                {
                    "name": "numbers",
                    "endpoint": {
                        "path": "enterprises/{enterprise_id}/reputation/numbers",
                        "params": {
                            "enterprise_id": {
                                "type": "resolve",
                                "resource": "enterprises",
                                "field": "id",
                            },
                        },
                    },
                },
            ],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="bench_telnyx",
        pipelines_dir=str(Path(a.db).parent / "dlt_pipelines"),
        destination=dlt.destinations.duckdb(a.db),
        dataset_name="telnyx",
    )
    t0 = time.perf_counter()
    pipeline.run(source, loader_file_format="parquet")
    wall = time.perf_counter() - t0
    con = connect(a.db, read_only=True)
    rows = con.execute("select count(*) from telnyx.numbers").fetchone()[0]
    con.close()
    return {"wall": wall, "number_rows": rows}


def _worker_async(a: argparse.Namespace) -> dict[str, Any]:
    """The issue's hand-written reference: httpx.AsyncClient at a fixed concurrency, JSON
    decode only (no per-record validation), then one polars → DuckDB insert."""
    import asyncio

    import httpx
    import polars as pl

    from analytics.store.database import connect

    async def go() -> tuple[list[dict[str, Any]], int]:
        sem = asyncio.Semaphore(a.concurrency)
        async with httpx.AsyncClient(
            base_url=a.url, headers={"Authorization": f"Bearer {a.key}"}, timeout=30
        ) as http:

            async def get(url: str, params: dict[str, Any]) -> dict[str, Any]:
                async with sem:
                    r = await http.get(url, params=params)
                r.raise_for_status()
                return r.json()

            ents = (await get("/enterprises", {"page[size]": PAGE_SIZE}))["data"]
            firsts = await asyncio.gather(
                *(
                    get(
                        f"/enterprises/{e['id']}/reputation/numbers",
                        {"page[number]": 1, "page[size]": PAGE_SIZE},
                    )
                    for e in ents
                )
            )
            rest = []
            for e, first in zip(ents, firsts, strict=True):
                for n in range(2, (first.get("meta") or {}).get("total_pages", 0) + 1):
                    rest.append(
                        get(
                            f"/enterprises/{e['id']}/reputation/numbers",
                            {"page[number]": n, "page[size]": PAGE_SIZE},
                        )
                    )
            pages = [*firsts, *(await asyncio.gather(*rest))]
            return [i for p in pages for i in p["data"]], 1 + len(pages)

    t0 = time.perf_counter()
    items, requests = asyncio.run(go())
    t_ins = time.perf_counter()
    frame = pl.from_dicts(items)
    con = connect(a.db)
    con.register("frame", frame.to_arrow())
    con.execute("create table numbers as select * from frame")
    con.close()
    done = time.perf_counter()
    return {
        "wall": done - t0,
        "land": done - t_ins,
        "requests": requests,
        "number_rows": frame.height,
    }


WORKERS = {
    "callrep": _worker_callrep,
    "seq": _worker_seq,
    "dlt": _worker_dlt,
    "async": _worker_async,
}


# --------------------------------------------------------------------------- stage


def run(
    quick: bool = False,
    runs: int = 3,
    work: Path | None = None,
    profile: bool = False,
    skip_peers: bool = False,
) -> list[Figure]:
    """Run the stage; returns its figures (medians over ``runs``)."""
    from analytics.config import TelnyxSettings

    default_c = TelnyxSettings.limits.concurrency
    numbers = 10_000 if quick else NUMBERS
    runs = 1 if quick else runs
    sweep = (default_c,) if quick else SWEEP
    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-telnyx-"))
    work.mkdir(parents=True, exist_ok=True)
    samples: dict[str, list[dict[str, Any]]] = {}
    with SimProcess(
        "--latency-ms",
        str(LATENCY * 1000),
        "--telnyx-numbers",
        str(numbers),
        "--telnyx-enterprises",
        str(ENTERPRISES),
        "--plivo-numbers",
        "20",
    ) as sim:
        n = 0

        def job(tool: str, *extra: str) -> dict[str, Any]:
            nonlocal n
            n += 1
            d = work / f"{tool}-{n}"
            d.mkdir(parents=True, exist_ok=True)
            return run_worker(
                "bench.telnyx",
                "worker",
                tool,
                "--url",
                sim.telnyx_url,
                "--key",
                sim.telnyx_key,
                "--db",
                str(d / "bench.duckdb"),
                *extra,
            )

        job("callrep", "--concurrency", str(default_c))  # warm-up (page cache, sim caches)
        for i in range(runs):
            for c in sweep:
                samples.setdefault(f"callrep@{c}", []).append(
                    job("callrep", "--concurrency", str(c))
                )
            if not skip_peers:
                samples.setdefault("seq", []).append(job("seq"))
                samples.setdefault("dlt", []).append(job("dlt"))
                samples.setdefault("async", []).append(job("async", "--concurrency", "16"))
            print(f"  telnyx run {i + 1}/{runs} done", file=sys.stderr, flush=True)
        if profile:
            job(
                "callrep",
                "--concurrency",
                str(default_c),
                "--profile",
                str(work / "profile-callrep.txt"),
            )
    return _figures(samples, default_c, numbers, work, profile)


def _figures(
    samples: dict[str, list[dict[str, Any]]],
    default_c: int,
    numbers: int,
    work: Path,
    profile: bool,
) -> list[Figure]:
    figs: list[Figure] = []
    head = samples[f"callrep@{default_c}"]
    wall = median([s["wall"] for s in head])
    land = median([s["land"] for s in head])
    pages = head[0]["pages"]
    rows = head[0]["number_rows"]
    latency_bound = pages * LATENCY / BOUND_CONCURRENCY
    bound = latency_bound + land
    dlt_wall = median([s["wall"] for s in samples["dlt"]]) if "dlt" in samples else None
    stage = "1 telnyx"
    figs.append(
        Figure(
            stage,
            f"callrep collect, {rows:,} numbers, concurrency {default_c} (default)",
            wall,
            "s",
            [s["wall"] for s in head],
            f"bound: {pages} pages × {LATENCY * 1000:.0f} ms ÷ {BOUND_CONCURRENCY} "
            f"+ ingest {land:.2f} s",
            bound,
            ratio(wall, bound),
            "≤ 2× bound",
            (ratio(wall, bound) or 99) <= 2.0,
            f"network phase {median([s['network'] for s in head]):.2f} s, "
            f"{head[0]['requests']} requests",
        )
    )
    if dlt_wall is not None:
        figs.append(
            Figure(
                stage,
                "callrep speed-up over dlt rest_api (parquet loader)",
                dlt_wall / wall,
                "×",
                [],
                "peer: dlt rest_api wall time (s)",
                dlt_wall,
                None,
                "≥ 10×",
                dlt_wall / wall >= 10,
            )
        )
    figs.append(
        Figure(
            stage,
            "callrep records/s (number rows)",
            rows / wall,
            "rows/s",
            [rows / s["wall"] for s in head],
            "bound rows/s",
            rows / bound,
            ratio(rows / wall, rows / bound),
        )
    )
    peers = (
        ("seq", "sequential httpx loop + one polars insert"),
        ("dlt", "dlt rest_api → DuckDB (parquet)"),
        ("async", "hand-written httpx.AsyncClient at 16, no validation, one polars insert"),
    )
    for tool, label in peers:
        if tool not in samples:
            continue
        ss = samples[tool]
        w = median([s["wall"] for s in ss])
        figs.append(
            Figure(
                stage,
                f"peer: {label}",
                w,
                "s",
                [s["wall"] for s in ss],
                "callrep (s)",
                wall,
                ratio(w, wall),
                None,
                None,
                f"{ss[0]['number_rows']:,} rows, {ss[0]['number_rows'] / w:,.0f} rows/s, "
                f"peak RSS {median([s['peak_rss_mb'] for s in ss]):.0f} MB",
            )
        )
    for key in sorted(k for k in samples if k.startswith("callrep@")):
        c = int(key.split("@")[1])
        ss = samples[key]
        w = median([s["wall"] for s in ss])
        net = median([s["network"] for s in ss])
        figs.append(
            Figure(
                stage,
                f"sweep: callrep at concurrency {c}",
                w,
                "s",
                [s["wall"] for s in ss],
                f"bound at {c}: pages × latency ÷ {c} + ingest",
                pages * LATENCY / c + land,
                ratio(w, pages * LATENCY / c + land),
                None,
                None,
                f"network {net:.2f} s = {pages / net:,.0f} pages/s; "
                f"peak RSS {median([s['peak_rss_mb'] for s in ss]):.0f} MB",
            )
        )
    figs.append(
        Figure(
            "6 memory",
            f"peak RSS, callrep Telnyx collect ({rows:,} numbers)",
            median([s["peak_rss_mb"] for s in head]),
            "MB",
            [s["peak_rss_mb"] for s in head],
            "peer: dlt rest_api peak RSS (MB)" if "dlt" in samples else None,
            median([s["peak_rss_mb"] for s in samples["dlt"]]) if "dlt" in samples else None,
            ratio(
                median([s["peak_rss_mb"] for s in head]),
                median([s["peak_rss_mb"] for s in samples["dlt"]]) if "dlt" in samples else None,
            ),
        )
    )
    if profile and (work / "profile-callrep.txt").exists():
        figs[0].note = (figs[0].note or "") + f"; profile: {work / 'profile-callrep.txt'}"
    return figs


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.telnyx")
    sub = p.add_subparsers(dest="cmd")
    w = sub.add_parser("worker")
    w.add_argument("tool", choices=sorted(WORKERS))
    w.add_argument("--url", required=True)
    w.add_argument("--key", required=True)
    w.add_argument("--db", required=True)
    w.add_argument("--concurrency", type=int, default=16)
    w.add_argument("--profile")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args(argv)
    if a.cmd == "worker":
        emit(WORKERS[a.tool](a))
        return
    figs = run(quick=a.quick, runs=a.runs, profile=a.profile)
    print(json.dumps([f.to_json() for f in figs], indent=1))


if __name__ == "__main__":
    main()
