"""What each command loads: only the report and the demo import the charting libraries.

Importing altair (and its jsonschema) costs seconds in some environments, so a command that
draws nothing must not pay for it: checked in a fresh interpreter, through the console entry
point, on what ``sys.modules`` holds after the command ran.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CHARTING = ("altair", "vl_convert", "jsonschema")

_PROBE = """
import json, sys
from analytics.cli import cli
try:
    cli(sys.argv[1:], prog_name="callrep")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if "." not in m)}))
"""


def _loaded(*args: str) -> tuple[int, set[str]]:
    """Run ``callrep ARGS`` in a fresh interpreter: its exit code and the top-level modules
    it had imported by the end."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True
    ).stdout
    got = json.loads(out.splitlines()[-1])
    return got["code"], set(got["loaded"])


@pytest.mark.parametrize(
    "args",
    [
        ("collect", "--help"),
        ("runs", "--help"),
        ("build", "--help"),
        ("alerts", "--help"),
        ("export", "--help"),
        ("store", "--help"),
        ("simulator", "synth", "--help"),
        ("callbacks", "--help"),
        ("--version",),
    ],
    ids=" ".join,
)
def test_a_command_that_draws_nothing_never_imports_the_charting_libraries(args) -> None:
    code, loaded = _loaded(*args)
    assert code == 0
    assert not loaded & set(CHARTING)


def test_the_report_command_loads_them_and_every_command_is_listed() -> None:
    code, loaded = _loaded("report", "--help")
    assert code == 0
    assert "altair" in loaded
    listing = subprocess.run(
        [sys.executable, "-m", "analytics", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("alerts", "build", "callbacks", "collect", "demo", "export", "report", "runs"):
        assert f"  {name} " in listing
