"""Where the store lives: a DuckDB file (the default) or a DuckLake.

``CALLREP_STORE`` (or ``store`` in callrep.toml, or ``--store``) is a file path, or
``ducklake:postgres:<libpq conninfo>`` for a DuckLake whose catalog is in PostgreSQL;
``CALLREP_DATA_PATH`` (``data_path``, ``--data-path``) names where its Parquet goes: a
directory or ``s3://bucket/prefix``. The conninfo never holds a password (``PGPASSWORD`` or
a service file does), and S3 keys come only from the ``AWS_*`` variables.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from analytics.errors import ConfigError

STORE_ENV = "CALLREP_STORE"
DATA_PATH_ENV = "CALLREP_DATA_PATH"
PREFIX = "ducklake:postgres:"
_PASSWORD = re.compile(r"(^|\s)password\s*=", re.IGNORECASE)
_UNSAFE = re.compile(r"['\x00-\x1f\x7f]")  # quotes and control characters
_S3 = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9._\-/]*)?")


@dataclass(frozen=True)
class Lake:
    """A DuckLake: its PostgreSQL catalog (conninfo, no password) and its data path."""

    conninfo: str
    data_path: str

    @property
    def on_s3(self) -> bool:
        """True when the Parquet lives in S3-compatible object storage."""
        return self.data_path.startswith("s3://")

    def describe(self) -> str:
        """The store as it may appear in messages (the conninfo holds no secret)."""
        return f"{PREFIX}{self.conninfo} (data in {self.data_path})"


def is_lake(value: str | os.PathLike[str] | None) -> bool:
    """True when ``value`` names a DuckLake store."""
    return value is not None and str(value).startswith("ducklake:")


def parse_lake(value: str, data_path: str | None) -> Lake:
    """Check a ``ducklake:postgres:...`` store and its data path; a one-line ConfigError."""
    if not value.startswith(PREFIX):
        raise ConfigError(
            f"store: expected a file path or {PREFIX}<conninfo>, got {value[:40]!r} "
            "(DuckLake catalogs are supported in PostgreSQL only)"
        )
    conninfo = value[len(PREFIX) :].strip()
    if not conninfo:
        raise ConfigError(f"store: {PREFIX} needs a conninfo such as 'dbname=callrep host=db'")
    if _PASSWORD.search(conninfo):
        raise ConfigError(
            "store: the conninfo holds a password; remove it and set PGPASSWORD or use a "
            "PostgreSQL service file"
        )
    if _UNSAFE.search(conninfo):
        raise ConfigError("store: the conninfo holds a quote or a control character")
    if not data_path:
        raise ConfigError(
            f"store: a DuckLake store needs a data path: set {DATA_PATH_ENV}, --data-path or "
            "data_path in callrep.toml (a directory or s3://bucket/prefix)"
        )
    return Lake(conninfo, _data_path(data_path))


def _data_path(value: str) -> str:
    if _UNSAFE.search(value):
        raise ConfigError("data path: it holds a quote or a control character")
    if value.startswith("s3://"):
        if not _S3.fullmatch(value):
            raise ConfigError(f"data path: expected s3://bucket/prefix, got {value[:60]!r}")
        return value.rstrip("/") + "/"
    if "://" in value:
        raise ConfigError(f"data path: a directory or s3://bucket/prefix, got {value[:60]!r}")
    folder = Path(value).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"data path: {folder} is not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"data path: cannot create {folder}: {err.strerror}") from None
    return str(folder) + "/"


def lake_from_env(store: str | None = None, data_path: str | None = None) -> Lake | None:
    """The DuckLake named by the arguments or ``CALLREP_STORE``; None for a file store."""
    value = store or os.environ.get(STORE_ENV) or None
    if not is_lake(value):
        return None
    assert value is not None
    return parse_lake(value, data_path or os.environ.get(DATA_PATH_ENV))
