"""The static charts' SVG worker process: specs in as they are built, SVG out in order, and one
clear error (never a hang) when the worker fails."""

from __future__ import annotations

import threading

import pytest

from analytics.report.assets import vega_lite_version
from analytics.report.context import Chart
from analytics.report.draw import Drawer
from analytics.report.render import StaticCharts

BAD = {"data": {"values": []}, "mark": "no-such-mark"}
FAILED = "static charts failed: Vega-Lite to SVG conversion failed: TypeError"


def _bar(label: str, rows: int = 1) -> dict:
    return {
        "data": {"values": [{"label": label, "n": i} for i in range(rows)]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "label", "type": "nominal"},
            "y": {"field": "n", "type": "quantitative"},
        },
    }


def _results_in_thread(drawer: Drawer) -> dict:
    """``drawer.results()`` in a thread. The join's limit is a guard so that a regression fails
    instead of hanging the suite, not a measure of speed."""
    got: dict = {}

    def wait() -> None:
        try:
            got["svgs"] = drawer.results()
        except RuntimeError as err:
            got["error"] = err

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "results() hung"
    return got


def test_the_worker_draws_each_spec_in_order():
    drawer = Drawer(vega_lite_version())
    drawer.send(_bar("first"))
    drawer.send(_bar("second"))
    svgs = drawer.results()
    assert [s.startswith("<svg") for s in svgs] == [True, True]
    assert "first" in svgs[0] and "second" in svgs[1]


def test_nothing_sent_is_nothing_drawn():
    assert Drawer(vega_lite_version()).results() == []


def test_a_spec_vl_convert_rejects_is_one_clear_error():
    drawer = Drawer(vega_lite_version())
    drawer.send(BAD)
    with pytest.raises(RuntimeError, match=FAILED):
        drawer.results()


def test_a_worker_failing_mid_stream_is_one_error_not_a_hang():
    # the worker ends at the second spec, while far more than a pipe holds is still queued
    drawer = Drawer(vega_lite_version())
    drawer.send(_bar("first"))
    drawer.send(BAD)
    for i in range(40):
        drawer.send(_bar(f"after-{i}", rows=2000))
    got = _results_in_thread(drawer)
    assert "svgs" not in got
    assert FAILED in str(got["error"])


def test_static_charts_draws_the_charts_with_a_spec_and_keeps_the_rest():
    charts = [
        Chart("a", "A", "a chart", _bar("alpha"), "no data"),
        Chart("empty", "E", "nothing to draw", None, "no data"),
        Chart("b", "B", "b chart", _bar("beta"), "no data"),
    ]
    drawing = StaticCharts()
    for chart in reversed(charts):  # sent in any order, matched by slug
        drawing.send(chart)
    drawn = drawing.drawn(charts)
    assert [c.slug for c in drawn] == ["a", "empty", "b"]
    assert "alpha" in (drawn[0].svg or "") and "beta" in (drawn[2].svg or "")
    assert drawn[1].svg is None and drawn[1].empty_message == "no data"
