"""The report stage runs end to end at toy scale, its large fleet included (no timing asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cost_curve import QUICK_DAYS, QUICK_SIZES

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_report_quick(tmp_path: Path) -> None:
    # a subprocess, as the other bench tests: bench.run's workers leave their pipes to the GC
    argv = ["--quick", "--no-wait", "--only", "report", "--out", str(tmp_path)]
    subprocess.run(
        [sys.executable, "-m", "bench.run", *argv, "--work", str(tmp_path / "work")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
        capture_output=True,
        timeout=900,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    figures = {f["name"]: f for f in results["figures"] if f["stage"] == "5 report"}
    fleet = f"{QUICK_SIZES[-1]:,} numbers × {QUICK_DAYS} days"
    for mode in ("render", "render --static"):
        big = figures[f"{mode}, {fleet}"]
        assert big["value"] > 0 and big["target"] == "< 10 s"
        assert "peak RSS" in big["note"] and "HTML" in big["note"]
    assert any(n.startswith("render --static, ") and "×" not in n for n in figures)
    assert "5 report" in (tmp_path / "RESULTS.md").read_text()
