"""Fetched batches that could not be landed yet: ``<name>.pending/`` beside the database.

When another program (a notebook on the main file) still holds the database after the
writer's wait, a collection does not lose what it fetched: each source's batch (or its
failure) is written atomically as one numbered folder (``000001-telnyx-run12/``: a
``manifest.json`` plus one Arrow IPC file per frame). The next writer lands those folders
first, in order, exactly once: an entry is applied only while its run is still open (or
ended as interrupted), in the same transaction that ends the run, and removed after.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import polars as pl

from analytics.errors import FileHeldError, InputError, StoreError
from analytics.store.landing import Batch, land
from analytics.store.provenance import Origins, admit
from analytics.store.runs import RunCounts, fail_run, reopen_interrupted

if TYPE_CHECKING:
    from analytics.store.database import Store

MANIFEST = "manifest.json"


def pending_dir(db_path: Path) -> Path:
    """The folder of batches waiting to be landed into ``db_path``."""
    return db_path.with_name(db_path.name + ".pending")


class Sink(Protocol):
    """Where a collection's per-source results go: the database, or the pending folder."""

    def admit(self, origins: Origins, run_ids: list[int]) -> None:
        """Refuse a collection whose answers may not go into this database."""
        ...

    def land(self, run_id: int, batch: Batch, counts: RunCounts) -> None: ...

    def fail(self, run_id: int, error: str, counts: RunCounts) -> None: ...


@dataclass
class DatabaseSink:
    """Lands straight into the open database."""

    con: duckdb.DuckDBPyConnection

    def admit(self, origins: Origins, run_ids: list[int]) -> None:
        origins.admit(self.con, run_ids)

    def land(self, run_id: int, batch: Batch, counts: RunCounts) -> None:
        land(self.con, run_id, batch, counts)

    def fail(self, run_id: int, error: str, counts: RunCounts) -> None:
        fail_run(self.con, run_id, error, counts)


@dataclass
class PendingSink:
    """Saves each result into the pending folder, to be landed by the next writer."""

    db_path: Path
    saved: list[Path] = field(default_factory=list)
    synthetic: bool = False  # the answers came from callrep's simulator

    def admit(self, origins: Origins, run_ids: list[int]) -> None:
        """A mixed collection is refused now; the database's own check waits for landing."""
        origins.refuse_mixed()
        self.synthetic = bool(origins.simulated)

    def land(self, run_id: int, batch: Batch, counts: RunCounts) -> None:
        self.saved.append(save(self.db_path, run_id, counts, batch=batch, synthetic=self.synthetic))

    def fail(self, run_id: int, error: str, counts: RunCounts) -> None:
        self.saved.append(save(self.db_path, run_id, counts, error=error))


@contextmanager
def landing(store: Store) -> Iterator[Sink]:
    """A sink on the database once it is free (pending batches landed first), else pending.

    When the file is still held after the wait, the block's results are saved and a
    one-line :class:`StoreError` says where, after the block ends.
    """
    with ExitStack() as stack:
        try:
            con = stack.enter_context(store.connection())
        except FileHeldError as held:
            sink = PendingSink(store.path)
            yield sink
            names = ", ".join(p.name for p in sink.saved)
            raise StoreError(
                f"{held}; the fetched data is saved in {pending_dir(store.path)}/ ({names}) and "
                "will be landed by the next callrep command that writes"
            ) from None
        land_all(con, store.path)
        yield DatabaseSink(con)


def save(
    db_path: Path,
    run_id: int,
    counts: RunCounts,
    *,
    batch: Batch | None = None,
    error: str | None = None,
    synthetic: bool = False,
) -> Path:
    """Write one pending entry atomically (a folder renamed into place); return its path."""
    folder = pending_dir(db_path)
    folder.mkdir(exist_ok=True)
    entries = entries_in(folder)
    number = int(entries[-1].name.split("-", 1)[0]) + 1 if entries else 1
    temp = folder / f".{number:06d}.{os.getpid()}.partial"
    temp.mkdir()
    try:
        manifest = _manifest(temp, run_id, counts, batch, error)
        manifest["synthetic"] = synthetic
        (temp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        for child in temp.iterdir():
            _fsync(child)
        final = folder / f"{number:06d}-run{run_id}"
        os.replace(temp, final)
        _fsync(folder)
    except OSError as err:
        shutil.rmtree(temp, ignore_errors=True)
        raise StoreError(f"cannot save the fetched data in {folder}: {err.strerror}") from None
    return final


def entries_in(folder: Path) -> list[Path]:
    """The complete pending entries, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name[:6].isdigit())


def land_pending(store: Store) -> int:
    """Land the pending batches of ``store`` if the file is free now; return how many."""
    if not entries_in(pending_dir(store.path)):
        return 0
    try:
        with store.connection(wait=0) as con:
            return land_all(con, store.path)
    except FileHeldError:
        return 0  # still held: the entries stay, and the next landing tries again first


def land_all(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Apply every pending entry in order, each exactly once; return how many were applied."""
    applied = 0
    folder = pending_dir(db_path)
    for entry in entries_in(folder):
        try:
            applied += _apply(con, entry)
        except (OSError, ValueError, KeyError, TypeError, duckdb.Error) as err:
            raise StoreError(
                f"cannot land the pending batch {entry} ({type(err).__name__}: "
                f"{str(err).splitlines()[0] if str(err) else ''}); move it aside to continue"
            ) from None
        shutil.rmtree(entry)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return applied


def _apply(con: duckdb.DuckDBPyConnection, entry: Path) -> int:
    """Land one entry unless its run was already closed; 1 if it was applied."""
    manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    run_id = int(manifest["run_id"])
    if not reopen_interrupted(con, run_id):
        return 0
    counts = RunCounts(**manifest["counts"])
    if manifest["error"] is not None:
        fail_run(con, run_id, manifest["error"], counts)
        return 1
    kind = "simulated" if manifest.get("synthetic") else "real"
    try:
        admit(con, synthetic=kind == "simulated", what=f"the pending {kind} batch of run {run_id}")
    except InputError as refused:  # the database's kind decides, as for a direct landing
        fail_run(con, run_id, str(refused), counts)
        return 1
    land(con, run_id, _batch(entry, manifest), counts)
    return 1


def _manifest(
    temp: Path, run_id: int, counts: RunCounts, batch: Batch | None, error: str | None
) -> dict[str, Any]:
    written = 0

    def file_for(rows: pl.DataFrame) -> str:
        nonlocal written
        name = f"{written}.arrow"
        rows.write_ipc(temp / name)
        written += 1
        return name

    manifest: dict[str, Any] = {
        "run_id": run_id,
        "counts": counts.__dict__,
        "error": error,
        "appends": [],
    }
    if batch is not None:
        manifest["appends"] = [
            {"table": t, "file": file_for(rows)} for t, rows in batch.appends.items()
        ]
        manifest.update(records=batch.records, flagged=batch.flagged, per_entity=batch.per_entity)
    return manifest


def _batch(entry: Path, manifest: dict[str, Any]) -> Batch:
    def rows(item: dict[str, Any]) -> pl.DataFrame:
        return pl.read_ipc(entry / item["file"])

    # entries saved by a callrep before 006 also list "upserts" and "replaces": appended now
    frames: dict[str, list[pl.DataFrame]] = {}
    for kind in ("appends", "upserts", "replaces"):
        for item in manifest.get(kind, []):
            frames.setdefault(item["table"], []).append(rows(item))
    return Batch(
        appends={t: pl.concat(f, how="diagonal_relaxed") for t, f in frames.items()},
        records=manifest.get("records", 0),
        flagged=manifest.get("flagged", 0),
        per_entity=manifest.get("per_entity", {}),
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
