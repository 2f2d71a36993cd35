"""The cost-curve stage runs end to end at toy scale (no timing is asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cost_curve import QUICK_SIZES

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_cost_curve_quick(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--quick",
            "--no-wait",
            "--only",
            "cost_curve",
            "--out",
            str(tmp_path),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    figures = [f for f in results["figures"] if f["stage"] == "7 cost curve"]
    for size in QUICK_SIZES:
        names = [f["name"] for f in figures if f"{size:,} numbers ×" in f["name"]]
        kinds = {n.split(",")[0] for n in names}
        assert kinds == {
            "full build",
            "incremental day",
            "peak RSS",
            "database in use after the build",
            "callrep report",
        }, size
    growth = [f for f in figures if "growth" in f["name"]]
    assert len(growth) == 2 and all(f["value"] > 0 for f in growth)
    assert all(f["value"] > 0 for f in figures)
    assert "7 cost curve" in (tmp_path / "RESULTS.md").read_text()
