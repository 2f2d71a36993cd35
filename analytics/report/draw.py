"""Charts drawn to static SVG by vl-convert in a worker process.

vl-convert holds the GIL while it starts its JavaScript runtime (~0.5 s) and while it renders,
so a thread cannot overlap it with the report's queries and templates (measured: the calling
thread stalls for the whole of each conversion). A process can: :class:`Drawer` starts one
that warms vl-convert up at once, while the report runs its queries; :meth:`Drawer.draw` hands
it the specs and returns a function that waits for their SVG. The worker imports only
vl-convert (not Altair); a report that fails before drawing ends it.

    python -m analytics.report.draw 6.4 < {"specs": [...]} > ["<svg ...", ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

import vl_convert as vlc

# the warm-up draws text too, so the worker has loaded its fonts before the first chart
_WARM_UP = {
    "data": {"values": [{"x": 1}]},
    "mark": {"type": "text", "font": "Liberation Sans, Arial, Helvetica, sans-serif"},
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "x"}},
}


class Drawer:
    """A worker process converting Vega-Lite specs (version ``vl_version``) to SVG."""

    def __init__(self, vl_version: str) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "analytics.report.draw", vl_version],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # a report that fails before drawing: end the worker when the drawer goes
        weakref.finalize(self, _stop, self._proc)

    def draw(self, specs: list[dict[str, Any]]) -> Callable[[], list[str]]:
        """Send ``specs``; the result waits for their SVG, in order (once)."""
        got: dict[str, Any] = {}
        payload = json.dumps({"specs": specs}).encode()

        def talk() -> None:  # in a thread: the worker reads its input only once warmed up
            got["out"], got["err"] = self._proc.communicate(payload)

        thread = threading.Thread(target=talk, name="svg-worker", daemon=True)
        thread.start()

        def finish() -> list[str]:
            thread.join()
            if self._proc.returncode != 0:
                lines = got["err"].decode(errors="replace").strip().splitlines() or ["no output"]
                raise RuntimeError(f"drawing the static charts failed: {lines[-1]}")
            return json.loads(got["out"])

        return finish


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.returncode is None:
        proc.kill()
        proc.communicate()


def to_svg(spec: dict[str, Any], vl_version: str) -> str:
    """One chart rendered to SVG, without the XML prolog (so it can sit inline in HTML)."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


def main(argv: list[str]) -> None:
    """The worker: warm up, read ``{"specs": [...]}`` from stdin, write their SVG as JSON."""
    vl_version = argv[0]
    to_svg(_WARM_UP, vl_version)
    request = json.load(sys.stdin)
    try:
        svgs = [to_svg(spec, vl_version) for spec in request["specs"]]
    except ValueError as err:  # "Vega-Lite to SVG conversion failed:\nTypeError: ...\n  at"
        sys.exit(" ".join(str(err).splitlines()[:2]))
    json.dump(svgs, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
