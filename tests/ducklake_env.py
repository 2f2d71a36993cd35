"""A PostgreSQL catalog and a loopback S3 for the DuckLake tests.

``.ci/run`` starts both and exports ``CALLREP_TEST_PG`` (a conninfo without a database) and
``AWS_ENDPOINT_URL`` (with ``AWS_*`` keys); without them, :func:`postgres_cluster` starts a
throwaway cluster itself when PostgreSQL's binaries are installed, and :func:`moto_server`
a moto server. When neither is possible the tests skip, unless
``CALLREP_REQUIRE_DUCKLAKE=1`` (set in CI), where they fail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

PG_ENV = "CALLREP_TEST_PG"
REQUIRE_ENV = "CALLREP_REQUIRE_DUCKLAKE"
_BIN_DIRS = (
    "/usr/local/bin",
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)


def unavailable(what: str) -> None:
    """Skip (a developer without it) or fail (CI, where it must run)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{what} and {REQUIRE_ENV}=1")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _binary(name: str) -> str | None:
    for folder in _BIN_DIRS:
        if os.access(Path(folder) / name, os.X_OK):
            return str(Path(folder) / name)
    return shutil.which(name)


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL on 127.0.0.1 and a free port (as ``postgres`` under root,
    since initdb refuses root); yields its conninfo without a database, removes it after."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        unavailable("PostgreSQL (initdb, pg_ctl) is not installed")
        raise AssertionError  # unreachable: skip and fail raise
    root = Path(tempfile.mkdtemp(prefix="callrep-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        pwd.getpwnam("postgres")  # KeyError: create the user (.ci/run does)
        shutil.chown(root, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    try:
        subprocess.run(
            [*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *run_as,
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "-o",
                f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        try:
            yield f"host=127.0.0.1 port={port} user=postgres"
        finally:
            subprocess.run(
                [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(conninfo: str) -> str:
    """Create an empty database on the server; return a conninfo naming it."""
    name = f"lake_{uuid.uuid4().hex[:12]}"
    psql = _binary("psql") or "psql"
    subprocess.run(
        [psql, "-q", "-d", f"{conninfo} dbname=postgres", "-c", f"create database {name}"],
        check=True,
        capture_output=True,
    )
    return f"dbname={name} {conninfo}"


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server on loopback; yields its endpoint URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(endpoint, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    unavailable("the moto S3 server did not start")
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)


def new_bucket(endpoint: str) -> str:
    """Create an empty bucket on the (moto) endpoint; return its name."""
    name = f"lake-{uuid.uuid4().hex[:12]}"
    httpx.put(f"{endpoint}/{name}", timeout=10).raise_for_status()
    return name
