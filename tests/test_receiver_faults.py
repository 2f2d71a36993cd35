"""The receiver as a real process: kill -9 loses no acknowledged callback; SIGTERM closes
the segment; ``collect`` lands the closed segments into ``plivo_status_callbacks``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import duckdb
import httpx

from analytics.config import load_settings
from analytics.orchestration.collect import collect
from analytics.receiver.segments import ARCHIVE, OPEN, closed_segments
from analytics.simulator.core import Simulator
from tests.receiver_helpers import AUTH_ID, payload
from tests.receiver_process import ServeProcess

BURST = 400  # callbacks sent per burst; the kill comes after KILL_AFTER are acknowledged
KILL_AFTER = 120
SENDERS = 16


def numbers_in(folder: Path, pattern: str) -> list[str]:
    """The ``number`` of every complete line of the segments matching ``pattern``."""
    found = []
    for seg in sorted(folder.glob(pattern)):
        for line in seg.read_bytes().split(b"\n")[:-1]:
            found.append(json.loads(line)["number"])
    return found


async def burst(server: ServeProcess, kill_after: int | None) -> list[str]:
    """Send BURST distinct callbacks from SENDERS tasks; SIGKILL the server after
    ``kill_after`` acknowledgements; return the numbers acknowledged with a 200."""
    acked: list[str] = []
    queue = list(range(BURST))

    async def sender(http: httpx.AsyncClient) -> None:
        while queue:
            n = queue.pop()
            number = f"1415555{n:04d}"
            try:
                answer = await http.post(server.url, data=payload(number=number))
            except httpx.TransportError:
                continue
            if answer.status_code == 200:
                acked.append(number)
                if kill_after is not None and len(acked) == kill_after:
                    server.proc.kill()

    async with httpx.AsyncClient(timeout=10) as http:
        await asyncio.gather(*(sender(http) for _ in range(SENDERS)))
    return acked


def test_kill_9_during_a_burst_loses_no_acknowledged_callback(tmp_path: Path):
    spool = tmp_path / "spool"
    server = ServeProcess(spool, AUTH_ID)
    try:
        acked = asyncio.run(burst(server, KILL_AFTER))
    finally:
        server.kill()
    assert KILL_AFTER <= len(acked) < BURST
    on_disk = numbers_in(spool, f"*{OPEN}") + numbers_in(spool, "*.jsonl")
    assert set(acked) <= set(on_disk)
    # the next receiver on the folder closes what the killed one left open
    server = ServeProcess(spool, AUTH_ID)
    assert server.terminate()
    assert not list(spool.glob(f"*{OPEN}"))
    closed = numbers_in(spool, "*.jsonl")
    assert set(acked) <= set(closed)
    assert len(closed) == len(set(closed))  # each line once


def test_sigterm_closes_the_segment_and_collect_lands_it(tmp_path: Path):
    sim = Simulator(seed=7, plivo_rate_limit=(10**6, 1.0))
    numbers = [n["number"] for n in sim.plivo.numbers()[:5]]
    db = tmp_path / "t.duckdb"
    spool = db.with_name("t.duckdb.callbacks")  # the default place, beside the database
    server = ServeProcess(spool, sim.plivo_auth_id)
    try:
        for number in numbers:
            body = payload(number=number, auth_id=sim.plivo_auth_id, carrier="tmobile")
            assert httpx.post(server.url, json=body).status_code == 200
    finally:
        assert server.terminate()
    [segment] = closed_segments(spool)
    config = tmp_path / "callrep.toml"
    config.write_text("[plivo]\nrate = 100000\nperiod_seconds = 1.0\n")
    env = {
        "PLIVO_AUTH_ID": sim.plivo_auth_id,
        "PLIVO_AUTH_TOKEN": sim.plivo_auth_token,
        "PLIVO_BASE_URL": "http://plivo.sim/v1",
        "CALLREP_DB": str(db),
        "CALLREP_CONFIG": str(config),
    }
    settings = load_settings(env=env)
    outcomes = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    by_source: dict[str, Any] = {o.source: o for o in outcomes}
    assert by_source["callbacks"].status == "succeeded"
    assert by_source["callbacks"].records == len(numbers)
    assert by_source["plivo"].status == "succeeded"
    assert closed_segments(spool) == []
    assert (spool / ARCHIVE / segment.name).is_file()
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select number, carrier, status from plivo_status_callbacks order by number"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(f"+{n}", "tmobile", "ACTIVE") for n in sorted(numbers)]
    again = collect(settings, only=["plivo"], transport=sim.transport(), collected_at=sim.now)
    assert [o.source for o in again] == ["plivo"]  # nothing left to land
