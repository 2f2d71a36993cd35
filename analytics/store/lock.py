"""One writer at a time: an advisory lock file beside the database.

DuckDB's own file lock is only held while a connection is open, and callrep keeps no
connection open during the network phase. This lock is held for a writer's whole
command, so a second writer fails at once with a line naming the first one.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from analytics.errors import StorePathError, WriterLockedError


def lock_path(db_path: Path) -> Path:
    """The lock file that guards ``db_path``."""
    return db_path.with_name(db_path.name + ".lock")


class WriterLock:
    """Exclusive, non-blocking, released by the OS if the process dies."""

    def __init__(self, db_path: Path, command: str | None = None) -> None:
        self.path = lock_path(db_path)
        self.command = command or " ".join(["callrep", *sys.argv[1:2]])
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        fd = _open_lock(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(fd)
            os.close(fd)
            raise WriterLockedError(
                f"{self.path.name[: -len('.lock')]} is being written by another callrep process "
                f"({holder}); wait for it to finish or stop it"
            ) from None
        info = {"pid": os.getpid(), "command": self.command, "since": datetime.now(UTC).isoformat()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _open_lock(path: Path) -> int:
    """Open (or create) the lock file itself: never through a symlink, never a non-file."""
    if not path.parent.is_dir():
        raise StorePathError(f"{path.parent}: no such folder for the database")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise StorePathError(f"{path}: the lock path is a symlink; remove it") from None
        if err.errno == errno.EISDIR:
            raise StorePathError(f"{path}: the lock path is a folder; remove it") from None
        raise StorePathError(f"cannot open the lock file {path}: {err.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StorePathError(f"{path}: the lock path is not a regular file; remove it")
    return fd


def _describe(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info['pid']}, `{info['command']}`, since {info['since'][:19]}Z"
    except (ValueError, KeyError, TypeError, OSError):
        return "pid unknown"
