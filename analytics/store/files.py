"""Writing files like a database would: a temp file beside the target, fsync, rename.

Rename-into-place only ever replaces a regular file or creates a new one. Special files
(``/dev/null``, ``/dev/full``, a FIFO) and ``-`` (stdout) are written directly, because
renaming over them would replace the device with a regular file. A symlink is followed only
to a target that exists; a dangling one is refused rather than followed to create folders.
Every failure (a full disk, a read-only filesystem, ``/proc``) is one :class:`InputError`
naming the path and the cause, with nothing partial left behind.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from analytics.errors import InputError

STDOUT = "-"


def partial_name(path: Path) -> Path:
    """The temp file a write to ``path`` by this process goes through."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def resolve_target(path: Path) -> Path:
    """The file a write to ``path`` lands in; an :class:`InputError` if it cannot be one."""
    if path.is_symlink():
        if not path.exists():
            raise InputError(f"{path}: is a symlink to {os.readlink(path)}, which does not exist")
        path = path.resolve()
    path = path.absolute()
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    return path


def is_special(path: Path) -> bool:
    """True for ``-`` and existing non-regular files (devices, FIFOs, sockets)."""
    if str(path) == STDOUT:
        return True
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror}") from None
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def write_atomic(path: Path | str, data: bytes | str) -> int:
    """Write ``data`` to ``path`` atomically (directly for ``-`` and special files)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if str(path) == STDOUT:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return len(payload)
    with atomic_path(Path(path)) as temp, open(temp, "wb") as out:
        out.write(payload)
    return len(payload)


@contextmanager
def atomic_path(path: Path, *, make_parents: bool = True) -> Iterator[Path]:
    """Yield a path to write; on success it becomes ``path`` atomically.

    For a special file the yielded path is the file itself (written in place). The caller
    writes the yielded path completely (e.g. DuckDB's ``COPY ... TO``); on any error the
    temp file is removed and the error is re-raised as one line naming the cause.
    """
    if is_special(path):
        try:
            yield path
        except OSError as err:
            raise InputError(f"cannot write {path}: {err.strerror or err}") from None
        return
    target = resolve_target(path)
    try:
        if make_parents:
            target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create {target.parent}: {err.strerror}") from None
    if not target.parent.is_dir():
        raise InputError(f"cannot write {target}: {target.parent} is not a folder")
    temp = partial_name(target)
    try:
        yield temp
        _fsync_file(temp)
        _keep_mode(target, temp)
        os.replace(temp, target)
        with suppress(OSError):  # the file is in place; a folder that cannot sync keeps it
            fsync_dir(target.parent)
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror or err}") from None
    finally:
        _remove(temp)


def _keep_mode(target: Path, temp: Path) -> None:
    """A replaced file keeps its permissions (a new one gets the umask's)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(temp, mode)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (fsync the directory); errors propagate."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def remove_orphaned_partials(folder: Path) -> list[Path]:
    """Delete ``.<name>.<pid>.partial`` files in ``folder`` whose process is gone."""
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(".partial")):
            continue
        pid_text = name[: -len(".partial")].rsplit(".", 1)[-1]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            if entry.is_file() and not entry.is_symlink():
                entry.unlink()
                removed.append(entry)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
