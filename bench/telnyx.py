"""Stage 1: Telnyx collection of 100,000 numbers over loopback with 50 ms latency.

The pages come from ``bench.pageserver`` in its own process: rendered to bytes by the
simulator before timing starts, so a request costs the server almost no CPU and the clients
own the 2 cores. In the same run: callrep at each concurrency of the sweep, and the peers,
frozen here so none is hobbled:

- dlt ``rest_api`` into DuckDB, parquet loader, page size 250, parallelized resources;
- the hand-written ``httpx.AsyncClient`` loop, pool = its concurrency, no validation;
- ``aiohttp`` + ``orjson`` at concurrency 64, no validation (the fastest known Python client).

Every bound names its concurrency: ``pages × latency ÷ c``. The server check times the
fastest peer's network phase at 200 ms latency and c=64 (median of 5) against that bound and
against the crawl's critical path (enterprise list, first pages, then rounds of c), and the
page server's own CPU per request is read from /proc around every job. The pacing check serves
20 requests/s with x-ratelimit-* headers. Each figure carries the worker's CPU seconds
(user + sys from ``os.wait4``).

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
from pathlib import Path
from typing import Any

import polars as pl  # imported before any timing starts, as every worker needs it

from analytics.store.database import connect
from bench.common import (
    PYTHON,
    Figure,
    SimProcess,
    emit,
    median,
    process_cpu,
    ratio,
    run_worker,
)

NUMBERS = 100_000
ENTERPRISES = 3
LATENCY = 0.05
PAGE_SIZE = 250
SWEEP = (8, 16, 32, 64)
PEER_CONCURRENCY = 64  # aiohttp's, as the issue fixes it
# The hand-written httpx loop's concurrency and pool, frozen here rather than following
# callrep's default: 16, where httpx's own pool is at its best (its CPU per request grows
# with the requests in flight, encode/httpx#3215), so changing callrep's default never
# hobbles the peer its client CPU is compared with.
HTTPX_CONCURRENCY = 16
BOUND_LATENCY = 0.2  # the bound check: 200 ms, c=64, median of 5
BOUND_RUNS = 5
RATE = 20  # the pacing check: requests per second the server allows
RATE_NUMBERS = 25_000


def pageserver(numbers: int, latency: float, *extra: str) -> SimProcess:
    """bench.pageserver in its own process (same start-up lines as the simulator)."""
    return SimProcess(
        "--latency-ms",
        str(latency * 1000),
        "--telnyx-numbers",
        str(numbers),
        "--telnyx-enterprises",
        str(ENTERPRISES),
        *extra,
        command=[PYTHON, "-m", "bench.pageserver"],
    )


# --------------------------------------------------------------------------- workers


def _worker_callrep(a: argparse.Namespace) -> dict[str, Any]:
    import analytics.orchestration.collect as collect_mod
    from analytics.config import Limits, Pricing, Settings, TelnyxSettings

    settings = Settings(
        db_path=Path(a.db),
        accounts=(
            TelnyxSettings(
                api_key=a.key,
                base_url=a.url,
                limits=Limits(concurrency=a.concurrency, rate=None, period=1.0, timeout=30.0),
            ),
        ),
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
    throttled = con.execute("select sum(http_throttled) from collection_runs").fetchone()[0]
    con.close()
    return {
        "throttled": int(throttled or 0),
        "wall": wall,
        "network": out.seconds,
        "land": wall - out.seconds,  # the rest after the network phase: typing, landing
        "requests": out.requests,
        "records": out.records,
        "number_rows": rows,
        "pages": -(-rows // PAGE_SIZE),
    }


def _worker_dlt(a: argparse.Namespace) -> dict[str, Any]:
    """dlt's rest_api source, configured as the docs suggest for JSON:API page-number paging."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    import dlt
    from dlt.sources.rest_api import rest_api_source

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
                "parallelized": True,
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


async def _crawl(get: Any) -> tuple[list[dict[str, Any]], int]:
    """Every number page of every enterprise through ``get(url, params)``; (items, requests)."""
    import asyncio

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


def _worker_async(a: argparse.Namespace) -> dict[str, Any]:
    """The issue's hand-written reference: httpx.AsyncClient at a fixed concurrency with a pool
    of the same size, JSON decode only (no per-record validation), one polars → DuckDB insert."""
    import asyncio

    import httpx

    async def go() -> tuple[list[dict[str, Any]], int]:
        sem = asyncio.Semaphore(a.concurrency)
        pool = httpx.Limits(max_connections=a.concurrency, max_keepalive_connections=a.concurrency)
        async with httpx.AsyncClient(
            base_url=a.url, headers={"Authorization": f"Bearer {a.key}"}, timeout=30, limits=pool
        ) as http:

            async def get(url: str, params: dict[str, Any]) -> dict[str, Any]:
                async with sem:
                    r = await http.get(url, params=params)
                r.raise_for_status()
                return r.json()

            return await _crawl(get)

    t0 = time.perf_counter()
    items, requests = asyncio.run(go())
    return _land_peer(a, items, requests, t0)


def _worker_aiohttp(a: argparse.Namespace) -> dict[str, Any]:
    """The fastest known Python client: aiohttp + orjson at a fixed concurrency, no
    validation, then one polars → DuckDB insert."""
    import asyncio

    import aiohttp
    import orjson

    async def go() -> tuple[list[dict[str, Any]], int]:
        sem = asyncio.Semaphore(a.concurrency)
        conn = aiohttp.TCPConnector(limit=a.concurrency)
        base = a.url.rstrip("/")
        async with aiohttp.ClientSession(
            connector=conn, headers={"Authorization": f"Bearer {a.key}"}
        ) as http:

            async def get(url: str, params: dict[str, Any]) -> dict[str, Any]:
                async with sem, http.get(base + url, params=params) as r:
                    r.raise_for_status()
                    return orjson.loads(await r.read())

            return await _crawl(get)

    t0 = time.perf_counter()
    items, requests = asyncio.run(go())
    return _land_peer(a, items, requests, t0)


def _land_peer(
    a: argparse.Namespace, items: list[dict[str, Any]], requests: int, t0: float
) -> dict[str, Any]:
    """A peer's landing: one polars frame, one DuckDB insert; its timings from `t0`."""
    t_ins = time.perf_counter()
    frame = pl.from_dicts(items)
    con = connect(a.db)
    con.register("frame", frame.to_arrow())
    con.execute("create table numbers as select * from frame")
    con.close()
    done = time.perf_counter()
    return {
        "wall": done - t0,
        "fetch": t_ins - t0,  # the network phase: what the latency bounds
        "land": done - t_ins,
        "requests": requests,
        "number_rows": frame.height,
    }


WORKERS = {
    "aiohttp": _worker_aiohttp,
    "callrep": _worker_callrep,
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
    bound_runs = 1 if quick else BOUND_RUNS
    sweep = (default_c, PEER_CONCURRENCY) if quick else SWEEP
    work = Path(work or tempfile.mkdtemp(prefix="callrep-bench-telnyx-"))
    work.mkdir(parents=True, exist_ok=True)
    samples: dict[str, list[dict[str, Any]]] = {}
    n = 0

    def job(server: SimProcess, tool: str, *extra: str) -> dict[str, Any]:
        nonlocal n
        n += 1
        d = work / f"{tool}-{n}"
        d.mkdir(parents=True, exist_ok=True)
        assert server.proc is not None
        before = process_cpu(server.proc.pid)
        result = run_worker(
            "bench.telnyx",
            "worker",
            tool,
            "--url",
            server.telnyx_url,
            "--key",
            server.telnyx_key,
            "--db",
            str(d / "bench.duckdb"),
            *extra,
        )
        result["server_cpu"] = process_cpu(server.proc.pid) - before
        return result

    with pageserver(numbers, LATENCY) as srv:
        job(srv, "callrep", "--concurrency", str(default_c))  # warm-up: renders the rest
        for i in range(runs):
            for c in sweep:
                samples.setdefault(f"callrep@{c}", []).append(
                    job(srv, "callrep", "--concurrency", str(c))
                )
            if not skip_peers:
                samples.setdefault("dlt", []).append(job(srv, "dlt"))
                samples.setdefault("async", []).append(
                    job(srv, "async", "--concurrency", str(HTTPX_CONCURRENCY))
                )
                samples.setdefault("aiohttp", []).append(
                    job(srv, "aiohttp", "--concurrency", str(PEER_CONCURRENCY))
                )
                samples.setdefault("aiohttp@default", []).append(  # context: same c as ours
                    job(srv, "aiohttp", "--concurrency", str(default_c))
                )
            print(f"  telnyx run {i + 1}/{runs} done", file=sys.stderr, flush=True)
        if profile:
            job(
                srv,
                "callrep",
                "--concurrency",
                str(default_c),
                "--profile",
                str(work / "profile-callrep.txt"),
            )
    if not skip_peers:
        with pageserver(numbers, BOUND_LATENCY) as srv:
            for _ in range(bound_runs):
                for tool in ("aiohttp", "async"):
                    samples.setdefault(f"bound-{tool}", []).append(
                        job(srv, tool, "--concurrency", str(PEER_CONCURRENCY))
                    )
    rate_numbers = 1_000 if quick else RATE_NUMBERS
    with pageserver(rate_numbers, LATENCY, "--rate", str(RATE)) as srv:
        for _ in range(1 if quick else runs):
            samples.setdefault("paced", []).append(
                job(srv, "callrep", "--concurrency", str(default_c))
            )
    return _figures(samples, default_c, work, profile)


def _cpu(ss: list[dict[str, Any]]) -> str:
    return f"client CPU {median([s['cpu_seconds'] for s in ss]):.2f} s"


def _figures(
    samples: dict[str, list[dict[str, Any]]],
    default_c: int,
    work: Path,
    profile: bool,
) -> list[Figure]:
    figs: list[Figure] = []
    head = samples[f"callrep@{default_c}"]
    wall = median([s["wall"] for s in head])
    cpu = median([s["cpu_seconds"] for s in head])
    pages = head[0]["pages"]
    rows = head[0]["number_rows"]
    stage = "1 telnyx"

    def bound(c: int, latency: float = LATENCY) -> float:
        return pages * latency / c

    figs.append(
        Figure(
            stage,
            f"callrep collect, {rows:,} numbers, concurrency {default_c} (default)",
            wall,
            "s",
            [s["wall"] for s in head],
            f"bound at {default_c}: {pages} pages × {LATENCY * 1000:.0f} ms ÷ {default_c}",
            bound(default_c),
            ratio(wall, bound(default_c)),
            "≤ 1.5× bound",
            (ratio(wall, bound(default_c)) or 99) <= 1.5,
            f"{_cpu(head)}; network phase {median([s['network'] for s in head]):.2f} s, "
            f"ingest {median([s['land'] for s in head]):.2f} s, {head[0]['requests']} requests",
        )
    )
    peer_walls = {
        t: median([s["wall"] for s in samples[t]]) for t in ("async", "aiohttp") if t in samples
    }
    if peer_walls:
        fastest = min(peer_walls, key=peer_walls.__getitem__)
        figs.append(
            Figure(
                stage,
                "callrep vs the fastest peer, same run",
                wall,
                "s",
                [s["wall"] for s in head],
                f"peer: {fastest} wall (s)",
                peer_walls[fastest],
                ratio(wall, peer_walls[fastest]),
                "≤ 1.25× fastest peer",
                (ratio(wall, peer_walls[fastest]) or 99) <= 1.25,
            )
        )
    if "aiohttp@default" in samples:
        same = samples["aiohttp@default"]
        same_wall = median([s["wall"] for s in same])
        figs.append(
            Figure(
                stage,
                f"callrep vs aiohttp + orjson at callrep's concurrency ({default_c}), same run "
                "(context: what validation costs at equal concurrency; this peer itself takes "
                f"{ratio(same_wall, bound(default_c)):.2f}× the latency bound at {default_c})",
                wall,
                "s",
                [s["wall"] for s in head],
                f"peer: aiohttp at {default_c} wall (s)",
                same_wall,
                ratio(wall, same_wall),
                None,
                None,
                f"peer {_cpu(same)}, network phase {median([s['fetch'] for s in same]):.2f} s",
            )
        )
    if "async" in samples:
        peer_cpu = median([s["cpu_seconds"] for s in samples["async"]])
        figs.append(
            Figure(
                stage,
                f"callrep client CPU (user+sys), concurrency {default_c}",
                cpu,
                "s",
                [s["cpu_seconds"] for s in head],
                f"peer: httpx loop at {HTTPX_CONCURRENCY} CPU (s)",
                peer_cpu,
                ratio(cpu, peer_cpu),
                "≤ 1.3× httpx loop",
                (ratio(cpu, peer_cpu) or 99) <= 1.3,
            )
        )
    if "dlt" in samples:
        dlt_wall = median([s["wall"] for s in samples["dlt"]])
        figs.append(
            Figure(
                stage,
                "callrep speed-up over dlt rest_api (parquet loader, parallelized)",
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
    lo, hi = f"callrep@{min(SWEEP[1], default_c)}", f"callrep@{PEER_CONCURRENCY}"
    if lo in samples and hi in samples and lo != hi:
        w_lo = median([s["wall"] for s in samples[lo]])
        w_hi = median([s["wall"] for s in samples[hi]])
        figs.append(
            Figure(
                stage,
                f"callrep at concurrency {PEER_CONCURRENCY} vs {lo.split('@')[1]}",
                w_hi,
                "s",
                [s["wall"] for s in samples[hi]],
                f"callrep at {lo.split('@')[1]} (s)",
                w_lo,
                ratio(w_hi, w_lo),
                "≤ 1 (no slowdown)",
                (ratio(w_hi, w_lo) or 99) <= 1.0,
            )
        )
    peers = (
        ("dlt", "dlt rest_api → DuckDB (parquet, page size 250, parallelized)", None),
        (
            "async",
            f"hand-written httpx.AsyncClient, pool = concurrency = {HTTPX_CONCURRENCY}",
            HTTPX_CONCURRENCY,
        ),
        ("aiohttp", f"aiohttp + orjson at {PEER_CONCURRENCY}, no validation", PEER_CONCURRENCY),
    )
    for tool, label, c in peers:
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
                f"bound at {c} (s)" if c else "callrep (s)",
                bound(c) if c else wall,
                ratio(w, bound(c) if c else wall),
                None,
                None,
                f"{_cpu(ss)}; {ss[0]['number_rows']:,} rows, "
                f"peak RSS {median([s['peak_rss_mb'] for s in ss]):.0f} MB",
            )
        )
    for key in sorted((k for k in samples if k.startswith("callrep@")), key=lambda k: int(k[8:])):
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
                f"bound at {c}: pages × latency ÷ {c}",
                bound(c),
                ratio(w, bound(c)),
                None,
                None,
                f"{_cpu(ss)}; network {net:.2f} s = {pages / net:,.0f} pages/s; "
                f"peak RSS {median([s['peak_rss_mb'] for s in ss]):.0f} MB",
            )
        )
    bounds = {t: samples[f"bound-{t}"] for t in ("aiohttp", "async") if f"bound-{t}" in samples}
    if bounds:
        best = min(bounds, key=lambda t: median([s["fetch"] for s in bounds[t]]))
        ss = bounds[best]
        w = median([s["fetch"] for s in ss])
        b = bound(PEER_CONCURRENCY, BOUND_LATENCY)
        # The crawl cannot beat its critical path: the enterprise list, then each enterprise's
        # first page (which names its page count), then the rest in rounds of c.
        rounds = 2 + -(-(pages - ENTERPRISES) // PEER_CONCURRENCY)
        critical = rounds * BOUND_LATENCY
        check = (
            f"fastest peer ({best}) at {BOUND_LATENCY * 1000:.0f} ms latency, concurrency "
            f"{PEER_CONCURRENCY}, median of {len(ss)}, network phase"
        )
        figs.append(
            Figure(
                stage,
                f"server check: {check} (wall incl. landing "
                f"{median([s['wall'] for s in ss]):.2f} s)",
                w,
                "s",
                [s["fetch"] for s in ss],
                f"bound at {PEER_CONCURRENCY}: {pages} pages × "
                f"{BOUND_LATENCY * 1000:.0f} ms ÷ {PEER_CONCURRENCY}",
                b,
                ratio(w, b),
                "≤ 1.2× bound",
                (ratio(w, b) or 99) <= 1.2,
                f"{_cpu(ss)}; unreachable by construction: the critical path below is "
                f"{critical / b:.2f}× this bound",
            )
        )
        figs.append(
            Figure(
                stage,
                f"server check: {check}, against the crawl's critical path",
                w,
                "s",
                [s["fetch"] for s in ss],
                f"critical path at {PEER_CONCURRENCY}: (2 + ⌈{pages - ENTERPRISES} ÷ "
                f"{PEER_CONCURRENCY}⌉) rounds × {BOUND_LATENCY * 1000:.0f} ms",
                critical,
                ratio(w, critical),
                "≤ 1.2× critical path",
                (ratio(w, critical) or 99) <= 1.2,
            )
        )
    jobs = [s for ss in samples.values() for s in ss if s.get("requests")]
    per_request = [1000 * s["server_cpu"] / s["requests"] for s in jobs]
    # The server's share of one core while serving the fastest peer, the most demanding client.
    busy = [s["server_cpu"] / s["fetch"] for s in samples.get("aiohttp", []) if s.get("fetch")]
    figs.append(
        Figure(
            stage,
            f"server CPU per request (bench.pageserver, user+sys from /proc), all {len(jobs)} jobs",
            median(per_request),
            "ms",
            [],
            None,
            None,
            None,
            None,
            None,
            f"worst {max(per_request, default=0):.2f} ms; while serving aiohttp at "
            f"{PEER_CONCURRENCY}: {100 * median(busy):.0f}% of one core",
        )
    )
    if "paced" in samples:
        ss = samples["paced"]
        w = median([s["network"] for s in ss])  # the network phase: what the quota paces
        requests = ss[0]["requests"]
        b = requests / RATE
        figs.append(
            Figure(
                stage,
                f"pacing: callrep collect of {ss[0]['number_rows']:,} numbers from a server "
                f"allowing {RATE} requests/s (x-ratelimit-* headers), concurrency {default_c}, "
                "network phase",
                w,
                "s",
                [s["network"] for s in ss],
                f"bound: {requests} requests ÷ {RATE}/s",
                b,
                ratio(w, b),
                "≤ 1.1× bound",
                (ratio(w, b) or 99) <= 1.1,
                _cpu(ss),
            )
        )
        worst = max(s["throttled"] for s in ss)
        figs.append(
            Figure(
                stage,
                f"pacing: HTTP 429s received at {RATE} requests/s — worst of the runs",
                worst,
                "count",
                [s["throttled"] for s in ss],
                None,
                None,
                None,
                "0",
                worst == 0,
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
