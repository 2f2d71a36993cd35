"""Running a collection: per source, a ledger row, a network phase and one commit.

The network phase holds no database connection (only callrep's writer lock), so the
file stays readable while the APIs are slow. Each source lands in its own transaction:
a source that fails leaves only its ledger row, marked ``failed`` with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import httpx

from analytics.callbacks import ingest_segments
from analytics.collectors.base import Collector, RunContext
from analytics.collectors.telnyx import TelnyxCollector
from analytics.config import Settings
from analytics.errors import CallrepError, ConfigError, LimitExceeded
from analytics.http import ApiClient, RequestStats
from analytics.http.redact import Redactor, one_line
from analytics.progress import SILENT, Progress, Step
from analytics.receiver.segments import closed_segments, spool_dir
from analytics.store.database import Store, writer
from analytics.store.landing import Batch
from analytics.store.pending import DatabaseSink, Sink, landing
from analytics.store.provenance import Origins
from analytics.store.runs import RunCounts, abandon_interrupted, begin_run, fail_run

log = logging.getLogger("callrep.collect")


def collectors() -> dict[str, Collector]:
    """Every provider callrep can collect, by name."""
    from analytics.collectors.plivo import PlivoCollector

    return {c.name: c for c in (TelnyxCollector(), PlivoCollector())}


@dataclass(frozen=True)
class SourceOutcome:
    """How one source's run ended."""

    source: str
    status: str  # succeeded | failed | skipped
    run_id: int | None = None
    records: int = 0
    flagged: int = 0
    requests: int = 0
    seconds: float = 0.0
    error: str | None = None


def collect(
    settings: Settings,
    *,
    only: Sequence[str] = (),
    transport: httpx.AsyncBaseTransport | None = None,
    collected_at: datetime | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    progress: Progress = SILENT,
) -> list[SourceOutcome]:
    """Collect every configured source (or exactly ``only``) into ``settings.db_path``.

    ``transport`` replaces the network (the simulator in tests and the demo);
    ``collected_at`` replaces the wall clock as the observation time; ``progress`` sees each
    source's fetch (counting responses), landing (records) and the publish.
    """
    available = collectors()
    unknown = [name for name in only if name not in available]
    if unknown:
        raise ConfigError(
            f"--source: unknown source {unknown[0]!r} (known: {', '.join(available)})"
        )
    wanted = [available[name] for name in (only or available)]
    for source in wanted:
        if only and not source.configured(settings):
            raise ConfigError(_missing_credentials(source.name))
    active = [s for s in wanted if s.configured(settings)]
    if not active:
        raise ConfigError(
            "no provider credentials set: set TELNYX_API_KEY and/or PLIVO_AUTH_ID and "
            "PLIVO_AUTH_TOKEN"
        )
    skipped = [SourceOutcome(s.name, "skipped") for s in wanted if not s.configured(settings)]
    when = collected_at or datetime.now(UTC)
    origins = Origins()  # real or simulated answers: a database never mixes them
    with writer(settings.db_path, "callrep collect") as store:
        contexts: list[RunContext] = []
        outcomes: list[SourceOutcome] = []
        try:
            with store.connection() as con:
                abandon_interrupted(con)
                for s in active:
                    contexts.append(RunContext(begin_run(con, s.name, when), when, s.prepare(con)))
            fetched = asyncio.run(
                _fetch_all(settings, active, contexts, transport, sleep, origins, progress)
            )
            with landing(store) as sink:  # waits for a reader; else saves to <db>.pending/
                sink.admit(origins, [ctx.run_id for ctx in contexts])
                outcomes += _land_callbacks(sink, settings, origins)  # the receiver's spool
                for source, ctx, result in zip(active, contexts, fetched, strict=True):
                    with progress.stage(f"{source.name}: landing", unit="records") as step:
                        outcomes.append(_land(sink, source, ctx, result, settings))
                        step.advance(outcomes[-1].records)
        except BaseException as err:
            ended = {o.run_id for o in outcomes if o.run_id is not None}
            _fail_open_runs(store, [c for c in contexts if c.run_id not in ended], err, settings)
            raise
        with progress.stage("publish the read-only copy"):
            store.publish()
    return outcomes + skipped


def _land_callbacks(sink: Sink, settings: Settings, origins: Origins) -> list[SourceOutcome]:
    """Land the closed segments of ``callrep callbacks serve``'s spool beside the database.

    Only on the database itself (a pending landing leaves them for the next collect) and
    with Plivo configured (its ``auth_id`` is checked); a failure leaves the segments in
    place and is reported as the ``callbacks`` outcome, never failing the collection.
    """
    folder = spool_dir(settings.db_path)
    if not (settings.plivo and isinstance(sink, DatabaseSink) and closed_segments(folder)):
        return []
    started = time.perf_counter()
    try:
        results = ingest_segments(
            sink.con, folder, settings.plivo.auth_id, synthetic=bool(origins.simulated)
        )
    except (CallrepError, duckdb.Error, OSError) as err:
        return [SourceOutcome("callbacks", "failed", error=one_line(_describe(err)))]
    for result in results:
        if result.rejected:
            log.warning("; ".join(result.summary()))
    return [
        SourceOutcome(
            "callbacks",
            "succeeded",
            records=sum(r.added for r in results),
            flagged=sum(r.flagged for r in results),
            seconds=time.perf_counter() - started,
        )
    ]


def _fail_open_runs(
    store: Store, contexts: list[RunContext], err: BaseException, settings: Settings
) -> None:
    """Mark runs this process began and did not end as failed, so none stays ``running``."""
    if not contexts:
        return
    reason = Redactor(settings.secrets()).text(_describe(err), limit=300)
    try:
        with store.connection() as con:
            for ctx in contexts:
                fail_run(con, ctx.run_id, f"interrupted: {one_line(reason)}")
    except Exception:  # the original error is the one to report
        return


async def _fetch_all(
    settings: Settings,
    sources: list[Collector],
    contexts: list[RunContext],
    transport: httpx.AsyncBaseTransport | None,
    sleep: Callable[[float], Awaitable[None]],
    origins: Origins,
    progress: Progress,
) -> list[tuple[Batch | BaseException, RequestStats, float]]:
    async def one(
        source: Collector, ctx: RunContext
    ) -> tuple[Batch | BaseException, RequestStats, float]:
        with progress.stage(f"{source.name}: fetching", unit="responses") as step:
            return await fetch(source, ctx, step)

    async def fetch(
        source: Collector, ctx: RunContext, step: Step
    ) -> tuple[Batch | BaseException, RequestStats, float]:
        started = time.perf_counter()
        limits = source.limits(settings)
        async with source.client(settings, transport) as http:
            http.event_hooks["response"].append(origins.hook(source.name))
            http.event_hooks["response"].append(_counter(step))
            api = ApiClient(
                http, limits=limits, secrets=source.secrets(settings), sleep=sleep, name=source.name
            )
            try:
                async with asyncio.timeout(limits.run_deadline):
                    batch: Batch | BaseException = await source.collect(api, ctx)
            except TimeoutError:
                batch = LimitExceeded(
                    f"stopped at the run deadline of {limits.run_deadline:,g} s; if the account "
                    f"really needs longer, raise {source.name}.run_deadline_seconds in callrep.toml"
                )
            except Exception as err:  # one provider never costs the other
                batch = err
        return batch, api.stats, time.perf_counter() - started

    return await asyncio.gather(*(one(s, c) for s, c in zip(sources, contexts, strict=True)))


def _counter(step: Step) -> Callable[[httpx.Response], Awaitable[None]]:
    """An httpx response hook that counts each answer on ``step``."""

    async def counted(_response: httpx.Response) -> None:
        step.advance()

    return counted


def _land(
    sink: Sink,
    source: Collector,
    ctx: RunContext,
    fetched: tuple[Batch | BaseException, RequestStats, float],
    settings: Settings,
) -> SourceOutcome:
    """Commit one source's rows in its own transaction, or record why it failed."""
    result, stats, seconds = fetched
    if not isinstance(result, BaseException):
        try:
            sink.land(ctx.run_id, result, _counts(result, stats))
        except (duckdb.Error, ValueError, TypeError, OverflowError) as err:
            result = err  # land rolled back; the run is failed below with the reason
        else:
            return SourceOutcome(
                source.name,
                "succeeded",
                ctx.run_id,
                result.records,
                result.flagged,
                stats.requests,
                seconds,
            )
    error = one_line(Redactor(settings.secrets()).text(_describe(result)))
    sink.fail(ctx.run_id, error, _counts(None, stats))
    return SourceOutcome(
        source.name, "failed", ctx.run_id, requests=stats.requests, seconds=seconds, error=error
    )


def _counts(batch: Batch | None, stats: RequestStats) -> RunCounts:
    return RunCounts(
        records=batch.records if batch else 0,
        flagged=batch.flagged if batch else 0,
        http_requests=stats.requests,
        http_retries=stats.retries,
        http_throttled=stats.throttled,
        per_entity={**(batch.per_entity if batch else {}), **stats.notes()},
    )


def _describe(err: BaseException) -> str:
    if isinstance(err, CallrepError):
        return str(err)
    if isinstance(err, KeyboardInterrupt | SystemExit):
        return type(err).__name__
    return f"unexpected error ({type(err).__name__}: {err})"


def _missing_credentials(name: str) -> str:
    needs = {"telnyx": "TELNYX_API_KEY", "plivo": "PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN"}
    return f"--source {name}: {needs[name]} is not set"
