"""The callback receiver on loopback: throughput, latency, kill -9 and a full disk.

    .venv/bin/python -m bench.receiver                   # 1, 16, 64 senders; faults
    .venv/bin/python -m bench.receiver --requests 500    # fewer requests per level

Starts ``callrep callbacks serve`` as a subprocess on 127.0.0.1 (a free port, secret path
token), and sends bounded bursts of distinct callbacks with httpx.AsyncClient: for each
concurrency level, ``--requests`` POSTs (each acknowledged only after its fsync), then
requests/s and p50/p99 latency. Then: SIGKILL mid-burst and check every acknowledged
callback is in the spool; and (as root) a 256 KiB tmpfs as the spool, filled until the
receiver must refuse, checking it answers 503 and never 200 for a line it could not keep.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TOKEN = "benchpathtoken0123456789"
AUTH_ID = "MABENCHACCOUNT01"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """``callrep callbacks serve`` in a subprocess."""

    def __init__(self, spool: Path) -> None:
        self.port = _free_port()
        env = {**os.environ, "PLIVO_AUTH_ID": AUTH_ID, "CALLREP_CALLBACK_TOKEN": TOKEN}
        env.pop("PLIVO_AUTH_TOKEN", None)
        command = [sys.executable, "-m", "analytics", "callbacks", "serve"]
        command += ["--port", str(self.port), "--spool", str(spool)]
        self.proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.url = f"http://127.0.0.1:{self.port}/plivo/caller-reputation/{TOKEN}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.proc.kill()
        raise SystemExit("the receiver did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def _body(n: int) -> dict[str, str]:
    return {
        "number": f"1{n:010d}",
        "carrier": "att",
        "caller_reputation_status": "ACTIVE",
        "auth_id": AUTH_ID,
        "profile_uuid": "8444eccc-5af9-404d-a46f-d2fd31cd74de",
    }


async def _burst(
    url: str, senders: int, total: int, start: int, kill: Receiver | None = None
) -> tuple[list[float], dict[int, int], list[str]]:
    """Send ``total`` callbacks from ``senders`` tasks; latencies, statuses, acked numbers."""
    todo = list(range(start, start + total))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    acked: list[str] = []

    async def sender(http: httpx.AsyncClient) -> None:
        while todo:
            body = _body(todo.pop())
            began = time.perf_counter()
            try:
                answer = await http.post(url, data=body)
            except httpx.TransportError:
                statuses[0] = statuses.get(0, 0) + 1
                continue
            latencies.append(time.perf_counter() - began)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            if answer.status_code == 200:
                acked.append(body["number"])
                if kill and len(acked) == total // 3:
                    kill.proc.kill()

    limits = httpx.Limits(max_connections=senders, max_keepalive_connections=senders)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        await asyncio.gather(*(sender(http) for _ in range(senders)))
    return latencies, statuses, acked


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _spooled(folder: Path) -> set[str]:
    found = set()
    for seg in list(folder.glob("*.open")) + list(folder.glob("*.jsonl")):
        for line in seg.read_bytes().split(b"\n")[:-1]:
            found.add(json.loads(line)["number"])
    return found


def throughput(work: Path, requests: int) -> None:
    receiver = Receiver(work / "spool")
    print("| senders | requests | requests/s | p50 ms | p99 ms |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    start = 0
    try:
        for senders in (1, 16, 64):
            began = time.perf_counter()
            lat, statuses, _ = asyncio.run(_burst(receiver.url, senders, requests, start))
            seconds = time.perf_counter() - began
            start += requests
            assert statuses == {200: requests}, statuses
            print(
                f"| {senders} | {requests} | {requests / seconds:,.0f} | "
                f"{_pct(lat, 0.5):.1f} | {_pct(lat, 0.99):.1f} |"
            )
    finally:
        receiver.stop()


def kill_nine(work: Path, requests: int) -> None:
    spool = work / "kill"
    receiver = Receiver(spool)
    _, statuses, acked = asyncio.run(_burst(receiver.url, 16, requests, 0, kill=receiver))
    receiver.proc.wait(30)
    missing = set(acked) - _spooled(spool)
    print(
        f"kill -9 after {requests // 3} of {requests} (16 senders): {len(acked)} acknowledged, "
        f"{len(missing)} of them missing from the spool; answers {statuses}"
    )


def full_disk(work: Path) -> None:
    if os.geteuid() != 0:
        print("full disk: skipped (needs root to mount a tmpfs)")
        return
    mount = work / "tmpfs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        receiver = Receiver(mount / "spool")
        try:
            _, statuses, acked = asyncio.run(_burst(receiver.url, 16, 2000, 0))
            health = httpx.get(receiver.url.split("/plivo")[0] + "/healthz").json()
        finally:
            receiver.stop()
        kept = _spooled(mount / "spool")
        print(
            f"full disk (256 KiB tmpfs, 2000 callbacks, 16 senders): answers {statuses}; "
            f"{len(acked)} acknowledged, {len(set(acked) - kept)} of them missing; "
            f"{len(kept - set(acked))} unacknowledged lines kept; healthz unavailable="
            f"{health['unavailable']}"
        )
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per concurrency level")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="callrep-receiver-") as tmp:
        work = Path(tmp)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        throughput(work, args.requests)
        kill_nine(work, args.requests)
        full_disk(work)
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
