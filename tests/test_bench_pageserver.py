"""bench.pageserver: pre-rendered pages, an announced quota, and callrep pacing to it.

A real loopback server in its own process; nothing about time is asserted, only that the
quota is announced, enforced, and never exceeded by a client that reads it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from analytics.http import ApiClient, ProviderLimits

REPO = Path(__file__).resolve().parent.parent
SERVER_ARGS = ("--telnyx-numbers", "600", "--latency-ms", "5", "--rate", "8")


@pytest.fixture
def quota_server() -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.pageserver",
            *("--telnyx-numbers", "600"),
            "--latency-ms",
            "5",
            "--rate",
            "8",
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    url = key = ""
    for line in proc.stdout:
        if m := re.search(r"Telnyx base URL (\S+)\s+Authorization: Bearer (\S+)", line):
            url, key = m.groups()
        if line.startswith("Ctrl-C"):
            break
    try:
        yield url, key
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)


@pytest.mark.slow
def test_the_quota_is_announced_and_enforced(quota_server: tuple[str, str]) -> None:
    url, _ = quota_server
    with httpx.Client(base_url=url) as http:
        answers = [http.get("/enterprises", params={"page[size]": 250}) for _ in range(12)]
    first = answers[0]
    assert first.status_code == 200 and first.json()["data"]
    assert first.headers["x-ratelimit-limit"] == "8"
    assert int(first.headers["x-ratelimit-remaining"]) < 8
    assert 0 <= float(first.headers["x-ratelimit-reset"]) <= 1
    assert 429 in {a.status_code for a in answers}  # 12 at once is more than 8 a second


@pytest.mark.slow
def test_callrep_paces_to_the_announced_quota_and_gets_no_429(
    quota_server: tuple[str, str],
) -> None:
    url, key = quota_server

    async def main() -> ApiClient:
        async with httpx.AsyncClient(base_url=url) as http:
            # The first requests go before any quota is known: fewer in flight than the limit.
            api = ApiClient(http, limits=ProviderLimits(concurrency=4), secrets=(key,))
            await asyncio.gather(
                *(api.get_json("/enterprises", {"page[size]": 250, "n": i}) for i in range(24))
            )
            return api

    api = asyncio.run(main())
    assert api.stats.requests == 24
    assert api.stats.throttled == 0
