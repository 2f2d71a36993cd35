"""``callrep simulator``: serve the simulated Telnyx and Plivo APIs on loopback."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from analytics.cli.synth import synth
from analytics.simulator import FaultPlan, Simulator, serve


def _rate(value: str) -> tuple[int, float]:
    try:
        count, _, seconds = value.partition("/")
        out = int(count), float(seconds)
    except ValueError:
        out = (0, 0.0)
    if out[0] < 1 or out[1] <= 0:
        raise click.BadParameter(f"expected REQUESTS/SECONDS such as 300/5, got {value!r}")
    return out


@click.group()
def simulator() -> None:
    """Simulated Telnyx and Plivo accounts for tests, the demo and benchmarks.

    \b
    Example:
      callrep simulator serve --port 8787
    """


_SERVE_EXAMPLE = """\b
Example:
  callrep simulator serve --port 8787 --latency-ms 50 --days 14
"""


@simulator.command("serve", epilog=_SERVE_EXAMPLE)
@click.option(
    "--port",
    type=int,
    default=8787,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--latency-ms", type=float, default=0.0, show_default=True, help="Delay added to every answer."
)
@click.option(
    "--seed", type=int, default=7, show_default=True, help="World seed (same seed, same data)."
)
@click.option(
    "--days",
    type=int,
    default=0,
    show_default=True,
    help="Simulated days to advance before serving.",
)
@click.option("--telnyx-numbers", type=int, default=300, show_default=True)
@click.option("--telnyx-enterprises", type=int, default=4, show_default=True)
@click.option("--plivo-numbers", type=int, default=60, show_default=True)
@click.option(
    "--plivo-rate", default="300/5", show_default=True, help="Plivo rate limit, REQUESTS/SECONDS."
)
@click.option(
    "--fault-rate", type=float, default=0.0, show_default=True, help="Share of requests that fail."
)
@click.option(
    "--malformed", is_flag=True, help="Add Telnyx records that break the documented shape."
)
def serve_command(
    port: int,
    latency_ms: float,
    seed: int,
    days: int,
    telnyx_numbers: int,
    telnyx_enterprises: int,
    plivo_numbers: int,
    plivo_rate: str,
    fault_rate: float,
    malformed: bool,
) -> None:
    """Serve both simulated provider APIs on 127.0.0.1 until Ctrl-C or SIGTERM.

    Telnyx answers under /v2 (Bearer key), Plivo under /v1/Account/<auth_id>/ (basic auth);
    the credentials printed at start are the simulator's own, not real ones.
    """
    if not 0.0 <= fault_rate <= 1.0:
        raise click.BadParameter("--fault-rate must be between 0 and 1")
    sim = Simulator(
        seed=seed,
        telnyx_numbers=telnyx_numbers,
        telnyx_enterprises=telnyx_enterprises,
        plivo_numbers=plivo_numbers,
        plivo_rate_limit=_rate(plivo_rate),
        malformed=malformed,
    )
    sim.advance(days)
    faults = FaultPlan(rate=fault_rate, seed=seed) if fault_rate > 0 else None
    server = serve(sim, port=port, latency=latency_ms / 1000.0, faults=faults)
    click.echo(f"simulated day   {sim.today.isoformat()} (now {sim.now.isoformat()})")
    click.echo(
        f"Telnyx base URL {server.telnyx_base_url}   Authorization: Bearer {sim.telnyx_api_key}"
    )
    click.echo(
        f"Plivo base URL  {server.plivo_base_url}   auth id {sim.plivo_auth_id}  "
        f"auth token {sim.plivo_auth_token}"
    )
    click.echo("Ctrl-C to stop.")
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"stopped after {sim.counters.requests} requests")


simulator.add_command(synth)
