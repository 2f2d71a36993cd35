"""Spool segments: the receiver appends and fsyncs; ``collect`` ingests the closed ones.

A spool folder holds ``<stamp>-<pid>-<n>.open`` (the segment a receiver is writing) and
``<stamp>-<pid>-<n>.jsonl`` (closed: renamed when it reached its size or age, or when the
receiver stopped). A line is acknowledged only after it is written and fsynced, so closed
segments hold every acknowledged callback; an unterminated last line (a crash mid-write,
never acknowledged) is cut when the segment is closed. Ingested segments move to
``archive/``. Segments a killed receiver left open are closed by the next receiver on
the folder (it holds ``serve.lock``, so two receivers never share one).

Appends are group-committed: requests queue their line, one task writes everything
queued and fsyncs once, then answers them all. A failed write (a full disk) is undone by
truncating back, and every waiting request gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analytics.errors import ConfigError
from analytics.store.files import fsync_dir

OPEN, CLOSED = ".open", ".jsonl"
ARCHIVE = "archive"
LOCK = "serve.lock"
MAX_SEGMENT_BYTES = 16 * 1024 * 1024
MAX_SEGMENT_SECONDS = 60.0


def spool_dir(db_path: Path, env: dict[str, str] | None = None) -> Path:
    """The callback spool of ``db_path``: ``$CALLREP_SPOOL``, else ``<name>.callbacks/``."""
    chosen = (env if env is not None else os.environ).get("CALLREP_SPOOL", "").strip()
    return Path(chosen) if chosen else db_path.with_name(db_path.name + ".callbacks")


def closed_segments(folder: Path) -> list[Path]:
    """The closed segments of ``folder``, oldest first (names sort by their UTC stamp)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{CLOSED}") if p.is_file() and not p.is_symlink())


def archive(segment: Path) -> None:
    """Move an ingested segment into ``archive/`` beside it."""
    target = segment.parent / ARCHIVE
    target.mkdir(exist_ok=True)
    os.replace(segment, target / segment.name)
    fsync_dir(segment.parent)


def _close_file(path: Path) -> None:
    """Cut an unterminated last line, then rename the ``.open`` file to ``.jsonl``."""
    with open(path, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        keep = size
        while keep > 0:
            f.seek(max(0, keep - 65536))
            chunk = f.read(keep - max(0, keep - 65536))
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                keep = max(0, keep - len(chunk)) + cut + 1
                break
            keep = max(0, keep - len(chunk))
        if keep != size:
            f.truncate(keep)
        os.fsync(f.fileno())
    if keep == 0:
        path.unlink()
    else:
        os.replace(path, path.with_suffix(CLOSED))
    fsync_dir(path.parent)


@dataclass
class _Pending:
    line: bytes
    done: asyncio.Future[None]


@dataclass
class SegmentWriter:
    """Appends lines to the current segment of ``folder``, durably, in group commits."""

    folder: Path
    max_bytes: int = MAX_SEGMENT_BYTES
    max_seconds: float = MAX_SEGMENT_SECONDS
    _queue: list[_Pending] = field(default_factory=list)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _lock_fd: int | None = None
    _file: int | None = None
    _path: Path | None = None
    _size: int = 0
    _opened: float = 0.0
    _serial: int = 0
    _stopping: bool = False
    written: int = 0  # lines acknowledged
    written_bytes: int = 0

    def claim(self) -> None:
        """Take the folder's lock and close what a dead receiver left open."""
        if self._lock_fd is not None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as err:
            raise ConfigError(f"{self.folder}: cannot use as a spool ({err.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(f"{self.folder}: another receiver is writing this spool") from None
        self._lock_fd = fd
        for stale in sorted(self.folder.glob(f"*{OPEN}")):
            _close_file(stale)

    def start(self) -> None:
        """Claim the folder (if not yet) and start the writing task on the running loop."""
        self.claim()
        self._task = asyncio.get_running_loop().create_task(self._run())

    @property
    def current(self) -> Path | None:
        """The segment being written, if any."""
        return self._path

    async def append(self, line: bytes) -> None:
        """Return once ``line`` (one JSON object, no newline) is on disk; raise OSError if not."""
        if self._stopping:
            raise OSError("the receiver is stopping")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(line + b"\n", done))
        self._wake.set()
        await done

    async def stop(self) -> None:
        """Write what is queued, close the current segment, release the folder."""
        self._stopping = True
        self._wake.set()
        if self._task:
            await self._task
        if self._path is not None:
            self._close_current()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(1.0, self.max_seconds))
            self._wake.clear()
            batch, self._queue = self._queue, []
            if batch:
                try:
                    await asyncio.to_thread(self._write, b"".join(p.line for p in batch))
                except OSError as err:
                    for p in batch:
                        p.done.set_exception(err)
                else:
                    self.written += len(batch)
                    self.written_bytes += sum(len(p.line) for p in batch)
                    for p in batch:
                        p.done.set_result(None)
            if self._path is not None and time.monotonic() - self._opened >= self.max_seconds:
                await asyncio.to_thread(self._close_current)
            if self._stopping and not self._queue:
                return

    def _write(self, data: bytes) -> None:
        if self._path is not None and self._size + len(data) > self.max_bytes:
            self._close_current()
        if self._file is None:
            self._open_new()
        assert self._file is not None
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._file, view) :]
            os.fsync(self._file)
        except OSError:
            # undo a partial write, so the segment holds whole acknowledged lines only
            with contextlib.suppress(OSError):
                os.ftruncate(self._file, self._size)
            raise
        self._size += len(data)

    def _open_new(self) -> None:
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{os.getpid()}-{self._serial:06d}{OPEN}"
        self._file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fsync_dir(self.folder)
        self._path, self._size, self._opened = path, 0, time.monotonic()

    def _close_current(self) -> None:
        if self._file is not None:
            os.close(self._file)
        path, self._file, self._path = self._path, None, None
        if path is not None:
            _close_file(path)
