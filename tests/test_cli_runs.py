"""``callrep runs --limit``: a whole number from 1 up, else one line and exit status 2."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.cli.collect import MAX_RUNS_LISTED
from analytics.simulator.synth import synthesize

ENV = {"CALLREP_CONFIG": None, "CALLREP_DB": None}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("runs") / "ledger.duckdb"
    synthesize(db, numbers=5, days=3, start=date(2026, 9, 7))  # six runs
    return db


def _runs(db: Path, limit: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["runs", "--db", str(db), "--limit", limit], env=ENV)
    return result.exit_code, result.output.splitlines()


@pytest.mark.parametrize(
    "limit", ["-1", "0", "99999999999999999999", str(MAX_RUNS_LISTED + 1), "abc", "2.5", "", "١"]
)
def test_a_bad_limit_is_one_line_and_exit_2(ledger: Path, limit: str) -> None:
    code, lines = _runs(ledger, limit)
    assert code == 2
    assert lines == [
        f"callrep: error: --limit: expected a whole number from 1 to 1,000,000, got {limit!r}"
    ]


def test_a_bad_limit_is_refused_before_the_database_is_looked_at(tmp_path: Path) -> None:
    code, lines = _runs(tmp_path / "missing.duckdb", "0")
    assert code == 2 and len(lines) == 1 and "--limit" in lines[0]


@pytest.mark.parametrize(("limit", "shown"), [("1", 1), ("4", 4), ("6", 6), (" 1000000", 6)])
def test_a_good_limit_lists_that_many_runs(ledger: Path, limit: str, shown: int) -> None:
    code, lines = _runs(ledger, limit)
    assert code == 0
    assert len(lines) == 1 + shown  # the header, then the newest runs
    assert [line.split()[0] for line in lines[1:]] == [str(6 - i) for i in range(shown)]


@settings(max_examples=60, deadline=None)
@given(limit=st.text(max_size=30))
def test_any_limit_text_is_a_listing_or_one_line(ledger: Path, limit: str) -> None:
    code, lines = _runs(ledger, limit)
    assert code in (0, 2)
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("callrep: error: --limit:")
