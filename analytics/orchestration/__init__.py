"""Orchestration: the steps that take the writer lock and run the library in order.

Rendering and reading never write: the report, the exports and the notebook only read the
published copy, and the command line calls an orchestration step first when it needs one
(``callrep report`` builds stale models through :func:`build_if_stale` before rendering).

* :mod:`analytics.orchestration.collect`: collect every account, each in its own run;
* :mod:`analytics.orchestration.build`: build and publish; build only when stale;
* :mod:`analytics.orchestration.ingest` (with :mod:`~analytics.orchestration.spool`): land
  Plivo status callbacks from a receiver's spool;
* :mod:`analytics.orchestration.demo`: simulate, collect, build, report and export.
"""

from __future__ import annotations

from analytics.orchestration.build import StaleCheck, build_and_publish, build_if_stale

__all__ = ["StaleCheck", "build_and_publish", "build_if_stale"]
