"""A full spool disk: the receiver answers 503, never 200, and keeps every line it acknowledged.

Needs root to mount a small tmpfs (CI runs as root); skipped elsewhere.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.receiver_helpers import AUTH_ID, payload
from tests.receiver_process import ServeProcess


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_full_spool_disk_answers_503_and_keeps_what_it_acknowledged(
    small_disk: Path, tmp_path: Path
):
    spool = small_disk / "spool"
    server = ServeProcess(spool, AUTH_ID)
    statuses: list[int] = []
    acked: list[str] = []
    try:
        with httpx.Client(timeout=10) as http:
            for n in range(2000):  # ~200 bytes a line: 256 KiB fills well before the end
                number = f"1415{n:07d}"
                status = http.post(server.url, data=payload(number=number)).status_code
                statuses.append(status)
                if status == 200:
                    acked.append(number)
                if statuses[-20:] == [503] * 20:
                    break
            health = http.get(f"{server.base}/healthz").json()
    finally:
        server.kill()
    assert set(statuses) == {200, 503}
    assert health["unavailable"] == statuses.count(503)
    kept = [
        json.loads(line)["number"]
        for seg in sorted([*spool.glob("*.open"), *spool.glob("*.jsonl")], key=lambda p: p.stem)
        for line in seg.read_bytes().split(b"\n")[:-1]
    ]
    assert kept == acked  # every acknowledged line, in order, and nothing else
