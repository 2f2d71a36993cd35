"""Running a collection: per account, a ledger row, a network phase and one commit.

The network phase holds no database connection (only callrep's writer lock), so the
file stays readable while the APIs are slow. Each account lands in its own transaction:
an account that fails leaves only its ledger row, marked ``failed`` with the reason, and
never costs another account its run. ``collect --account NAME`` runs one account, so
one process per account works too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import httpx

from analytics.collectors.base import Collector, RunContext
from analytics.collectors.factory import build_collectors
from analytics.config import DEFAULT_ACCOUNT, PROVIDERS, Account, Settings
from analytics.errors import CallrepError, ConfigError, LimitExceeded
from analytics.http import ApiClient, RequestStats
from analytics.http.redact import Redactor, one_line
from analytics.orchestration.ingest import ingest_segments
from analytics.orchestration.paused_gc import paused_gc
from analytics.progress import SILENT, Progress, Step
from analytics.receiver.segments import closed_segments, spool_dir
from analytics.store.database import Store, writer
from analytics.store.landing import Batch, preload
from analytics.store.pending import DatabaseSink, Sink, landing
from analytics.store.provenance import Origins
from analytics.store.runs import RunCounts, abandon_interrupted, begin_run, fail_run

log = logging.getLogger("callrep.collect")


@dataclass(frozen=True)
class SourceOutcome:
    """How one account's run ended (``source`` is its provider, or ``callbacks``)."""

    source: str
    status: str  # succeeded | failed | skipped
    run_id: int | None = None
    records: int = 0
    flagged: int = 0
    requests: int = 0
    seconds: float = 0.0
    error: str | None = None
    account: str = DEFAULT_ACCOUNT

    @property
    def label(self) -> str:
        """``telnyx`` for the default account, ``telnyx/clinic-west`` for a named one."""
        return self.source if self.account == DEFAULT_ACCOUNT else f"{self.source}/{self.account}"


def select_accounts(
    settings: Settings, sources: Sequence[str] = (), names: Sequence[str] = ()
) -> tuple[list[Account], list[Account]]:
    """The accounts to collect and the declared ones skipped for want of credentials.

    ``sources`` (providers) and ``names`` (account names) narrow the choice; an account
    asked for by name must be configured, and so must one account of each source asked for.
    """
    unknown = [s for s in sources if s not in PROVIDERS]
    if unknown:
        raise ConfigError(
            f"--source: unknown source {unknown[0]!r} (known: {', '.join(PROVIDERS)})"
        )
    declared = sorted({a.name for a in settings.accounts})
    missing = [n for n in names if n not in declared]
    if missing:
        raise ConfigError(
            f"--account: no account named {missing[0]!r} in callrep.toml "
            f"(known: {', '.join(declared)})"
        )
    wanted = [
        a
        for a in settings.accounts
        if (not sources or a.provider in sources) and (not names or a.name in names)
    ]
    for account in wanted:  # an account named must be configured ...
        if names and not account.configured:
            raise ConfigError(_missing_credentials(account, "--account"))
    for source in sources:  # ... and a source asked for needs at least one configured account
        of_source = [a for a in wanted if a.provider == source]
        if of_source and not any(a.configured for a in of_source):
            raise ConfigError(_missing_credentials(of_source[0], "--source"))
    active = [a for a in wanted if a.configured]
    if not active:
        raise ConfigError(
            "no provider credentials set: set TELNYX_API_KEY and/or PLIVO_AUTH_ID and "
            "PLIVO_AUTH_TOKEN, or the variables callrep.toml's [[accounts]] name"
        )
    return active, [a for a in wanted if not a.configured]


def collect(
    settings: Settings,
    *,
    only: Sequence[str] = (),
    accounts: Sequence[str] = (),
    transport: httpx.AsyncBaseTransport | None = None,
    collected_at: datetime | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    progress: Progress = SILENT,
) -> list[SourceOutcome]:
    """Collect every configured account (or those of the sources ``only``, or exactly the
    ``accounts`` named) into ``settings.db_path``.

    ``transport`` replaces the network (the simulator in tests and the demo);
    ``collected_at`` replaces the wall clock as the observation time; ``progress`` sees each
    account's fetch (counting responses), landing (records) and the publish.
    """
    chosen, unset = select_accounts(settings, only, accounts)
    active = build_collectors(chosen)
    skipped = [SourceOutcome(a.provider, "skipped", account=a.name) for a in unset]
    when = collected_at or datetime.now(UTC)
    origins = Origins()  # real or simulated answers: a database never mixes them
    with writer(settings.db_path, "callrep collect") as store:
        contexts: list[RunContext[Any]] = []
        outcomes: list[SourceOutcome] = []
        try:
            with store.connection() as con:
                abandon_interrupted(con)
                for c in active:
                    run_id = begin_run(con, c.source, when, c.account, store.claim)
                    contexts.append(RunContext(run_id, when, c.account, c.prepare(con)))
            warm = threading.Thread(target=preload, name="callrep-preload", daemon=True)
            warm.start()  # while the first requests are in flight
            with paused_gc():
                fetched = asyncio.run(
                    _fetch_all(active, contexts, transport, sleep, origins, progress)
                )
            warm.join()
            with landing(store) as sink:  # waits for a reader; else saves to <db>.pending/
                sink.admit(origins, [ctx.run_id for ctx in contexts])
                if any(c.source == "plivo" for c in active):  # every Plivo account's spool
                    outcomes += _land_callbacks(sink, settings, origins)
                for source, ctx, result in zip(active, contexts, fetched, strict=True):
                    with progress.stage(f"{_label(source)}: landing", unit="records") as step:
                        outcomes.append(_land(sink, source, ctx, result, settings))
                        step.advance(outcomes[-1].records)
        except BaseException as err:
            ended = {o.run_id for o in outcomes if o.run_id is not None}
            _fail_open_runs(store, [c for c in contexts if c.run_id not in ended], err, settings)
            raise
        with progress.stage("publish the read-only copy"):
            store.publish()
    return outcomes + skipped


def _label(collector: Collector[Any]) -> str:
    return SourceOutcome(collector.source, "", account=collector.account).label


def _land_callbacks(sink: Sink, settings: Settings, origins: Origins) -> list[SourceOutcome]:
    """Land the closed segments of ``callrep callbacks serve``'s spool beside the database.

    Only on the database itself (a pending landing leaves them for the next collect) and
    with Plivo configured (each callback's ``auth_id`` names its account); a failure leaves
    the segments in place and is reported as the ``callbacks`` outcome, never failing the
    collection.
    """
    folder = spool_dir(settings.db_path)
    routes = settings.plivo_accounts()
    if not (routes and isinstance(sink, DatabaseSink) and closed_segments(folder)):
        return []
    started = time.perf_counter()
    try:
        results = ingest_segments(sink.con, folder, routes, synthetic=bool(origins.simulated))
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
    store: Store, contexts: list[RunContext[Any]], err: BaseException, settings: Settings
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
    sources: list[Collector[Any]],
    contexts: list[RunContext[Any]],
    transport: httpx.AsyncBaseTransport | None,
    sleep: Callable[[float], Awaitable[None]],
    origins: Origins,
    progress: Progress,
) -> list[tuple[Batch | BaseException, RequestStats, float]]:
    """Every account's network phase at once; each failure stays that account's result."""

    async def one(
        source: Collector[Any], ctx: RunContext[Any]
    ) -> tuple[Batch | BaseException, RequestStats, float]:
        with progress.stage(f"{_label(source)}: fetching", unit="responses") as step:
            return await fetch(source, ctx, step)

    async def fetch(
        source: Collector[Any], ctx: RunContext[Any], step: Step
    ) -> tuple[Batch | BaseException, RequestStats, float]:
        started = time.perf_counter()
        limits = source.limits
        async with source.client(transport) as http:
            http.event_hooks["response"].append(origins.hook(source.source))
            http.event_hooks["response"].append(_counter(step))
            api = ApiClient(
                http, limits=limits, secrets=source.secrets(), sleep=sleep, name=source.source
            )
            try:
                async with asyncio.timeout(limits.run_deadline):
                    batch: Batch | BaseException = await source.collect(api, ctx)
            except TimeoutError:
                batch = LimitExceeded(
                    f"stopped at the run deadline of {limits.run_deadline:,g} s; if the account "
                    f"really needs longer, raise {source.source}.run_deadline_seconds in "
                    "callrep.toml"
                )
            except Exception as err:  # one account never costs another
                batch = err
        return batch, api.stats, time.perf_counter() - started

    # Not the cancelling gather: each account's failure is caught above, never shared.
    return await asyncio.gather(*(one(s, c) for s, c in zip(sources, contexts, strict=True)))


def _counter(step: Step) -> Callable[[httpx.Response], Awaitable[None]]:
    """An httpx response hook that counts each answer on ``step``."""

    async def counted(_response: httpx.Response) -> None:
        step.advance()

    return counted


def _land(
    sink: Sink,
    source: Collector[Any],
    ctx: RunContext[Any],
    fetched: tuple[Batch | BaseException, RequestStats, float],
    settings: Settings,
) -> SourceOutcome:
    """Commit one account's rows in its own transaction, or record why it failed."""
    result, stats, seconds = fetched
    if not isinstance(result, BaseException):
        try:
            sink.land(ctx.run_id, result, _counts(result, stats))
        except (duckdb.Error, ValueError, TypeError, OverflowError) as err:
            result = err  # land rolled back; the run is failed below with the reason
        else:
            return SourceOutcome(
                source.source,
                "succeeded",
                ctx.run_id,
                result.records,
                result.flagged,
                stats.requests,
                seconds,
                account=source.account,
            )
    error = one_line(Redactor(settings.secrets()).text(_describe(result)))
    sink.fail(ctx.run_id, error, _counts(None, stats))
    return SourceOutcome(
        source.source,
        "failed",
        ctx.run_id,
        requests=stats.requests,
        seconds=seconds,
        error=error,
        account=source.account,
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


def _missing_credentials(account: Account, option: str) -> str:
    what = account.provider if account.name == DEFAULT_ACCOUNT else account.name
    return f"{option} {what}: {account.missing()} is not set"
