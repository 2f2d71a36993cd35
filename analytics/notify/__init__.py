"""Notification destinations shared by ``callrep alerts`` and ``callrep report --mail``.

* :mod:`analytics.notify.destinations`: URLs from ``$CALLREP_NOTIFY`` and the apprise file
  ``notify_config`` names, each kept as a secret, and one delivery at a time.
"""

from __future__ import annotations

from analytics.notify.destinations import (
    NOTIFY_ENV,
    Delivery,
    Destination,
    deliver,
    load_destinations,
)

__all__ = ["NOTIFY_ENV", "Delivery", "Destination", "deliver", "load_destinations"]
