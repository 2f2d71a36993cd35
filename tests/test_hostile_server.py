"""collect against a hostile provider on loopback: every scenario ends bounded, landed or failed.

Caps and deadlines are set small in the test's callrep.toml, so each scenario takes seconds.
"""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.config import Settings, load_settings
from analytics.orchestration.collect import SourceOutcome, collect
from tests import hostile

TELNYX_KEY = "KEYhostile0123456789/abc+DEF_x"
PLIVO_ID = "MAHOSTILE0123456789X"
PLIVO_TOKEN = 'tok"en+PLIVO/0123456789abcdefXYZ'
SMALL_CAPS = """
[telnyx]
max_pages = 40
max_body_bytes = 1048576
request_deadline_seconds = 0.5
run_deadline_seconds = 20
[plivo]
rate = 100000
period_seconds = 1
max_pages = 40
max_body_bytes = 1048576
request_deadline_seconds = 0.5
run_deadline_seconds = 20
"""


def env_for(server: hostile.Hostile, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "callrep.toml"
    config.write_text(SMALL_CAPS)
    return {
        "TELNYX_API_KEY": TELNYX_KEY,
        "TELNYX_BASE_URL": server.telnyx_url,
        "PLIVO_AUTH_ID": PLIVO_ID,
        "PLIVO_AUTH_TOKEN": PLIVO_TOKEN,
        "PLIVO_BASE_URL": server.plivo_url,
        "CALLREP_DB": str(tmp_path / "callrep.duckdb"),
        "CALLREP_CONFIG": str(config),
    }


async def no_wait(_: float) -> None:
    await asyncio.sleep(0)


def run(
    scenario: str, tmp_path: Path
) -> tuple[dict[str, SourceOutcome], hostile.Hostile, Settings]:
    with hostile.serve(scenario, bomb_mib=8) as server:
        settings = load_settings(env_for(server, tmp_path))
        outcomes = {o.source: o for o in collect(settings, sleep=no_wait)}
    return outcomes, server, settings


def rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_repeated_pages_end_the_listing(tmp_path: Path) -> None:
    outcomes, server, settings = run("endless", tmp_path)
    assert {o.status for o in outcomes.values()} == {"succeeded"}
    # Telnyx: page 1 and the batches in flight when the repeat is seen (how many depends on
    # scheduling, a few times the concurrency at most); Plivo: page 1 and the repeat. Not 100,000.
    assert server.requests() < 200
    counts = dict(rows(settings, "select source, counts from collection_runs"))
    assert json.loads(counts["telnyx"])["repeated_pages"] >= 1
    assert json.loads(counts["plivo"])["repeated_pages"] == 1
    assert rows(settings, "select count(*) from plivo_number_snapshots") == [(2,)]
    assert set(server.methods) == {"GET"}


def test_endless_distinct_pages_fail_at_the_page_cap_naming_the_setting(tmp_path: Path) -> None:
    outcomes, server, settings = run("distinct", tmp_path)
    assert "telnyx.max_pages" in (outcomes["telnyx"].error or "")
    assert "plivo.max_pages" in (outcomes["plivo"].error or "")
    assert server.requests() < 200
    assert rows(settings, "select distinct status from collection_runs") == [("failed",)]


def test_decompression_bomb_fails_one_run_at_the_body_cap_and_spares_the_other(
    tmp_path: Path,
) -> None:
    outcomes, _, settings = run("bomb", tmp_path)
    assert outcomes["telnyx"].status == "failed"
    assert "telnyx.max_body_bytes" in (outcomes["telnyx"].error or "")
    assert outcomes["plivo"].status == "succeeded"
    assert rows(settings, "select count(*) from plivo_number_snapshots") == [(1,)]


def test_slow_loris_is_cut_by_the_request_deadline_and_spares_the_other(tmp_path: Path) -> None:
    outcomes, _, settings = run("drip", tmp_path)
    assert outcomes["plivo"].status == "failed"
    assert "plivo.request_deadline_seconds" in (outcomes["plivo"].error or "")
    assert outcomes["telnyx"].status == "succeeded"
    assert rows(settings, "select count(*) from telnyx_number_snapshots") == [(2,)]


def test_run_deadline_fails_the_run_naming_the_setting(tmp_path: Path) -> None:
    with hostile.serve("drip") as server:
        env = env_for(server, tmp_path)
        Path(env["CALLREP_CONFIG"]).write_text(
            "[plivo]\nrequest_deadline_seconds = 5\nrun_deadline_seconds = 0.5\n"
        )
        outcomes = {o.source: o for o in collect(load_settings(env), sleep=no_wait)}
    assert "plivo.run_deadline_seconds" in (outcomes["plivo"].error or "")
    assert outcomes["telnyx"].status == "succeeded"


def test_redirects_are_never_followed(tmp_path: Path) -> None:
    outcomes, server, _ = run("redirect", tmp_path)
    assert {o.status for o in outcomes.values()} == {"failed"}
    assert all("HTTP 302" in (o.error or "") for o in outcomes.values())
    assert all("stolen" not in p for p in server.paths)
    # One GET per listing (Telnyx enterprises; Plivo numbers, profiles, caller IDs), no retry.
    assert server.requests() == 4


@pytest.mark.parametrize("scenario", ["non_object", "overflow"])
def test_bad_records_are_flagged_and_kept_beside_the_good(scenario: str, tmp_path: Path) -> None:
    outcomes, _, settings = run(scenario, tmp_path)
    assert {o.status for o in outcomes.values()} == {"succeeded"}
    assert all(o.flagged >= 1 for o in outcomes.values())
    good = rows(
        settings,
        "select phone_number from telnyx_number_snapshots where phone_number is not null "
        "order by 1",
    )
    assert [g[0] for g in good] == list(hostile.NUMBERS)
    assert rows(settings, "select number from plivo_number_snapshots where number is not null") == [
        (f"+{hostile.PLIVO_NUMBER}",)
    ]
    flagged = rows(
        settings,
        "select count(*) from telnyx_number_snapshots where flags is not null and raw is not null",
    )
    assert flagged[0][0] >= 1


def test_a_text_body_with_newlines_prints_as_one_escaped_line(tmp_path: Path) -> None:
    with hostile.serve("newline") as server:
        result = CliRunner().invoke(cli, ["collect"], env=env_for(server, tmp_path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("telnyx: FAILED") and lines[1].startswith("plivo: FAILED")
    assert hostile.FORGED not in lines
    assert "\\n" + hostile.FORGED in lines[0]


def _raising(error: Exception) -> httpx.MockTransport:
    """An empty Telnyx account; every Plivo request raises `error` (a bug in our code)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1"):
            raise error
        return httpx.Response(200, json={"data": [], "meta": {"total_pages": 1}})

    return httpx.MockTransport(handler)


class _CtrlC(httpx.AsyncBaseTransport):
    """A user pressing Ctrl-C while the first request is in flight."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        signal.raise_signal(signal.SIGINT)
        await asyncio.sleep(5)
        return httpx.Response(500)


@pytest.fixture
def ledger(tmp_path: Path) -> Settings:
    server = hostile.Hostile("non_object", port=9)  # never listening: the transports answer
    return load_settings(env_for(server, tmp_path))


def test_an_unexpected_error_in_one_provider_never_costs_the_other(ledger: Settings) -> None:
    outcomes = {o.source: o for o in collect(ledger, transport=_raising(RuntimeError("boom")))}
    assert outcomes["telnyx"].status == "succeeded"
    assert outcomes["plivo"].status == "failed"
    assert "RuntimeError: boom" in (outcomes["plivo"].error or "")


def test_an_interrupt_leaves_no_run_running(ledger: Settings) -> None:
    with pytest.raises(KeyboardInterrupt):
        collect(ledger, transport=_CtrlC())
    statuses = rows(ledger, "select status, error from collection_runs")
    assert len(statuses) == 2
    assert all(s == "failed" and "KeyboardInterrupt" in e for s, e in statuses)
