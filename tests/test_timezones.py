"""Results never depend on the host's time zone: build, export and report run as separate
processes under two extreme zones (UTC-11 and UTC+14) and give the same bytes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.store.database import connect
from tests.test_report_fixtures import report_db

ZONES = ("Pacific/Pago_Pago", "Pacific/Kiritimati")
EARLY_REQUEST = "synth-req-0-7"  # moved to 03:15 UTC: the previous day in Pago Pago
WEEK = "2025-W03"
MARTS = ("remediation_outcomes", "spam_risk_daily", "number_overview", "telnyx_cost_monthly")


def _callrep(zone: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": zone}
    env.pop("CALLREP_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done


def _outputs(zone: str, folder: Path) -> dict[str, bytes]:
    """Build from scratch, export the key marts and render one week, all under ``zone``."""
    folder.mkdir()
    db = folder / "callrep.duckdb"
    shutil.copyfile(report_db(), db)
    with connect(db) as con:
        con.execute(
            "update telnyx_remediation_requests set created_at = '2025-01-13 03:15:00+00' "
            "where request_id = ?",
            [EARLY_REQUEST],
        )
    _callrep(zone, "build", "--full", "--db", str(db))
    out: dict[str, bytes] = {}
    for mart in MARTS:
        target = folder / f"{mart}.csv"
        _callrep(zone, "export", mart, "--db", str(db), "--out", str(target))
        out[mart] = target.read_bytes()
    since = folder / "since.csv"
    _callrep(
        zone,
        "export",
        "remediation_outcomes",
        "--db",
        str(db),
        "--since",
        "2025-01-13",
        "--out",
        str(since),
    )
    out["since"] = since.read_bytes()
    _callrep(zone, "report", "--db", str(db), "--week", WEEK, "--out", str(folder))
    html = (folder / f"weekly-{WEEK}.html").read_text(encoding="utf-8")
    out["report"] = re.sub(r"Rendered by callrep on [^.]+UTC", "", html).encode()
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("zones")
    return {zone: _outputs(zone, root / zone.replace("/", "_")) for zone in ZONES}


def test_every_output_is_the_same_in_every_zone(outputs):
    west, east = (outputs[z] for z in ZONES)
    for name in west:
        assert west[name] == east[name], name


def test_exported_timestamps_are_utc_and_since_is_a_utc_day(outputs):
    since = outputs[ZONES[0]]["since"].decode()
    assert f"{EARLY_REQUEST}," in since
    assert "2025-01-13 03:15:00+00" in since
    assert not re.search(r"[+-](1[0-4]|0[1-9]):?\d\d?\b", since.split("\n", 1)[1])


def test_the_report_counts_runs_in_utc_weeks(outputs):
    html = outputs[ZONES[0]]["report"].decode()
    # collections run daily at 06-07 UTC: a UTC week holds 7 of each source; in Pago Pago the
    # Monday's runs would fall in the week before
    cells = re.findall(r'<td class="num">(\d+)</td>', html.split('id="notes"', 1)[1])
    assert cells[:4] == ["7", "0", "7", "0"]
    assert "UTC" in html and "-11:00" not in html and "+14:00" not in html


_CHART_SCRIPT = """
import json, re, sys
import vl_convert as vlc
from analytics.report import charts
from analytics.report.assets import vega_lite_version
days = ["2026-11-%02d" % d for d in range(2, 9)]
specs = [
    charts.risk_mix([{"day": d, "spam_risk": "low", "numbers": 10} for d in days]),
    charts.median_scores([{"day": d, "score": "sentiment", "median_score": 50} for d in days]),
]
svgs = [vlc.vegalite_to_svg(s, vl_version=vega_lite_version()) for s in specs]
print(json.dumps([sorted(set(re.findall(r">(\\d\\d [A-Z][a-z]{2})<", svg))) for svg in svgs]))
"""


def test_charts_place_and_label_days_in_utc_in_any_viewer_zone():
    """vl-convert draws in its process's zone, as a browser does in its viewer's."""
    labels = []
    for zone in ZONES:
        done = subprocess.run(
            [sys.executable, "-c", _CHART_SCRIPT],
            env={**os.environ, "TZ": zone},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        labels.append(done.stdout)
    assert labels[0] == labels[1]
    expected = [f"{d:02d} Nov" for d in range(2, 9)]
    assert json.loads(labels[0]) == [expected, expected]
