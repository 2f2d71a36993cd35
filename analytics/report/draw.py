"""Charts drawn to static SVG by vl-convert in a worker process, each as soon as it is built.

vl-convert holds the GIL while it starts its JavaScript runtime (~0.5 s) and while it renders,
so a thread cannot overlap it with the report's queries and templates (measured: the calling
thread stalls for the whole of each conversion). A process can: :class:`Drawer` starts one
that warms vl-convert up at once; :meth:`Drawer.send` hands it one spec (it is drawn while the
report runs its other queries) and :meth:`Drawer.results` waits for the SVG of all of them.
The worker imports only vl-convert (not Altair); a report that fails before drawing ends it.

    python -m analytics.report.draw 6.4 < one spec (JSON) a line > one SVG (JSON string) a line

Threads of the caller carry the bytes, so neither side ever waits on a full pipe: one writes
the specs (the worker reads its next spec only between conversions), the others read the SVG
(which would otherwise fill the pipe while the caller runs queries) and the worker's errors.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
import weakref
from typing import IO, Any

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
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._svgs: list[bytes] = []
        self._errors: list[bytes] = []
        self._sent = 0
        # the threads hold the pipes and lists, never the drawer, so that it can be collected
        assert self._proc.stdin and self._proc.stdout and self._proc.stderr
        self._threads = [
            threading.Thread(target=_write, args=(self._outbox, self._proc.stdin), daemon=True),
            threading.Thread(target=_read, args=(self._proc.stdout, self._svgs), daemon=True),
            threading.Thread(target=_read, args=(self._proc.stderr, self._errors), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        # a report that fails before drawing: end the worker when the drawer goes
        weakref.finalize(self, _stop, self._proc, self._outbox)

    def send(self, spec: dict[str, Any]) -> None:
        """Queue ``spec`` for drawing; it is drawn after the ones sent before it."""
        self._outbox.put(json.dumps(spec).encode() + b"\n")
        self._sent += 1

    def results(self) -> list[str]:
        """Wait for the SVG of every spec sent, in the order sent (once; the worker ends).

        A worker that fails (a spec vl-convert rejects, a crash) is one ``RuntimeError`` with
        the last line it wrote to stderr.
        """
        if not self._sent:
            _stop(self._proc, self._outbox)  # nothing to draw: do not wait for the warm-up
            return []
        self._outbox.put(None)
        for thread in self._threads:
            thread.join()
        if self._proc.wait() != 0 or len(self._svgs) != self._sent:
            lines = b"".join(self._errors).decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"drawing the static charts failed: {(lines or ['no output'])[-1]}")
        return [json.loads(svg) for svg in self._svgs]


def _write(outbox: queue.SimpleQueue[bytes | None], pipe: IO[bytes]) -> None:
    """Write each queued spec to the worker until ``None``, then close its input."""
    try:
        while (line := outbox.get()) is not None:
            pipe.write(line)
            pipe.flush()
    except OSError:  # the worker ended early: results() reports why
        pass
    finally:
        with contextlib.suppress(OSError):  # what is left unwritten has nowhere to go
            pipe.close()


def _read(pipe: IO[bytes], lines: list[bytes]) -> None:
    """Collect the lines of one of the worker's outputs until it closes it."""
    with pipe:
        lines.extend(iter(pipe.readline, b""))


def _stop(proc: subprocess.Popen[bytes], outbox: queue.SimpleQueue[bytes | None]) -> None:
    outbox.put(None)  # the writer thread ends too
    if proc.returncode is None:
        proc.kill()
        proc.wait()


def to_svg(spec: dict[str, Any], vl_version: str) -> str:
    """One chart rendered to SVG, without the XML prolog (so it can sit inline in HTML)."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


def main(argv: list[str]) -> None:
    """The worker: warm up, then for each spec line on stdin write its SVG line to stdout."""
    vl_version = argv[0]
    to_svg(_WARM_UP, vl_version)
    for line in iter(sys.stdin.buffer.readline, b""):
        try:
            svg = to_svg(json.loads(line), vl_version)
        except ValueError as err:  # "Vega-Lite to SVG conversion failed:\nTypeError: ...\n  at"
            sys.exit(" ".join(str(err).splitlines()[:2]))
        sys.stdout.write(json.dumps(svg) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
