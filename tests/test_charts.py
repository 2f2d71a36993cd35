"""Every chart's data and encodings, built from the shared synthetic database: row counts, legends
that list exactly the series with data, no repeated titles, fixed score axes, one remediation row
per request with open requests marked, and direct labels that never overlap."""

from __future__ import annotations

import re
import shutil
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema
from hypothesis import given
from hypothesis import strategies as st

from analytics.report import charts
from analytics.report.weekly import build_report
from analytics.store.database import connect
from tests.test_report_fixtures import report_db

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-")


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The spec and its layers, each with the data it draws (its own or the top level's)."""
    top = spec.get("data", {}).get("values", [])
    out = []
    for part in [spec, *spec.get("layer", [])]:
        if "mark" in part:
            out.append({**part, "values": part.get("data", {}).get("values", top)})
    return out


def encoding(spec: dict[str, Any], channel: str) -> dict[str, Any]:
    """The first layer's encoding of ``channel``."""
    return next(p["encoding"][channel] for p in layers(spec) if channel in p["encoding"])


@pytest.fixture(scope="module")
def report():
    with connect(report_db(), read_only=True) as con:
        return build_report(con)


@pytest.fixture(scope="module")
def specs(report) -> dict[str, dict[str, Any]]:
    return {c.slug: c.spec for c in report.charts if c.spec is not None}


def test_every_chart_is_drawn_without_a_title_of_its_own(report, specs):
    assert set(specs) == {c.slug for c in report.charts}
    for slug, spec in specs.items():
        assert "title" not in spec, slug  # the card's heading is the title
        assert spec["description"], slug


def test_every_spec_is_valid_against_the_vega_lite_schema(specs):
    """The charts are built without Altair's validation (for speed): it is done here."""
    for spec in specs.values():
        validate_jsonschema(spec, load_schema())  # raises on the first invalid part
    with pytest.raises(Exception, match="nope"):
        validate_jsonschema({**specs["risk-mix"], "mark": "nope"}, load_schema())


def test_legends_list_exactly_the_series_with_data(specs):
    for slug, field, extra in [
        ("risk-mix", "spam_risk", None),
        ("flagged-cleared", "measure", None),
        ("median-scores", "score", None),
        ("remediation", "bucket", "numbers"),
        ("cost-telnyx", "payer_label", None),
        ("cost-plivo", "payer_label", None),
    ]:
        spec = specs[slug]
        rows = layers(spec)[0]["values"]
        series = {r[field] for r in rows if extra is None or r[extra]}
        colour = encoding(spec, "color")
        assert colour["field"] == field, slug
        assert set(colour["scale"]["domain"]) == series, slug
        assert len(colour["scale"]["domain"]) == len(series), slug
        assert colour.get("legend") is None or colour["legend"]["labelLimit"] == 0, slug


def test_colour_is_never_the_only_cue(specs):
    def texts(spec):
        return [p for p in layers(spec) if p["mark"]["type"] == "text"]

    for slug in ("risk-mix", "flagged-cleared", "remediation", "plivo-status", "cost-telnyx"):
        assert texts(specs[slug]), slug  # letters or labels written on the chart
    scores = specs["median-scores"]
    assert {"color", "strokeDash", "shape"} <= set(scores["encoding"])
    assert encoding(specs["cost-telnyx"], "strokeDash")["field"] == "kind"


def test_score_axis_is_fixed_at_0_to_100(specs):
    y = encoding(specs["median-scores"], "y")
    assert y["scale"]["domain"] == charts.SCORE_DOMAIN == [0, 100]
    rows = layers(specs["median-scores"])[0]["values"]
    assert rows and all(0 <= r["median_score"] <= 100 for r in rows)
    assert len(rows) == len({(r["day"], r["score"]) for r in rows})  # one row per day and score


def test_remediation_keeps_one_row_per_request_in_both_parts(specs):
    spec = specs["remediation"]
    rows = layers(spec)[0]["values"]
    requests = list(dict.fromkeys(r["request_label"] for r in rows))
    assert 0 < len(requests) <= 30
    assert len({r["request_id"] for r in rows}) == len(requests)  # labels are unique
    assert len(rows) == 5 * len(requests)  # every bucket of every request, zeros included
    assert encoding(spec, "y")["scale"]["domain"] == requests
    summary = [
        p
        for p in layers(spec)
        if p["mark"]["type"] == "text" and p["encoding"]["text"]["field"] == "summary"
    ]
    assert len(summary) == 1
    shown = [r for r in rows if r["bucket"] == charts.BUCKET_ORDER[0]]
    assert [r["request_label"] for r in shown] == requests  # one turnaround cell per request
    for r in shown:
        if r["status"] == "completed":
            assert r["state"] == f"{r['days_to_complete']:.1f} d"
        else:
            assert r["state"] in ("open", "failed", "cancelled")
        # every segment's bucket and count also written out, in stack order: colour is not alone
        mine = [x for x in rows if x["request_id"] == r["request_id"] and x["numbers"]]
        mine.sort(key=lambda x: charts.BUCKET_ORDER.index(x["bucket"]))
        written = [f"{charts.BUCKET_LETTERS[x['bucket']]}{x['numbers']}" for x in mine]
        assert r["summary"] == " ".join([*written, "·", r["state"]])
    assert any(r["status"] != "completed" for r in shown)  # the synthetic data has some
    assert not any(UUID.match(label) for label in requests)  # date and purpose, not an id


def test_an_open_request_is_kept_and_marked(tmp_path: Path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(report_db(), path)
    with connect(path) as con:
        latest = con.execute(
            "select request_id from remediation_outcomes order by created_at desc limit 1"
        ).fetchone()[0]
        con.execute(
            "update remediation_outcomes set status = 'in_progress', hours_to_complete = null, "
            "remediated = 0, not_flagged = 0, requires_review = 0, ineligible = 0, refused = 0 "
            "where request_id = $id",
            {"id": latest},
        )
        spec = next(c.spec for c in build_report(con).charts if c.slug == "remediation")
    rows = [r for r in layers(spec)[0]["values"] if r["request_id"] == latest]
    assert len(rows) == 5 and {r["state"] for r in rows} == {"open"}
    assert {r["numbers"] for r in rows} == {0}


def test_plivo_bars_each_carry_their_own_label(specs):
    spec = specs["plivo-status"]
    rows = layers(spec)[0]["values"]
    assert len(rows) == len({(r["carrier"], r["status"]) for r in rows})
    assert encoding(spec, "yOffset")["field"] == "status"  # a bar each, never stacked
    assert encoding(spec, "color")["legend"] is None  # the labels say it
    label = next(t for t in spec["transform"] if t.get("as") == "label")
    assert "datum.status" in label["calculate"] and "datum.numbers" in label["calculate"]


@pytest.mark.parametrize("slug", ["cost-telnyx", "cost-plivo"])
def test_cost_payers_are_named_beside_the_last_bar(specs, slug):
    spec = specs[slug]
    bars, labels = layers(spec)[0]["values"], layers(spec)[1]["values"]
    assert bars and all(r["usd"] > 0 for r in bars)  # payers without cost are left out
    named = {r["payer_label"] for r in bars}
    assert not any(UUID.match(n) for n in named)
    assert len(named) == len({r["payer"] for r in bars})  # one name per payer
    last = max(r["month_label"] for r in bars)
    in_last = {r["payer_label"] for r in bars if r["month_label"] == last}
    # colour is never alone: each payer of the last bar is written beside it, the others are
    # listed in the legend, and no payer is in both or neither
    assert {r["payer_label"] for r in labels} == in_last
    legend = encoding(spec, "color")["legend"]
    assert set(legend["values"] if legend else []) == named - in_last
    ys = sorted(r["y"] for r in labels)
    total = sum(r["usd"] for r in bars if r["month_label"] == last)
    assert all(b - a >= charts.LABEL_GAP * total - 1e-9 for a, b in pairwise(ys))


def test_plivo_cost_names_businesses_not_eins(specs):
    rows = layers(specs["cost-plivo"])[0]["values"]
    assert all(r["payer_label"] != r["payer"] for r in rows if r["payer"] != "N/A")


def test_risk_labels_sit_on_the_last_day_and_never_overlap(specs):
    spec = specs["risk-mix"]
    area, labels = layers(spec)[0]["values"], layers(spec)[1]["values"]
    last = max(r["day"] for r in area)
    assert {r["day"] for r in labels} == {last}
    assert [r["spam_risk"] for r in labels] == [
        v for v in charts.RISK_ORDER if any(a["day"] == last and a["spam_risk"] == v for a in area)
    ]


@given(
    st.dictionaries(
        st.sampled_from(charts.RISK_ORDER), st.integers(min_value=0, max_value=100_000), min_size=1
    )
)
def test_risk_labels_keep_their_distance(counts: dict[str, int]):
    rows = [{"day": "2026-11-15", "spam_risk": k, "numbers": v} for k, v in counts.items()]
    labels = charts.risk_labels(rows)
    total = sum(counts.values()) or 1
    assert [r["spam_risk"] for r in labels] == [k for k in charts.RISK_ORDER if k in counts]
    ys = [r["y"] for r in labels]
    assert all(y <= total for y in ys)
    assert all(hi - lo >= charts.LABEL_GAP * total - 1e-9 for lo, hi in pairwise(ys))


def test_present_keeps_order_and_drops_absent_series():
    rows = [{"s": "high"}, {"s": "low"}, {"s": "odd"}, {"s": None}]
    assert charts.present(rows, "s", charts.RISK_ORDER) == ["low", "high", "odd"]
