"""Building the models under the writer lock, then publishing the read-only copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analytics.config import Pricing
from analytics.errors import FileHeldError, StorePathError, WriterLockedError
from analytics.models import BuildReport, build, is_stale
from analytics.progress import SILENT, Progress
from analytics.store.database import builder, connect, open_readonly, published_path
from analytics.store.location import lake_from_env


def build_and_publish(
    db_path: Path,
    pricing: Pricing,
    *,
    full: bool = False,
    command: str = "build",
    progress: Progress = SILENT,
) -> BuildReport:
    """Take the writer lock on ``db_path``, build the models, publish the read-only copy."""
    with builder(db_path, command) as store:
        with store.connection() as con:
            report = build(con, pricing, full=full, progress=progress)
        with progress.stage("publish the read-only copy"):
            store.publish()
    return report


@dataclass(frozen=True)
class StaleCheck:
    """What :func:`build_if_stale` did: built (with its report), or why it did not."""

    built: BuildReport | None = None
    busy: str | None = None  # another writer holds the database: the reason, for a warning


def build_if_stale(db_path: Path, pricing: Pricing, *, progress: Progress = SILENT) -> StaleCheck:
    """Build first when the models are stale (a collection ran since the last build, or the
    models or the settings they read changed).

    Staleness is read from the published copy, never the main file (a build in progress
    holds it). When another callrep process holds the writer lock, nothing is built and
    ``busy`` says why: the caller reads the published copy as it stands.
    """
    copy = published_path(db_path)
    source = copy if copy.exists() else db_path
    if lake_from_env() is not None:
        con = open_readonly(db_path)  # a lake: its latest snapshot
    elif not source.exists():
        return StaleCheck()
    else:
        try:
            con = connect(source, read_only=True)
        except FileHeldError:
            return StaleCheck()
    try:
        if not is_stale(con, pricing=pricing):
            return StaleCheck()
    finally:
        con.close()
    try:
        report = build_and_publish(db_path, pricing, command="report", progress=progress)
    except (WriterLockedError, StorePathError) as busy:
        return StaleCheck(busy=str(busy))
    return StaleCheck(built=report)
