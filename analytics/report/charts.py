"""Altair chart specs, each built from a small SQL aggregate (never row-level fleet data).

Rules every chart keeps: the card around it carries the title (a spec has none); a legend lists
only the series present in the data and is never truncated; colour is never the only cue (a
letter, a dash pattern, a point shape or a written label says the same); score axes use the
fixed 0–100 domain of the scores.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ParamSpec

import altair as alt
from altair.utils.schemapi import debug_mode

RISK_ORDER = ["low", "medium", "high", "unknown"]
RISK_COLOURS = ["#4c9a2a", "#e0a526", "#c8312f", "#9a9a9a"]
STATUS_ORDER = ["ACTIVE", "PENDING", "FAILED", "NONE"]
STATUS_COLOURS = ["#4c9a2a", "#e0a526", "#c8312f", "#9a9a9a"]
BUCKET_ORDER = ["remediated", "not flagged", "requires review", "ineligible", "refused"]
BUCKET_COLOURS = ["#4c9a2a", "#7fb3d5", "#e0a526", "#9a9a9a", "#c8312f"]
# the letter written on each bucket's segment (and in its legend label)
BUCKET_LETTERS = {
    "remediated": "R",
    "not flagged": "N",
    "requires review": "V",
    "ineligible": "I",
    "refused": "X",
}
# month abbreviations, never the locale's
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SCORE_DOMAIN = [0, 100]  # every Telnyx score is 0–100: a fixed axis keeps noise looking small
# Days are UTC days: a utc time unit and scale make Vega format and place them in UTC, never in
# the viewer's zone (a local scale moves each tick by the browser's offset).
UTC_DAY = "utcyearmonthdate"
MAX_CHART_ROWS = 5000  # Altair's own default limit; aggregates stay far below it
# Fixed pixel widths, axes and labels included: a chart fits a 390 px phone, a column of three
# on a desk and a column of two on paper at 1:1, so its 12 px (9 pt) text is never scaled down.
WIDTH = 336
LETTER_PX = 22  # a bucket's letter is written only on a segment at least this wide
HEIGHT = 150
LABEL_GAP = 0.12  # direct labels at least this share of the axis apart (15 px at 150 px high)
LABEL_PX = 150  # the widest direct label beside a chart (longer names end in an ellipsis)
REQUEST_LABEL_PX = 130  # a request's label (SQL keeps it shorter: measuring long text is slow)
REQUEST_ROW_PX = 14  # a remediation request's row: its 12 px (9 pt) text and a little air


P = ParamSpec("P")


def unchecked(build: Callable[P, dict[str, Any]]) -> Callable[P, dict[str, Any]]:
    """Build a spec without Altair's schema validation, which is half of a chart's cost (it
    validates every object as it is made, data rows included, then the whole spec again).
    tests/test_charts.py validates every spec against the Vega-Lite schema instead."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        with debug_mode(False):
            return build(*args, **kwargs)

    return wrapper


def plain(value: Any) -> Any:
    """A JSON-friendly value (dates as ISO strings, decimals as floats)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def present(rows: list[dict[str, Any]], field: str, order: list[str]) -> list[str]:
    """The values of ``field`` found in ``rows``, in ``order`` (unknown values last, sorted):
    a legend's domain, so it lists only series with data."""
    seen = {r[field] for r in rows if r.get(field) is not None}
    return [v for v in order if v in seen] + sorted(seen - set(order))


def _colours(domain: list[str], order: list[str], colours: list[str]) -> list[str]:
    by_value = dict(zip(order, colours, strict=True))
    return [by_value.get(v, "#6b6b6b") for v in domain]


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    if len(rows) > MAX_CHART_ROWS:
        raise ValueError(f"chart data has {len(rows)} rows; aggregate in SQL first")
    return alt.Data(values=[{k: plain(v) for k, v in row.items()} for row in rows])


def _legend(title: str, **extra: Any) -> alt.Legend:
    """A bottom legend that wraps instead of truncating its labels."""
    return alt.Legend(title=title, orient="bottom", direction="horizontal", labelLimit=0, **extra)


def _finish(
    chart: alt.TopLevelMixin,
    description: str,
    *,
    height: Any = HEIGHT,
    right: int = 5,
    width: int = WIDTH,
) -> dict[str, Any]:
    props = chart.properties(description=description, width=width, height=height)
    spec = props.to_dict(validate=False)
    spec.setdefault("config", {})
    spec["config"].update(
        {
            "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelOverlap": True},
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "bottom",
                "labelLimit": 0,
                "columns": 2,
            },
        }
    )
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["padding"] = {"left": 5, "top": 5, "bottom": 5, "right": right}
    return spec


def _utc_day_axis() -> alt.X:
    return alt.X(
        "day:T",
        timeUnit=UTC_DAY,
        title="Day (UTC)",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(
            format="%d %b", labelOverlap="greedy", labelSeparation=8, tickCount=6, labelPadding=6
        ),
    )


def _utc_day_tooltip() -> alt.Tooltip:
    return alt.Tooltip("day:T", timeUnit=UTC_DAY, title="Day (UTC)", format="%Y-%m-%d")


def risk_labels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One label per risk level at the last day, at the middle of its stacked band, spread
    apart from the top down so thin bands' labels never overlap."""
    last = max(r["day"] for r in rows)
    counts = {r["spam_risk"]: r["numbers"] for r in rows if r["day"] == last}
    total = sum(counts.values()) or 1
    out, below = [], 0
    for risk in present([r for r in rows if r["day"] == last], "spam_risk", RISK_ORDER):
        out.append({"spam_risk": risk, "mid": below + counts[risk] / 2, "numbers": counts[risk]})
        below += counts[risk]
    ceiling = total
    for label in reversed(out):
        label["y"] = min(label["mid"], ceiling)
        ceiling = label["y"] - LABEL_GAP * total
    return [{"day": last, "label": f"{r['spam_risk']} {r['numbers']:,}", **r} for r in out]


@unchecked
def risk_mix(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked area: numbers per risk level per day, each band named at its right end."""
    domain = present(rows, "spam_risk", RISK_ORDER)
    labels_data = risk_labels(rows)
    unlabelled = [r for r in domain if r not in {lab["spam_risk"] for lab in labels_data}]
    area = (
        alt.Chart(_data(rows))
        .mark_area(line={"strokeWidth": 0.5, "color": "#333"})
        .encode(
            x=_utc_day_axis(),
            y=alt.Y("numbers:Q", title="Numbers monitored", stack="zero"),
            color=alt.Color(
                "spam_risk:N",
                scale=alt.Scale(domain=domain, range=_colours(domain, RISK_ORDER, RISK_COLOURS)),
                sort=domain,
                # each band of the last day is named at its end; the legend lists only the rest
                legend=_legend("Spam risk", values=unlabelled) if unlabelled else None,
            ),
            order=alt.Order("risk_rank:Q"),
            tooltip=[
                _utc_day_tooltip(),
                alt.Tooltip("spam_risk:N", title="Risk"),
                alt.Tooltip("numbers:Q", title="Numbers", format=","),
            ],
        )
        .transform_calculate(risk_rank=f"indexof({domain!r}, datum.spam_risk)")
    )
    labels = (
        alt.Chart(_data(labels_data))
        .mark_text(align="left", dx=6, fontSize=12, color="#1d2733")
        .encode(
            x=_utc_day_axis(),
            y=alt.Y("y:Q", title="Numbers monitored"),
            text="label:N",
        )
    )
    return _finish(
        area + labels,
        "Numbers per Telnyx spam-risk level, stacked, per day; each band named at its end",
        right=90,
    )


@unchecked
def flagged_cleared(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grouped bars with letters: newly high (H) vs cleared (C) per ISO week."""
    domain = present(rows, "measure", ["newly high", "cleared"])
    base = alt.Chart(_data(rows)).encode(
        x=alt.X(
            "iso_week:N",
            title="ISO week",
            axis=alt.Axis(
                labelAngle=0,
                labelExpr="substring(datum.label, 5)",  # W46 (the year is in the tooltip)
                labelOverlap="greedy",
                labelSeparation=6,
            ),
        ),
        xOffset=alt.XOffset("measure:N", sort=domain),
        y=alt.Y("numbers:Q", title="Numbers"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "measure:N",
            scale=alt.Scale(domain=domain, range=["#c8312f", "#4c9a2a"][: len(domain)]),
            legend=_legend(
                "Change", labelExpr="datum.label == 'newly high' ? 'H newly high' : 'C cleared'"
            ),
        ),
        tooltip=["iso_week:N", "measure:N", alt.Tooltip("numbers:Q", format=",")],
    )
    # the first letter above each bar (H = newly high, C = cleared) so colour is not the only cue
    labels = (
        base.mark_text(dy=-6, fontSize=12)
        .encode(text="letter:N")
        .transform_calculate(letter="datum.measure == 'newly high' ? 'H' : 'C'")
    )
    return _finish(
        bars + labels,
        "Numbers that became high risk (H) and numbers cleared from high (C), per ISO week",
    )


@unchecked
def median_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One line per score on the fixed 0–100 axis, told apart by colour, dash and shape."""
    domain = present(rows, "score", ["maturity", "connection", "engagement", "sentiment"])
    chart = (
        alt.Chart(_data(rows))
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=18, filled=True))
        .encode(
            x=_utc_day_axis(),
            y=alt.Y(
                "median_score:Q",
                title="Median score",
                scale=alt.Scale(domain=SCORE_DOMAIN, nice=False),
            ),
            color=alt.Color(
                "score:N", sort=domain, scale=alt.Scale(domain=domain), legend=_legend("Score")
            ),
            strokeDash=alt.StrokeDash("score:N", sort=domain, scale=alt.Scale(domain=domain)),
            shape=alt.Shape("score:N", sort=domain, scale=alt.Scale(domain=domain)),
            tooltip=[_utc_day_tooltip(), "score:N", "median_score:Q"],
        )
    )
    return _finish(
        chart,
        "Typical maturity, connection, engagement and sentiment score per day, on the 0–100 "
        "scale of the scores",
    )


def remediation_summaries(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Per request, its buckets written out in stack order with the turnaround or state
    (``R3 V1 · 6.0 d``): what every segment says in colour, also said in text."""
    rank = {b: i for i, b in enumerate(BUCKET_ORDER)}
    parts: dict[str, list[tuple[int, str]]] = {}
    state: dict[str, str] = {}
    for r in rows:
        state[r["request_id"]] = r["state"]
        if r["numbers"]:
            letter = BUCKET_LETTERS.get(r["bucket"], "?")
            parts.setdefault(r["request_id"], []).append(
                (rank.get(r["bucket"], 99), f"{letter}{r['numbers']}")
            )
    return {
        rid: " ".join([t for _, t in sorted(parts.get(rid, []))] + ["·", state[rid]])
        for rid in state
    }


@unchecked
def remediation(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One row per request: its numbers per result bucket (stacked, each wide segment lettered)
    and, at the right, the same counts in text with its turnaround in days or its state (open,
    failed, cancelled)."""
    requests = list(dict.fromkeys(r["request_label"] for r in rows))
    domain = present([r for r in rows if r["numbers"]], "bucket", BUCKET_ORDER)
    summaries = remediation_summaries(rows)
    rows = [{**r, "summary": summaries[r["request_id"]]} for r in rows]
    y = alt.Y(
        "request_label:N",
        title=None,
        sort=requests,
        scale=alt.Scale(domain=requests),
        axis=alt.Axis(labelLimit=REQUEST_LABEL_PX),
    )
    base = alt.Chart(_data(rows)).encode(y=y)
    tip = [
        "request_label:N",
        "call_purpose:N",
        "request_id:N",
        "status:N",
        "bucket:N",
        "numbers:Q",
        "state:N",
    ]
    bars = (
        base.transform_filter("datum.numbers > 0")
        .mark_bar()
        .encode(
            x=alt.X("numbers:Q", title="Numbers per result", stack="zero"),
            color=alt.Color(
                "bucket:N",
                scale=alt.Scale(
                    domain=domain, range=_colours(domain, BUCKET_ORDER, BUCKET_COLOURS)
                ),
                sort=domain,
                legend=_legend(
                    "Result",
                    columns=1,
                    labelExpr=f"{BUCKET_LETTERS!r}[datum.label] + ' ' + datum.label",
                ),
            ),
            order=alt.Order("bucket_rank:Q"),
            tooltip=tip,
        )
    )
    letters = (
        base.transform_filter("datum.numbers > 0")
        .mark_text(align="right", dx=-3, fontSize=12, color="white")
        .encode(
            x=alt.X("numbers:Q", stack="zero", bandPosition=1),
            order=alt.Order("bucket_rank:Q"),
            text="letter:N",
            opacity=alt.condition(
                f"scale('x', datum.numbers) - scale('x', 0) >= {LETTER_PX}",
                alt.value(1),
                alt.value(0),
            ),
        )
        .transform_calculate(letter=f"{BUCKET_LETTERS!r}[datum.bucket] + datum.numbers")
    )
    summary = (
        base.transform_filter(f"datum.bucket == {BUCKET_ORDER[0]!r}")
        .mark_text(align="left", dx=6, fontSize=12)
        .encode(
            x=alt.value("width"),
            text="summary:N",
            color=alt.condition(
                "datum.status == 'completed'", alt.value("#1d2733"), alt.value("#8a5a00")
            ),
            tooltip=tip,
        )
    )
    chart = (bars + letters + summary).transform_calculate(
        bucket_rank=f"indexof({BUCKET_ORDER!r}, datum.bucket)"
    )
    return _finish(
        chart,
        "Per request: numbers per result bucket (R remediated, N not flagged, V requires "
        "review, I ineligible, X refused), drawn and, at the right, written out with the days "
        "from request to completion or the request's state",
        height=alt.Step(REQUEST_ROW_PX),
        right=8,
    )


@unchecked
def plivo_status(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One bar per carrier and status, each written out at its end ("ACTIVE 57")."""
    domain = present(rows, "status", STATUS_ORDER)
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("carrier:N", title=None),
        yOffset=alt.YOffset("status:N", sort=domain, scale=alt.Scale(domain=domain)),
        x=alt.X("numbers:Q", title="Plivo numbers"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=domain, range=_colours(domain, STATUS_ORDER, STATUS_COLOURS)),
            sort=domain,
            legend=None,  # each bar is labelled; a legend would only repeat it
        ),
        tooltip=["carrier:N", "status:N", "numbers:Q"],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12, color="#1d2733").encode(text="label:N")
    chart = (bars + labels).transform_calculate(
        label="datum.status + ' ' + format(datum.numbers, ',')"
    )
    spec = _finish(
        chart,
        "Numbers per carrier by registration status, each bar labelled with its status",
        height=len(present(rows, "carrier", [])) * (16 * len(domain) + 12),
        right=90,
    )
    return spec


def cost_labels(rows: list[dict[str, Any]], payers: list[str]) -> list[dict[str, Any]]:
    """One label per payer with cost in the last month, at the middle of its stacked segment of
    that bar, spread apart from the top down so thin segments' labels never overlap."""
    last = max(r["month_label"] for r in rows)
    usd: dict[str, float] = {}
    for r in rows:
        if r["month_label"] == last:
            usd[r["payer_label"]] = usd.get(r["payer_label"], 0.0) + float(r["usd"])
    total = sum(usd.values()) or 1.0
    out, below = [], 0.0
    for payer in (p for p in payers if p in usd):
        out.append({"payer_label": payer, "mid": below + usd[payer] / 2})
        below += usd[payer]
    ceiling = total
    for label in reversed(out):
        label["y"] = min(label["mid"], ceiling)
        ceiling = label["y"] - LABEL_GAP * total
    return [{"month": _month({"month_label": last}), **r} for r in out]


def _month(row: dict[str, Any]) -> str:
    """``Nov 26`` from a row's ``month_label`` (``2026-11``): short enough to stay upright."""
    year, month = row["month_label"].split("-")
    return f"{MONTHS[int(month) - 1]} {year[2:]}"


@unchecked
def cost(rows: list[dict[str, Any]], provider: str, payer_title: str) -> dict[str, Any]:
    """Stacked bars per month by payer; the week's month's projected rest drawn light, dashed.

    Payers are named (``payer_label``) and only those with cost are drawn. Each payer of the
    last bar is named beside its segment, so colour is never the only cue; a payer without cost
    in that month is named in the legend instead (and only such payers are)."""
    kinds = ["observed", "projected rest of month"]
    payers = present(rows, "payer_label", [])
    rank = {p: i for i, p in enumerate(payers)}
    data = [
        {**r, "stack": rank[r["payer_label"]] * 2 + kinds.index(r["kind"]), "month": _month(r)}
        for r in rows
    ]
    labels = cost_labels(rows, payers)
    unlabelled = [p for p in payers if p not in {lab["payer_label"] for lab in labels}]
    x = alt.X(
        "month:O", title="Month", sort=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy")
    )
    y_title = "USD per month"
    bars = (
        alt.Chart(_data(data))
        .mark_bar(strokeWidth=1, stroke="#333")
        .encode(
            x=x,
            y=alt.Y("usd:Q", title=y_title, stack="zero"),
            color=alt.Color(
                "payer_label:N",
                sort=payers,
                scale=alt.Scale(domain=payers),
                legend=_legend(payer_title, columns=1, values=unlabelled) if unlabelled else None,
            ),
            # the caption says it: only the last bar has a projected (light, dashed) part
            opacity=alt.Opacity(
                "kind:O", sort=kinds, scale=alt.Scale(domain=kinds, range=[1.0, 0.45]), legend=None
            ),
            strokeDash=alt.StrokeDash(
                "kind:O",
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=[[1, 0], [4, 2]]),
                legend=None,
            ),
            order=alt.Order("stack:Q"),
            tooltip=[
                "month_label:O",
                alt.Tooltip("payer_label:N", title=payer_title),
                alt.Tooltip("payer:N", title="Id"),
                "kind:N",
                alt.Tooltip("usd:Q", format="$,.2f"),
            ],
        )
    )
    names = (
        alt.Chart(_data(labels))
        .mark_text(align="left", dx=4, fontSize=12, color="#1d2733", limit=LABEL_PX)
        .encode(
            x=alt.X("month:O", sort=None, bandPosition=1),
            y=alt.Y("y:Q", title=y_title),
            text="payer_label:N",
        )
    )
    return _finish(
        bars + names,
        f"{provider}: USD per month per {payer_title.lower()}, each named beside the last bar; "
        "the last bar's light, dashed part is the projected rest of the week's month",
        right=8,
    )
