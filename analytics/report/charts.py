"""Altair chart specs, each built from a small SQL aggregate (never row-level fleet data)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import altair as alt

RISK_ORDER = ["low", "medium", "high", "unknown"]
RISK_COLOURS = ["#4c9a2a", "#e0a526", "#c8312f", "#9a9a9a"]
STATUS_ORDER = ["ACTIVE", "PENDING", "FAILED", "NONE"]
STATUS_COLOURS = ["#4c9a2a", "#e0a526", "#c8312f", "#9a9a9a"]
BUCKET_ORDER = ["remediated", "not flagged", "requires review", "ineligible", "refused"]
BUCKET_COLOURS = ["#4c9a2a", "#7fb3d5", "#e0a526", "#9a9a9a", "#c8312f"]
# Days are UTC days: a utc time unit and scale make Vega format and place them in UTC, never in
# the viewer's zone (a local scale moves each tick by the browser's offset).
UTC_DAY = "utcyearmonthdate"
MAX_CHART_ROWS = 5000  # Altair's own default limit; aggregates stay far below it
WIDTH = "container"
HEIGHT = 260


def plain(value: Any) -> Any:
    """A JSON-friendly value (dates as ISO strings, decimals as floats)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    if len(rows) > MAX_CHART_ROWS:
        raise ValueError(f"chart data has {len(rows)} rows; aggregate in SQL first")
    return alt.Data(values=[{k: plain(v) for k, v in row.items()} for row in rows])


def _finish(chart: alt.TopLevelMixin, title: str, description: str) -> dict[str, Any]:
    spec = chart.properties(
        title=title, description=description, width=WIDTH, height=HEIGHT
    ).to_dict()
    spec.setdefault("config", {})
    spec["config"].update(
        {
            "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 14, "anchor": "start"},
        }
    )
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _utc_day_axis() -> alt.X:
    return alt.X(
        "day:T",
        timeUnit=UTC_DAY,
        title="Day (UTC)",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%d %b"),
    )


def _utc_day_tooltip() -> alt.Tooltip:
    return alt.Tooltip("day:T", timeUnit=UTC_DAY, title="Day (UTC)", format="%Y-%m-%d")


def risk_mix(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked area: numbers per risk level per day."""
    chart = (
        alt.Chart(_data(rows))
        .mark_area(line={"strokeWidth": 0.5, "color": "#333"})
        .encode(
            x=_utc_day_axis(),
            y=alt.Y("numbers:Q", title="Numbers monitored", stack="zero"),
            color=alt.Color(
                "spam_risk:N",
                title="Spam risk",
                scale=alt.Scale(domain=RISK_ORDER, range=RISK_COLOURS),
                sort=RISK_ORDER,
            ),
            order=alt.Order("risk_rank:Q"),
            tooltip=[
                _utc_day_tooltip(),
                alt.Tooltip("spam_risk:N", title="Risk"),
                alt.Tooltip("numbers:Q", title="Numbers", format=","),
            ],
        )
        .transform_calculate(risk_rank=f"indexof({RISK_ORDER!r}, datum.spam_risk)")
    )
    return _finish(chart, "Risk mix by day", "Numbers per Telnyx spam-risk level, stacked, per day")


def flagged_cleared(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grouped bars with value labels: newly high vs cleared per ISO week."""
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("iso_week:N", title="ISO week", axis=alt.Axis(labelAngle=-40)),
        xOffset=alt.XOffset("measure:N", sort=["newly high", "cleared"]),
        y=alt.Y("numbers:Q", title="Numbers"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "measure:N",
            title="Change",
            scale=alt.Scale(domain=["newly high", "cleared"], range=["#c8312f", "#4c9a2a"]),
        ),
        tooltip=["iso_week:N", "measure:N", alt.Tooltip("numbers:Q", format=",")],
    )
    # the first letter above each bar (H = newly high, C = cleared) so colour is not the only cue
    labels = (
        base.mark_text(dy=-6, fontSize=9)
        .encode(text="letter:N")
        .transform_calculate(letter="datum.measure == 'newly high' ? 'H' : 'C'")
    )
    return _finish(
        bars + labels,
        "Newly high vs cleared per week",
        "Numbers that became high risk (H) and numbers cleared from high (C), per ISO week",
    )


def median_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One line per score, distinguished by colour and dash pattern."""
    chart = (
        alt.Chart(_data(rows))
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=_utc_day_axis(),
            y=alt.Y("median_score:Q", title="Median score (0–100)", scale=alt.Scale(zero=False)),
            color=alt.Color("score:N", title="Score"),
            strokeDash=alt.StrokeDash("score:N", title="Score"),
            tooltip=[_utc_day_tooltip(), "score:N", "median_score:Q"],
        )
    )
    return _finish(
        chart,
        "Median scores over time",
        "Typical maturity, connection, engagement and sentiment score per day",
    )


def remediation(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked horizontal bars of result buckets per request, next to the turnaround."""
    data = _data(rows)
    buckets = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("request_label:N", title="Request (created, id)", sort=None),
            x=alt.X("numbers:Q", title="Numbers per result bucket"),
            color=alt.Color(
                "bucket:N",
                title="Result",
                scale=alt.Scale(domain=BUCKET_ORDER, range=BUCKET_COLOURS),
                sort=BUCKET_ORDER,
            ),
            order=alt.Order("bucket_rank:Q"),
            tooltip=["request_label:N", "bucket:N", "numbers:Q"],
        )
        .transform_calculate(bucket_rank=f"indexof({BUCKET_ORDER!r}, datum.bucket)")
        .properties(width=WIDTH, height=alt.Step(16))
    )
    turnaround = (
        alt.Chart(data)
        .transform_filter("datum.bucket == 'remediated'")
        .mark_bar(color="#5b6b7f")
        .encode(
            y=alt.Y("request_label:N", title=None, sort=None, axis=None),
            x=alt.X("days_to_complete:Q", title="Days to complete"),
            tooltip=["request_label:N", "days_to_complete:Q"],
        )
        .properties(width=140, height=alt.Step(16))
    )
    spec = alt.hconcat(buckets, turnaround, spacing=8).properties(
        title="Remediation results and turnaround",
        description="Per request: numbers per result bucket, and days from request to completion",
    )
    out = spec.to_dict()
    out["config"] = _finish(alt.Chart(data).mark_point(), "", "")["config"]
    out["hconcat"][0]["width"] = 420
    return out


def plivo_status(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Horizontal stacked bars per carrier with the count written on each segment."""
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("carrier:N", title="Carrier"),
        x=alt.X("numbers:Q", title="Plivo numbers", stack="zero"),
        order=alt.Order("status_rank:Q"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "status:N",
            title="Registration status",
            scale=alt.Scale(domain=STATUS_ORDER, range=STATUS_COLOURS),
            sort=STATUS_ORDER,
        ),
        tooltip=["carrier:N", "status:N", "numbers:Q"],
    )
    labels = base.mark_text(align="right", dx=-3, color="white", fontSize=10).encode(text="label:N")
    chart = (
        (bars + labels)
        .transform_calculate(
            status_rank=f"indexof({STATUS_ORDER!r}, datum.status)",
            label="substring(datum.status, 0, 1) + ' ' + datum.numbers",
        )
        .properties(height=alt.Step(36))
    )
    spec = _finish(
        chart,
        "Plivo registration status per carrier",
        "Numbers per carrier by status (A = active, P = pending, F = failed)",
    )
    spec["height"] = {"step": 36}
    return spec


def cost(rows: list[dict[str, Any]], provider: str, payer_title: str) -> dict[str, Any]:
    """Stacked bars per month by payer; the week's month's projected rest drawn light, dashed."""
    kinds = ["observed", "projected rest of month"]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar(strokeWidth=1, stroke="#333")
        .encode(
            x=alt.X("month_label:O", title="Month", sort=None),
            y=alt.Y("usd:Q", title="USD per month", stack="zero"),
            color=alt.Color("payer:N", title=payer_title, legend=alt.Legend(columns=4)),
            opacity=alt.Opacity(
                "kind:O",
                sort=kinds,
                title="Kind",
                scale=alt.Scale(domain=kinds, range=[1.0, 0.45]),
            ),
            strokeDash=alt.StrokeDash(
                "kind:N", scale=alt.Scale(domain=kinds, range=[[1, 0], [4, 2]]), legend=None
            ),
            order=alt.Order("kind:N", sort="ascending"),
            tooltip=["month_label:O", "payer:N", "kind:N", alt.Tooltip("usd:Q", format="$,.2f")],
        )
    )
    return _finish(
        chart,
        f"{provider} cost per month, as of the week",
        f"USD per month per {payer_title.lower()}; the last bar's light part is the "
        "projected rest of the week's month",
    )
