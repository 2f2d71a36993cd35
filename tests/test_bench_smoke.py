"""The benchmark harness runs end to end at toy scale (no timing is asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_ingest_quick(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--quick",
            "--no-wait",
            "--only",
            "ingest",
            "--out",
            str(tmp_path),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    names = {f["name"] for f in results["figures"]}
    assert any("land()" in n for n in names)
    assert (tmp_path / "RESULTS.md").read_text().startswith("# callrep benchmark results")
