"""The static charts' SVG worker process: specs in, SVG out in order, a clear error otherwise."""

from __future__ import annotations

import pytest

from analytics.report.assets import vega_lite_version
from analytics.report.draw import Drawer


def _bar(label: str) -> dict:
    return {
        "data": {"values": [{"label": label, "n": 3}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "label", "type": "nominal"},
            "y": {"field": "n", "type": "quantitative"},
        },
    }


def test_the_worker_draws_each_spec_in_order():
    svgs = Drawer(vega_lite_version()).draw([_bar("first"), _bar("second")])()
    assert [s.startswith("<svg") for s in svgs] == [True, True]
    assert "first" in svgs[0] and "second" in svgs[1]


def test_a_spec_vl_convert_rejects_is_one_clear_error():
    bad = {"data": {"values": []}, "mark": "no-such-mark"}
    with pytest.raises(
        RuntimeError, match="static charts failed: Vega-Lite to SVG conversion failed: TypeError"
    ):
        Drawer(vega_lite_version()).draw([bad])()
