"""The demo: simulated Telnyx and Plivo accounts collected daily, then built, reported, exported."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analytics.config import Limits, PlivoSettings, Pricing, Settings, TelnyxSettings
from analytics.errors import InputError
from analytics.export.marts import documented_marts, export_mart
from analytics.models import BuildReport
from analytics.orchestration import build_and_publish
from analytics.orchestration.collect import SourceOutcome, collect
from analytics.progress import SILENT, Progress
from analytics.report.weekly import write_report
from analytics.report.weeks import IsoWeek
from analytics.simulator import Simulator
from analytics.store.database import open_readonly

MARKER = ".callrep-demo"
DEMO_START = date(2026, 8, 31)  # a Monday, so 12 weeks end on a Sunday
TELNYX_URL = "http://telnyx.sim/v2"
PLIVO_URL = "http://plivo.sim/v1"
# The simulated clock jumps a day per collection, so real-time rate limits would only slow the
# demo down: the simulator's Plivo limit is lifted and the client paces only by concurrency.
_UNPACED = Limits(concurrency=16, rate=None, period=1.0, timeout=30.0)


@dataclass
class DemoResult:
    """Where the demo wrote things (absolute paths) and what it collected."""

    out: Path
    db_path: Path
    days: int
    outcomes: list[SourceOutcome] = field(default_factory=list)  # the last day's
    built: BuildReport | None = None
    report: Path | None = None
    exports: dict[str, int] = field(default_factory=dict)  # file name -> rows
    seconds: float = 0.0


def demo_settings(sim: Simulator, db_path: Path) -> Settings:
    """Settings pointing both providers at ``sim``."""
    return Settings(
        db_path=db_path,
        accounts=(
            TelnyxSettings(api_key=sim.telnyx_api_key, base_url=TELNYX_URL, limits=_UNPACED),
            PlivoSettings(
                auth_id=sim.plivo_auth_id,
                auth_token=sim.plivo_auth_token,
                base_url=PLIVO_URL,
                limits=_UNPACED,
            ),
        ),
        pricing=Pricing(),
    )


def prepare_out(out: Path) -> None:
    """Recreate ``out``, refusing to wipe a folder the demo did not create."""
    if out.exists():
        if not out.is_dir():
            raise InputError(f"--out {out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise InputError(
                f"--out {out}: folder is not empty and was not made by `callrep demo`; "
                "choose another folder"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by callrep demo; recreated on each run\n", encoding="utf-8")


def run_demo(
    out: Path,
    days: int = 84,
    *,
    seed: int = 7,
    progress: Progress = SILENT,
) -> DemoResult:
    """Simulate both providers for ``days`` days, collecting once per simulated day, then
    build the models, write the latest weekly report and a CSV export of every mart.

    ``progress`` sees four stages: collection (in days), the build (in models), the report
    and the exports (in marts).
    """
    if days < 1:
        raise InputError(f"--days: expected at least 1, got {days}")
    started = time.perf_counter()
    out = out.resolve()
    prepare_out(out)
    # Five enterprises: one in every gate state, the rejected one included.
    sim = Simulator(
        seed=seed, start=DEMO_START, telnyx_enterprises=5, plivo_rate_limit=(1_000_000, 5.0)
    )
    result = DemoResult(out=out, db_path=out / "callrep.duckdb", days=days)
    settings = demo_settings(sim, result.db_path)
    transport = sim.transport()
    with progress.stage("collect simulated days", total=days, unit="days") as step:
        for day in range(days):
            if day:
                sim.advance(1)
            result.outcomes = collect(settings, transport=transport, collected_at=sim.now)
            step.advance()
    result.built = build_and_publish(
        result.db_path, settings.pricing, full=True, command="callrep demo", progress=progress
    )
    con = open_readonly(result.db_path)
    try:
        # the simulated clock decides which weeks have ended; a demo of one week or less
        # reports that week so far (a real first run waits for the week to end)
        week = IsoWeek.of(DEMO_START) if days <= 7 else None
        with progress.stage("write the weekly report"):
            written = write_report(
                con, out / "reports", week, pricing=settings.pricing, now=sim.now
            )
        result.report = written.path
        marts = documented_marts()
        with progress.stage("export every mart as CSV", total=len(marts), unit="marts") as step:
            for mart in marts:
                step.note(mart.name)
                path = out / "exports" / f"{mart.name}.csv"
                result.exports[path.name] = export_mart(con, mart.name, path, "csv")
                step.advance()
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    return result
