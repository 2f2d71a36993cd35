"""``callrep simulator``: serve the simulated provider APIs (filled in by the simulator work)."""

from __future__ import annotations

import click


@click.group()
def simulator() -> None:
    """Simulated Telnyx and Plivo accounts for tests, the demo and benchmarks."""
