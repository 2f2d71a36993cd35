"""A loopback HTTP server for the simulator (stdlib ``ThreadingHTTPServer``).

Each request is turned into an ``httpx.Request``, passed through the optional
:class:`FaultPlan` and ``Simulator.handle``, and written back with a Content-Length, so
clients can keep connections alive (HTTP/1.1), and ``X-Callrep-Simulator: 1``, so no real
database takes its data. A ``drop`` fault closes the socket unanswered.
Only loopback addresses are accepted.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx

from analytics.simulator.faults import FaultPlan, fault_response
from analytics.store.provenance import SIMULATOR_HEADER

if TYPE_CHECKING:
    from analytics.simulator.core import Simulator

LOOPBACK = ("127.0.0.1", "localhost")
_OWN_HEADERS = ("content-length", "transfer-encoding", "connection", SIMULATOR_HEADER.lower())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the simulator's counters are the log."""

    def _serve(self) -> None:
        srv = self.server
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        host = f"{srv.server_address[0]}:{srv.server_address[1]}"
        headers = [
            (k, v) for k, v in self.headers.items() if k.lower() not in ("content-length", "host")
        ]
        request = httpx.Request(
            self.command, f"http://{host}{self.path}", headers=headers, content=body
        )
        kind = srv.faults.draw() if srv.faults else None
        delay = srv.latency + (srv.faults.slow_seconds if kind == "slow" and srv.faults else 0.0)
        if delay:
            time.sleep(delay)
        if kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind in ("429", "429_retry_after", "500", "503") and srv.faults:
            response = fault_response(kind, request, srv.faults.retry_after())
        else:
            response = srv.sim.handle(request)
        content = response.content
        self.send_response(response.status_code)
        for key, value in response.headers.items():
            if key.lower() not in _OWN_HEADERS:
                self.send_header(key, value)
        self.send_header(SIMULATOR_HEADER, "1")  # so no real database takes its data
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: Simulator
    faults: FaultPlan | None
    latency: float


class SimServer:
    """A bound (not yet serving) simulator server; ``start()``/``shutdown()`` or ``with``."""

    def __init__(
        self,
        sim: Simulator,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
    ) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the simulator binds loopback only (127.0.0.1), not {host!r}")
        self.sim = sim
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.sim, self._httpd.faults, self._httpd.latency = sim, faults, latency
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def telnyx_base_url(self) -> str:
        return f"{self.url}/v2"

    @property
    def plivo_base_url(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> SimServer:
        """Serve on a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="callrep-simulator", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until ``shutdown()`` (from another thread or a signal)."""
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 0,
    latency: float = 0.0,
    faults: FaultPlan | None = None,
) -> SimServer:
    """Bind a loopback server for ``sim`` (port 0: any free port); ``start()`` it or ``with`` it."""
    return SimServer(sim, host=host, port=port, latency=latency, faults=faults)
