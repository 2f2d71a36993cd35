"""The Vega, Vega-Lite and vega-embed JavaScript, bundled offline by vl-convert (never a CDN)."""

from __future__ import annotations

import contextlib
import os
import re
from functools import cache
from pathlib import Path

import altair as alt
import vl_convert as vlc

from analytics.errors import InputError
from analytics.store.files import write_atomic


def vega_lite_version() -> str:
    """The Vega-Lite minor version Altair writes specs for (``6.4`` from ``v6.4.1``)."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    wanted = f"{major}.{minor}"
    available = vlc.get_vegalite_versions()
    return wanted if wanted in available else available[-1]


@cache
def vega_bundle() -> str:
    """One script defining ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``.

    Safe inside an inline ``<script>``: a ``</script`` in the source would end the tag early, so
    it is refused (the bundle has none; escaping ``</`` blindly would break regex literals).
    """
    bundle = _cached_bundle()
    if re.search(r"</script|<!--", bundle, re.IGNORECASE):
        raise RuntimeError("the Vega bundle contains </script or <!--; cannot inline it safely")
    return bundle


def _cached_bundle() -> str:
    """vl-convert takes 1–3 s to bundle, so the result is kept in the user's cache folder,
    keyed by the vl-convert and Vega-Lite versions (written atomically; any error: no cache)."""
    version = vega_lite_version()
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "callrep"
    path = root / f"vega-bundle-{vlc.__version__}-vl{version}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vlc.javascript_bundle(vl_version=version)
    with contextlib.suppress(InputError):
        write_atomic(path, bundle)
    return bundle
