"""``callrep alerts``: the states that need action, announced once per episode per destination.

* :mod:`analytics.alerts.rules`: the rules, read from SQL headers (``-- alert:``);
* :mod:`analytics.alerts.episodes`: opening, closing and announcing, stored append-only;
* :mod:`analytics.alerts.digest`: human lines, JSON lines and the digest text;
* :mod:`analytics.alerts.run`: one run, end to end.
"""

from __future__ import annotations

from analytics.alerts import digest
from analytics.alerts.run import AlertRun, run_alerts

__all__ = ["AlertRun", "digest", "run_alerts"]
