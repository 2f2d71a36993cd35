"""Orchestration: the steps that take the writer lock and run the library in order.

Rendering and reading never write: the report, the exports and the notebook only read the
published copy, and the command line calls an orchestration step first when it needs one
(``callrep report`` builds stale models through :func:`build_if_stale` before rendering).

* :mod:`analytics.pipeline.build`: build and publish; build only when stale.

Collection, the demo and callback ingest are orchestration too and move here with the
multi-account work.
"""

from __future__ import annotations

from analytics.pipeline.build import StaleCheck, build_and_publish, build_if_stale

__all__ = ["StaleCheck", "build_and_publish", "build_if_stale"]
