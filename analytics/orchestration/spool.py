"""Reading a line-oriented spool file: streamed, one bounded line at a time.

Lines end at ``\\n`` only (never at ``\\r``, U+2028 or U+0085, which may sit inside a JSON
string); each line stays bytes, so one undecodable line costs only that line; a UTF-8 byte
order mark before the first line is dropped. A line longer than :data:`MAX_LINE_BYTES` is
skipped to its end without being held in memory, so memory stays bounded by one line
whatever the file holds. Regular files and pipes are read; devices and sockets are refused.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from analytics.errors import InputError

MAX_LINE_BYTES = 64 * 1024  # a Plivo callback is about 250 bytes
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class SpoolLine:
    """One line: its 1-based number and its bytes without the ``\\n`` (None when too long)."""

    number: int
    data: bytes | None


class Spool:
    """An open spool file; use as a context manager and iterate :meth:`lines`."""

    def __init__(self, path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.path = path
        self.max_line_bytes = max_line_bytes
        try:
            self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by __exit__
            info = os.fstat(self._file.fileno())
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a directory, expected a spool file") from None
        except OSError as err:
            raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
            self._file.close()
            raise InputError(f"{path}: not a regular file or a pipe, expected a spool file")
        self.mtime = _mtime(info.st_mtime)

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._file.close()

    def lines(self, *, complete_only: bool = False) -> Iterator[SpoolLine]:
        """Every line in order (``complete_only``: without an unterminated last line); a
        read error mid-file becomes an InputError."""
        number = 0
        try:
            while chunk := self._file.readline(self.max_line_bytes + 1):
                number += 1
                if number == 1 and chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM) :]
                if chunk.endswith(b"\n"):
                    yield SpoolLine(number, chunk[:-1])
                elif complete_only and len(chunk) <= self.max_line_bytes:
                    return  # a line still being written (or cut by a crash), never acknowledged
                elif len(chunk) <= self.max_line_bytes:
                    yield SpoolLine(number, chunk)  # the last line, without its newline
                else:
                    self._skip_rest_of_line()
                    yield SpoolLine(number, None)
        except OSError as err:
            raise InputError(f"{self.path}: cannot read ({err.strerror or err})") from None

    def _skip_rest_of_line(self) -> None:
        while chunk := self._file.readline(self.max_line_bytes):
            if chunk.endswith(b"\n"):
                return


def _mtime(seconds: float) -> datetime | None:
    """The modification time in UTC; None when the file system gives an impossible one."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
