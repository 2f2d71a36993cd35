"""A minimal HTTP/1.1 server for the Telnyx bench: pre-rendered pages, injected latency.

The simulator renders each answer in Python on the 2 cores the clients also use, which set a
floor under every client. Here every Telnyx listing page is rendered once, before timing
starts, by the simulator itself (so the bytes are exactly what it would send); a request then
costs a dict look-up and one ``transport.write`` scheduled ``latency`` seconds later. Any other
URL is rendered by the simulator on first use and cached (the bench's warm-up run fills it).

``--rate N`` enforces N requests per 1 s fixed window and announces the quota on every answer
(x-ratelimit-limit / -remaining / -reset), answering 429 with Retry-After when it is spent.

    python -m bench.pageserver --telnyx-numbers 100000 --latency-ms 50 [--rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import signal
import sys
import time
from urllib.parse import parse_qsl, urlsplit

import httpx

from analytics.simulator import Simulator
from analytics.store.provenance import SIMULATOR_HEADER

_DROP = {"content-length", "transfer-encoding", "connection", "content-encoding"}
_REASONS = {200: "OK", 404: "Not Found", 401: "Unauthorized", 429: "Too Many Requests"}
PAGE_SIZE = 250
_SIM_429 = f"{SIMULATOR_HEADER}: 1\r\ncontent-length: 2\r\n\r\n{{}}".encode()


def _key(target: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(target)
    return parts.path, tuple(sorted(parse_qsl(parts.query)))


class Pages:
    """Rendered answers by (path, sorted query): head (status line + headers) and body."""

    def __init__(self, sim: Simulator, origin: str) -> None:
        self.sim, self.origin = sim, origin
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[bytes, bytes]] = {}

    def get(self, target: str) -> tuple[bytes, bytes]:
        key = _key(target)
        hit = self._cache.get(key)
        if hit is None:
            request = httpx.Request(
                "GET",
                self.origin + target,
                headers={"Authorization": f"Bearer {self.sim.telnyx_api_key}"},
            )
            response = self.sim.handle(request)
            body = response.content
            lines = [f"HTTP/1.1 {response.status_code} {_REASONS.get(response.status_code, 'X')}"]
            lines += [f"{k}: {v}" for k, v in response.headers.items() if k.lower() not in _DROP]
            lines.append(f"{SIMULATOR_HEADER}: 1")  # so no real database takes its data
            lines.append(f"content-length: {len(body)}")
            hit = ("\r\n".join(lines) + "\r\n").encode(), body
            if response.status_code == 200:
                self._cache[key] = hit
        return hit

    def prerender(self) -> int:
        """Render every Telnyx answer a collection asks for (page size 250): the listings of
        enterprises and numbers, each enterprise's reputation settings, its remediation
        listing and each request's detail; returns the number of number-listing pages.

        All of it, not only the number pages: a server without a warm-up run (the pacing
        check's) would otherwise render the rest on the clock.
        """
        size = f"page[size]={PAGE_SIZE}"
        self.get(f"/v2/enterprises?{size}")  # the peers ask without a page number
        ents = json.loads(self.get(f"/v2/enterprises?page[number]=1&{size}")[1])["data"]
        n = 1
        for ent in ents:
            base = f"/v2/enterprises/{ent['id']}/reputation"
            self.get(base)
            n += self._listing(f"{base}/numbers")
            for page in range(1, self._listing(f"{base}/remediation") + 1):
                body = json.loads(self.get(f"{base}/remediation?page[number]={page}&{size}")[1])
                for request in body.get("data") or []:
                    self.get(f"{base}/remediation/{request['id']}")
        return n

    def _listing(self, path: str) -> int:
        """Render every page of the listing at `path`; returns its page count."""
        size = f"page[size]={PAGE_SIZE}"
        first = json.loads(self.get(f"{path}?page[number]=1&{size}")[1])
        pages = (first.get("meta") or {}).get("total_pages") or 0
        for page in range(2, pages + 1):
            self.get(f"{path}?page[number]={page}&{size}")
        return pages


class Quota:
    """N requests per 1 s fixed window, on the monotonic clock."""

    def __init__(self, limit: int) -> None:
        self.limit, self.start, self.used = limit, -math.inf, 0
        self.refused = 0

    def take(self) -> tuple[bool, bytes]:
        now = time.monotonic()
        if now >= self.start + 1.0:
            self.start, self.used = now, 0
        self.used += 1
        reset = self.start + 1.0 - now
        ok = self.used <= self.limit
        self.refused += not ok
        head = (
            f"x-ratelimit-limit: {self.limit}\r\n"
            f"x-ratelimit-remaining: {max(0, self.limit - self.used)}\r\n"
            f"x-ratelimit-reset: {reset:.3f}\r\n"
        )
        if not ok:
            head = f"HTTP/1.1 429 Too Many Requests\r\nretry-after: {reset:.3f}\r\n" + head
        return ok, head.encode()


class _Conn(asyncio.Protocol):
    def __init__(self, pages: Pages, latency: float, quota: Quota | None) -> None:
        self.pages, self.latency, self.quota = pages, latency, quota
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        loop = asyncio.get_running_loop()
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head, self.buf = self.buf[:end], self.buf[end + 4 :]
            target = head.split(b" ", 2)[1].decode("latin-1")
            status_head, body = self.pages.get(target)
            if self.quota is not None:
                ok, extra = self.quota.take()
                out = status_head + extra + b"\r\n" + body if ok else extra + _SIM_429
            else:
                out = status_head + b"\r\n" + body
            loop.call_later(self.latency, self._write, out)

    def _write(self, out: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(out)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def _serve(a: argparse.Namespace) -> None:
    sim = Simulator(telnyx_numbers=a.telnyx_numbers, telnyx_enterprises=a.telnyx_enterprises)
    quota = Quota(a.rate) if a.rate else None
    loop = asyncio.get_running_loop()
    pages = Pages(sim, "http://127.0.0.1")
    server = await loop.create_server(
        lambda: _Conn(pages, a.latency_ms / 1000.0, quota), "127.0.0.1", a.port, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    pages.origin = f"http://127.0.0.1:{port}"
    n = pages.prerender()
    print(
        f"Telnyx base URL http://127.0.0.1:{port}/v2   Authorization: Bearer {sim.telnyx_api_key}"
    )
    print(f"pre-rendered {n} pages", flush=True)
    print("Ctrl-C to stop.", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    if quota is not None:
        print(f"refused {quota.refused}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.pageserver")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--telnyx-numbers", type=int, default=100_000)
    p.add_argument("--telnyx-enterprises", type=int, default=3)
    p.add_argument("--rate", type=int, default=0, help="requests per second; 0 = unlimited")
    asyncio.run(_serve(p.parse_args(argv)))


if __name__ == "__main__":
    main()
