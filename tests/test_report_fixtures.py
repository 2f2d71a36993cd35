"""A small synthetic database with built marts, shared by the report, export and notebook tests.

``report_db()`` synthesizes a few hundred numbers over nine weeks (straight into the landing
tables) and builds the models once per test session.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

import duckdb

from analytics.config import Pricing
from analytics.models import build
from analytics.simulator.synth import synthesize
from analytics.store.database import connect

NUMBERS = 300
DAYS = 63
MARKUP = '<script>alert("x")</script>'


def build_models(con: duckdb.DuckDBPyConnection) -> None:
    """Build every model from scratch with the default pricing."""
    build(con, Pricing(), full=True)


def add_markup(con: duckdb.DuckDBPyConnection) -> None:
    """Give the newest high-risk snapshot rows an API value that is markup."""
    con.execute(
        "update telnyx_number_snapshots set spam_category = $m "
        "where run_id = (select max(run_id) from collection_runs where source = 'telnyx')",
        {"m": MARKUP},
    )


@cache
def report_db() -> Path:
    """The session's shared database (built once, then only read)."""
    root = Path(tempfile.mkdtemp(prefix="callrep-report-"))
    path = root / "callrep.duckdb"
    con = connect(path)
    try:
        synthesize(con, numbers=NUMBERS, days=DAYS, enterprises=3)
        add_markup(con)
        build_models(con)
    finally:
        con.close()
    return path


def cleanup() -> None:
    if report_db.cache_info().currsize:
        shutil.rmtree(report_db().parent, ignore_errors=True)


def mart_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute("select table_name from duckdb_tables()").fetchall()
        if not re.match(r"^(stg_|int_)", r[0])
    }
