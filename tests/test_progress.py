"""Progress on long work: stage rows on a terminal (stderr only), one summary line otherwise.

The terminal path runs the real command in a pseudo-terminal (stderr on the pty, stdout on
a pipe), so rich's own TTY detection decides, as it does for a user.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.resources import project_root
from analytics.simulator import Simulator, serve

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _on_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[str, str, int]:
    """Run ``callrep ARGS`` with stderr on a pseudo-terminal; (stdout, stderr text, status)."""
    leader, follower = pty.openpty()
    env = {**os.environ, **(env or {}), "COLUMNS": "160", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "analytics", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    stdout, _ = proc.communicate(timeout=300)
    stderr = _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    return stdout.decode(), stderr, proc.returncode


@pytest.fixture(scope="module")
def synth_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("progress") / "synth.duckdb"


def test_synth_shows_each_stage_on_a_terminal(synth_db: Path) -> None:
    stdout, stderr, status = _on_terminal(
        "simulator", "synth", "--numbers", "40", "--days", "3", "--db", str(synth_db)
    )
    assert status == 0, stderr
    for stage in ("runs and enterprises", "telnyx number snapshots", "plivo snapshots"):
        assert stage in stderr
    assert "3/3 days" in stderr  # the count
    assert re.search(r"✓ telnyx number snapshots .* \d+\.\d s", stderr)  # ticked, with time
    [line] = stdout.splitlines()  # results only on stdout
    assert line.startswith("wrote days 0..2 to ")


def test_build_shows_models_on_a_terminal_and_quiet_silences_it(synth_db: Path) -> None:
    stdout, stderr, status = _on_terminal("build", "--db", str(synth_db))
    assert status == 0, stderr
    assert re.search(r"build models \(full\) .* (\d+)/\1 models", stderr)
    assert "publish the read-only copy" in stderr
    [line] = stdout.splitlines()
    assert line.startswith("built ") and "(full)" in line

    stdout, stderr, status = _on_terminal("build", "--db", str(synth_db), "--quiet")
    assert status == 0, stderr
    assert "build models" not in stderr and stderr.strip() == ""
    [line] = stdout.splitlines()
    assert line.startswith("built ")


def test_off_a_terminal_each_command_prints_one_summary_line(tmp_path: Path) -> None:
    db = tmp_path / "plain.duckdb"
    runner = CliRunner()
    synth = runner.invoke(
        cli, ["simulator", "synth", "--numbers", "20", "--days", "2", "--db", str(db)]
    )
    assert synth.exit_code == 0, synth.output
    [line] = synth.output.splitlines()
    assert re.fullmatch(r"wrote days 0\.\.1 to .* in \d+\.\d s: [\d,]+ rows in \d+ tables .*", line)
    build = runner.invoke(cli, ["build", "--db", str(db)])
    assert build.exit_code == 0, build.output
    [line] = build.output.splitlines()
    assert re.fullmatch(r"built \d+ models \(full\) in \d+\.\d\d s", line)


@pytest.mark.slow
def test_demo_shows_its_stages_then_true_paths(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    stdout, stderr, status = _on_terminal("demo", "--days", "2", "--out", str(out))
    assert status == 0, stderr
    for stage in (
        "✓ collect simulated days",
        "2/2 days",
        "✓ build models (full)",
        "✓ write the weekly report",
        "✓ export every mart as CSV",
    ):
        assert stage in stderr
    lines = dict(line.split(":", 1) for line in stdout.splitlines() if ":" in line)
    assert lines["database"].split()[0] == str(out.resolve() / "callrep.duckdb")
    report = Path(lines["report"].strip())
    assert report.is_absolute() and report.is_file() and report.parent == out.resolve() / "reports"
    assert f"CALLREP_DB={out.resolve() / 'callrep.duckdb'} " in lines["notebook"]
    notebook = project_root() / "notebooks" / "explore.ipynb"
    assert lines["notebook"].rstrip().endswith(f"lab {notebook}")


def test_collect_counts_responses_per_source_on_a_terminal(tmp_path: Path) -> None:
    sim = Simulator(seed=3, telnyx_numbers=300, telnyx_enterprises=2)
    with serve(sim, port=0) as srv:
        env = {
            "TELNYX_API_KEY": sim.telnyx_api_key,
            "TELNYX_BASE_URL": srv.telnyx_base_url,
            "PLIVO_AUTH_ID": "",
            "PLIVO_AUTH_TOKEN": "",
        }
        stdout, stderr, status = _on_terminal("collect", "--db", str(tmp_path / "c.db"), env=env)
    assert status == 0, stderr
    fetched = re.search(r"✓ telnyx: fetching .* ([\d,]+) responses", stderr)
    assert fetched and int(fetched.group(1).replace(",", "")) == sim.counters.requests
    assert re.search(r"✓ telnyx: landing .* [\d,]+ records", stderr)
    assert "publish the read-only copy" in stderr
    assert stdout.splitlines()[0].startswith("telnyx: ok")
