"""Simulated Telnyx Number Reputation and Plivo Caller Reputation APIs.

One :class:`Simulator` holds a seeded, day-stepped world for both providers and answers
``httpx.Request``s in-process (``sim.transport()``) or over loopback (``serve(sim)``)::

    sim = Simulator(seed=7)
    async with httpx.AsyncClient(base_url="http://sim/v2", transport=sim.transport(),
                                 headers={"Authorization": "Bearer sim-telnyx-key"}) as client:
        page = (await client.get("/enterprises")).json()
"""

from analytics.simulator.core import Counters, Simulator
from analytics.simulator.faults import FaultPlan
from analytics.simulator.plivo_world import PlivoWorld, merged_status
from analytics.simulator.server import SimServer, serve
from analytics.simulator.telnyx_world import TelnyxWorld
from analytics.simulator.transport import SimTransport

__all__ = [
    "Counters",
    "FaultPlan",
    "PlivoWorld",
    "SimServer",
    "SimTransport",
    "Simulator",
    "TelnyxWorld",
    "merged_status",
    "serve",
]
