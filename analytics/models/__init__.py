"""The SQL model layer: discover ``queries/**/*.sql``, order, materialise, document.

Public API::

    from analytics.models import build, models, marts, is_stale, last_build
    report = build(con, pricing, full=False)   # -> BuildReport
    models()    # every model with its parsed header, in dependency order
    marts()     # the documented public marts (name, purpose, grain, key, columns)
    is_stale(con)   # a collection succeeded after the last build

See :mod:`analytics.models.runner` for how incremental models work.
"""

from __future__ import annotations

from analytics.models.discovery import Model, ModelError
from analytics.models.discovery import discover as models
from analytics.models.docs import Mart, marts
from analytics.models.runner import BuildReport, ModelResult, build
from analytics.models.state import LastBuild, is_stale, last_build, runs_since_build

__all__ = [
    "BuildReport",
    "LastBuild",
    "Mart",
    "Model",
    "ModelError",
    "ModelResult",
    "build",
    "is_stale",
    "last_build",
    "marts",
    "models",
    "runs_since_build",
]
