"""Transports, faults, the loopback server, determinism and the ``serve`` command."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.simulator import FaultPlan, Simulator, serve

TELNYX = {"Authorization": "Bearer sim-telnyx-key"}
PLIVO_AUTH = ("MASIM0000000000000001", "sim-plivo-token")


def small(**kw: object) -> Simulator:
    return Simulator(telnyx_numbers=60, plivo_numbers=20, **kw)  # type: ignore[arg-type]


def test_async_transport_serves_both_providers() -> None:
    sim = small()

    async def go() -> tuple[int, int]:
        async with httpx.AsyncClient(
            base_url="http://sim/v2", transport=sim.transport(latency=0.001), headers=TELNYX
        ) as tx:
            a = await tx.get("/enterprises")
        async with httpx.AsyncClient(
            base_url="http://sim/v1", transport=sim.transport(), auth=PLIVO_AUTH
        ) as px:
            b = await px.get(f"/Account/{PLIVO_AUTH[0]}/Number/")
        return a.status_code, b.status_code

    assert asyncio.run(go()) == (200, 200)
    assert sim.counters.requests == 2


def test_faults_are_injected_at_the_requested_rate() -> None:
    sim = small()
    plan = FaultPlan(rate=0.2, kinds=("429", "429_retry_after", "500", "503"), seed=3)
    c = httpx.Client(base_url="http://sim/v2", transport=sim.transport(faults=plan), headers=TELNYX)
    codes = [c.get("/enterprises").status_code for _ in range(1000)]
    failed = sum(code != 200 for code in codes)
    assert 150 < failed < 250 and set(codes) == {200, 429, 500, 503}
    assert sum(plan.injected.values()) == failed and sim.counters.requests == 1000 - failed
    again = FaultPlan(rate=0.2, kinds=("429", "429_retry_after", "500", "503"), seed=3)
    c2 = httpx.Client(
        base_url="http://sim/v2", transport=small().transport(faults=again), headers=TELNYX
    )
    assert [c2.get("/enterprises").status_code for _ in range(1000)] == codes


def test_retry_after_drop_and_slow_faults() -> None:
    sim = small()
    ra = httpx.Client(
        base_url="http://sim/v2",
        transport=sim.transport(faults=FaultPlan(rate=1.0, kinds=("429_retry_after",))),
        headers=TELNYX,
    )
    assert {ra.get("/enterprises").headers["retry-after"] for _ in range(4)} == {"0", "1"}
    plain = httpx.Client(
        base_url="http://sim/v2",
        transport=sim.transport(faults=FaultPlan(rate=1.0, kinds=("429",))),
        headers=TELNYX,
    )
    assert "retry-after" not in plain.get("/enterprises").headers
    drop = httpx.Client(
        base_url="http://sim/v2",
        transport=sim.transport(faults=FaultPlan(rate=1.0, kinds=("drop",))),
    )
    with pytest.raises(httpx.RemoteProtocolError):
        drop.get("/enterprises")
    slow = FaultPlan(rate=1.0, kinds=("slow",), slow_seconds=0.2)

    async def timed_out() -> None:
        async with httpx.AsyncClient(
            base_url="http://sim/v2",
            transport=sim.transport(faults=slow),
            headers=TELNYX,
            timeout=0.05,
        ) as client:
            await client.get("/enterprises")

    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(timed_out())


def test_same_seed_same_answers() -> None:
    def run(seed: int) -> list[bytes]:
        sim = Simulator(seed=seed, telnyx_numbers=150, plivo_numbers=30)
        sim.advance(5)
        tx = httpx.Client(base_url="http://sim/v2", transport=sim.transport(), headers=TELNYX)
        px = httpx.Client(
            base_url=f"http://sim/v1/Account/{PLIVO_AUTH[0]}",
            transport=sim.transport(),
            auth=PLIVO_AUTH,
        )
        eid = sim.telnyx.enterprises()[0]["id"]
        return [
            tx.get("/enterprises").content,
            tx.get(f"/enterprises/{eid}/reputation/numbers", params={"page[size]": 250}).content,
            tx.get(f"/enterprises/{eid}/reputation/remediation").content,
            px.get("/Number/").content,
            px.get("/Profile/").content,
        ]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_advancing_in_steps_equals_one_jump() -> None:
    a, b = small(), small()
    a.advance(4)
    for _ in range(4):
        b.advance(1)
    eid = a.telnyx.enterprises()[0]["id"]
    assert a.telnyx.numbers(eid) == b.telnyx.numbers(eid)
    assert a.plivo.numbers() == b.plivo.numbers()


def test_real_server_over_loopback() -> None:
    sim = small()
    with serve(sim, port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        r = httpx.get(f"{server.telnyx_base_url}/enterprises", headers=TELNYX)
        p = httpx.get(f"{server.plivo_base_url}/Account/{PLIVO_AUTH[0]}/Number/", auth=PLIVO_AUTH)
    assert r.status_code == 200 and r.json()["meta"]["total_results"] == 4
    assert p.status_code == 200 and p.json()["meta"]["total_count"] == 20
    with pytest.raises(ValueError):
        serve(sim, host="0.0.0.0")


def test_server_drop_closes_without_answer() -> None:
    sim = small()
    with (
        serve(sim, faults=FaultPlan(rate=1.0, kinds=("drop",))) as server,
        pytest.raises(httpx.TransportError),
    ):
        httpx.get(f"{server.telnyx_base_url}/enterprises", headers=TELNYX)


def test_serve_help_ends_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["simulator", "serve", "--help"])
    assert result.exit_code == 0
    assert "--latency-ms" in result.output and "--plivo-rate" in result.output
    assert result.output.rstrip().splitlines()[-1].strip().startswith("callrep simulator serve")
