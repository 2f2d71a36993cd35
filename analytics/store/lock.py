"""One writer at a time: an advisory lock file beside the database.

DuckDB's own file lock is only held while a connection is open, and callrep keeps no
connection open during the network phase. This lock is held for a writer's whole
command, so a second writer fails at once with a line naming the first one.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from analytics.errors import WriterLockedError


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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


def _describe(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info['pid']}, `{info['command']}`, since {info['since'][:19]}Z"
    except (ValueError, KeyError, TypeError, OSError):
        return "pid unknown"
