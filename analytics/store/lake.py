"""Opening a DuckLake store: the catalog in PostgreSQL, the Parquet on a path or in S3.

A connection is an in-memory DuckDB with the lake attached as ``lake`` and made the default
database, so every model, report query and landing insert runs unchanged. The extensions
come from their PyPI wheels (``duckdb-extension-*``, matching the pinned duckdb), installed
from the wheel's file on first use; nothing is ever fetched from the network.

A fresh lake gets its schema from the migrations themselves: they run on a scratch
in-memory database (where sequences and keys exist) and each resulting table is created
empty in the lake, without constraints; ``schema_version`` records the version, and later
migrations apply to the lake as to a file.
"""

from __future__ import annotations

import os
import random
import re
import time
from contextlib import suppress

import duckdb

from analytics.errors import ConfigError, StoreError
from analytics.store.location import Lake
from analytics.store.schema import current_version, migrate
from analytics.store.transaction import first_line, transaction

LAKE = "lake"  # the attached catalog's name on every connection
_EXTENSIONS = ("ducklake", "postgres")
_S3_EXTENSIONS = ("httpfs", "aws")
_ENDPOINT = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?")


def on_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """True when ``con`` works in a DuckLake (where CHECKPOINT means full maintenance)."""
    row = con.execute("select current_database()").fetchone()
    return bool(row) and row[0] == LAKE


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load ``name``, installing it first from its PyPI wheel (never from the network)."""
    try:
        con.execute(f"load {name}")
        return
    except duckdb.Error:
        pass
    try:
        from duckdb_extensions import import_extension
    except ImportError:  # pragma: no cover - a dependency of callrep
        raise ConfigError("the DuckDB extension wheels are not installed") from None
    try:
        import_extension(name, con=con)
        con.execute(f"load {name}")
    except (ImportError, duckdb.Error) as err:
        raise ConfigError(
            f"cannot load the DuckDB extension {name} from duckdb-extension-{name}: "
            f"{first_line(err)}"
        ) from None


def s3_secret(con: duckdb.DuckDBPyConnection) -> None:
    """An S3 secret from the ``AWS_*`` variables (the aws extension's credential chain, so
    no key ever appears in SQL text); ``AWS_ENDPOINT_URL`` points at a local S3."""
    options = ["type s3", "provider credential_chain", "chain 'env;config'"]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        if not re.fullmatch(r"[a-z0-9\-]{1,40}", region):
            raise ConfigError(f"AWS_REGION: expected a region such as us-east-1, got {region!r}")
        options.append(f"region '{region}'")
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        if scheme not in ("http", "https") or not _ENDPOINT.fullmatch(host.rstrip("/")):
            raise ConfigError(
                f"AWS_ENDPOINT_URL: expected http(s)://host[:port], got {endpoint[:60]!r}"
            )
        options += [
            f"endpoint '{host.rstrip('/')}'",
            "url_style 'path'",
            f"use_ssl {'true' if scheme == 'https' else 'false'}",
        ]
    con.execute(f"create or replace secret callrep_s3 ({', '.join(options)})")


def connect_lake(lake: Lake, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with ``lake`` attached and in use; a one-line StoreError if it fails."""
    from analytics.store.database import connect

    con = connect(":memory:")
    try:
        for name in _EXTENSIONS + (_S3_EXTENSIONS if lake.on_s3 else ()):
            load_extension(con, name)
        if lake.on_s3:
            s3_secret(con)
        _attach(con, lake, read_only)
        con.execute(f"use {LAKE}")
    except duckdb.Error as err:
        con.close()
        raise StoreError(f"cannot open the DuckLake {lake.describe()}: {_clean(err)}") from None
    except BaseException:
        con.close()
        raise
    return con


def _attach(con: duckdb.DuckDBPyConnection, lake: Lake, read_only: bool) -> None:
    """ATTACH the lake; processes that meet an empty catalog all create its tables at once,
    and all but one fail: those try again (a few times) and find the catalog made."""
    mode = ", read_only" if read_only else ""
    # ATTACH takes no parameters: both values were checked to hold no quote (location.py)
    sql = (
        f"attach 'ducklake:postgres:{lake.conninfo}' as {LAKE} (data_path '{lake.data_path}'{mode})"
    )
    for attempt in range(5):
        try:
            con.execute(sql)
            return
        except duckdb.Error as err:
            if "Failed to initialize DuckLake" not in str(err) or attempt == 4:
                raise
            time.sleep(0.2 + random.random() * (attempt + 1))


def _clean(err: BaseException) -> str:
    """DuckDB's first line, without any password libpq may echo."""
    return re.sub(r"password=\S+", "password=***", first_line(err), flags=re.IGNORECASE)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Give a fresh lake callrep's schema, or apply pending migrations; the new version."""
    from analytics.store.provenance import ensure_table

    if current_version(con) > 0:
        return migrate(con)
    con.execute("attach ':memory:' as callrep_scratch")
    try:
        con.execute("use callrep_scratch")
        version = migrate(con)
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = 'callrep_scratch'"
        ).fetchall()
        con.execute(f"use {LAKE}")
        try:
            with transaction(con):
                for (table,) in tables:
                    con.execute(
                        f"create table {LAKE}.main.{table} as "  # noqa: S608 - from duckdb_tables
                        f"select * from callrep_scratch.main.{table}"
                    )
                ensure_table(con)  # created lazily on a file; concurrent creations conflict
        except (StoreError, duckdb.Error):  # a table exists already, or the commit conflicted
            if current_version(con) == 0:
                raise
            return migrate(con)  # a concurrent first process created it: use theirs
    finally:
        with suppress(duckdb.Error):
            con.execute(f"use {LAKE}")
        con.execute("detach callrep_scratch")
    return version
