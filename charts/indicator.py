"""Indicator charts: a bullet chart against the target, and the history line."""

from __future__ import annotations

from itertools import pairwise
from typing import Final

import plotly.graph_objects as go

from charts.style import SMALL_FONT_SIZE, base_layout, escape, value_axis
from metrics.contract import Direction
from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import IndicatorProgress, IndicatorStatus
from metrics.values.formatting import format_number
from metrics.values.units import Unit, is_rank
from report.palette import BAND_SHADES, GRID_COLOUR, INDICATOR_SWATCHES, INK, MUTED_INK, WHITE
from report.wording import target_word

# Vertical layout of the bullet chart, in y units of a [0, 1] axis.
# The target label sits above the bands, the 序时 label below them.
_BAR_Y: Final = 0.45
_BAR_HALF: Final = 0.12
_BAND_HALF: Final = 0.29
_TARGET_HALF: Final = 0.22
# Band edges, as progress from the baseline to the target: poor below 60 %, fair below
# 95 %, good from 95 % (the thresholds of the status rule in metrics.scoring.progress).
_FAIR_FROM: Final = 0.6
_GOOD_FROM: Final = 0.95
_FOUR_WEEKS_MS: Final = 28 * 24 * 3600 * 1000
_HEADROOM: Final = 0.1  # the axis runs 10 % of its span past the largest number
_PLOT_WIDTH_PX: Final = 340  # the plot area on a 390 px phone, to place labels
_WIDE_PX: Final = 12.5  # width of a Chinese character in a 12 px label
_NARROW_PX: Final = 7.0  # width of a digit or Latin letter in a 12 px label


def bullet(ip: IndicatorProgress) -> go.Figure:
    """Stephen Few's bullet chart of an indicator that has a target and a value.

    In the indicator's own unit, left to right: qualitative bands (dark = far from the
    target, light = at or past it; for 越小越好 the light band is on the low side), the
    latest value as a bar coloured by the status, the target as a black line, and the
    expected-by-now value (序时进度) as a dotted line when the period has a length and
    the target is not yet met. Raises ValueError without a target or a value.
    """
    ind = ip.indicator
    latest = ip.latest
    if ind.target is None or latest is None:
        raise ValueError(f"指标 {ind.id} 没有目标值或数据：bullet chart needs a target and a value")
    value, target, baseline = latest.value, ind.target, ip.baseline
    unit = ind.unit
    swatch = INDICATOR_SWATCHES[ip.status]
    numbers = [0.0, value, target] + ([baseline] if baseline is not None else [])
    low, top = min(numbers), max(numbers)
    high = top + _HEADROOM * (top - low) if top > low else top + 1.0
    span = high - low
    fig = go.Figure()

    for shade, (x0, x1) in _bands(ind.direction, baseline, target, low, high):
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=_BAR_Y - _BAND_HALF,
            y1=_BAR_Y + _BAND_HALF,
            fillcolor=shade,
            line={"width": 0},
            layer="below",
        )

    value_text = format_number(value, unit, latest.qualifier, latest.text)
    fits_inside = abs(value) / span * _PLOT_WIDTH_PX > _text_px(value_text) + 12
    fig.add_trace(
        go.Bar(
            x=[value],
            base=[0.0],
            y=[_BAR_Y],
            width=[2 * _BAR_HALF],
            orientation="h",
            marker={"color": swatch.colour, "line": {"width": 0}},
            text=[escape(value_text)],
            textposition="inside" if fits_inside else "outside",
            insidetextanchor="start",
            insidetextfont={"color": swatch.text_colour, "size": 12},
            outsidetextfont={"color": INK, "size": 12},
            textangle=0,
            constraintext="none",
            cliponaxis=False,
            hovertext=[_bullet_hover(ip, value_text)],
            hoverinfo="text",
            name=escape(ind.name),
        )
    )

    fig.add_shape(
        type="line",
        x0=target,
        x1=target,
        y0=_BAR_Y - _TARGET_HALF,
        y1=_BAR_Y + _TARGET_HALF,
        line={"color": INK, "width": 3},
    )
    fig.add_annotation(
        x=target,
        y=_BAR_Y + _BAND_HALF,
        text=escape(f"{target_word(ind)} {format_number(target, unit)}"),
        showarrow=False,
        yanchor="bottom",
        xanchor=_anchor((target - low) / span),
        font={"size": 12, "color": INK},
    )

    expected_at = _expected_value(ip)
    if expected_at is not None:
        fig.add_shape(
            type="line",
            x0=expected_at,
            x1=expected_at,
            y0=_BAR_Y - _BAND_HALF,
            y1=_BAR_Y + _BAND_HALF,
            line={"color": INK, "width": 1.5, "dash": "dot"},
        )
        fig.add_annotation(
            x=expected_at,
            y=_BAR_Y - _BAND_HALF,
            text="序时",
            showarrow=False,
            yanchor="top",
            xanchor=_anchor((expected_at - low) / span),
            font={"size": SMALL_FONT_SIZE, "color": MUTED_INK},
        )

    fig.update_xaxes(value_axis(_unit_title(unit)), range=[low, high], showgrid=False)
    fig.update_yaxes(visible=False, range=[0, 1])
    base_layout(fig, height=130)
    fig.update_layout(showlegend=False, margin={"t": 2, "b": 4})
    return fig


def history(ip: IndicatorProgress) -> go.Figure:
    """The figures over time, with the target as a dashed line when there is one.

    Approximate figures ("约2500") are drawn as hollow markers. Raises ValueError with
    fewer than two observations.
    """
    ind = ip.indicator
    if len(ip.history) < 2:
        raise ValueError(f"指标 {ind.id} 少于两个数据：history needs at least two observations")
    unit = ind.unit
    swatch = INDICATOR_SWATCHES[ip.status]
    colour = swatch.colour if ip.status is not IndicatorStatus.NO_DATA else INK
    fig = go.Figure(
        go.Scatter(
            x=[o.date.isoformat() for o in ip.history],
            y=[o.value for o in ip.history],
            mode="lines+markers",
            line={"color": colour, "width": 2},
            marker={
                "size": 9,
                "color": [WHITE if o.approximate else colour for o in ip.history],
                "line": {"color": colour, "width": 2},
            },
            text=[escape(format_number(o.value, unit, o.qualifier, o.text)) for o in ip.history],
            customdata=[chinese_date(o.date) for o in ip.history],
            hovertemplate="%{customdata}<br>%{text}<extra></extra>",
            name=escape(ind.name),
            cliponaxis=False,
        )
    )
    if ind.target is not None:
        when = f"（{chinese_date(ind.target_date)}前）" if ind.target_date else ""
        fig.add_hline(
            y=ind.target,
            line={"color": INK, "width": 1.5, "dash": "dash"},
            annotation={
                "text": escape(f"{target_word(ind)} {format_number(ind.target, unit)}{when}"),
                "font": {"size": SMALL_FONT_SIZE, "color": INK},
                "bgcolor": "rgba(255, 255, 255, 0.8)",
            },
            annotation_position="top left",
        )
    fig.update_xaxes(
        value_axis(),
        type="date",
        nticks=5,
        showgrid=False,
        showline=True,
        linecolor=GRID_COLOUR,
        tickformatstops=[
            {"dtickrange": [None, _FOUR_WEEKS_MS], "value": "%-m月%-d日"},
            {"dtickrange": ["M1", "M6"], "value": "%Y年%-m月"},
            {"dtickrange": ["M12", None], "value": "%Y年"},
        ],
    )
    # The unit reads across, top left ("单位：亿元"), not as a rotated axis title.
    fig.update_yaxes(value_axis(), nticks=6)
    unit_label = _unit_title(unit)
    if unit_label:
        fig.add_annotation(
            text=f"单位：{escape(unit_label)}",
            x=0,
            xref="paper",
            xanchor="left",
            y=1,
            yref="paper",
            yanchor="bottom",
            yshift=4,
            showarrow=False,
            font={"size": SMALL_FONT_SIZE, "color": MUTED_INK},
        )
    base_layout(fig, height=240)
    fig.update_layout(showlegend=False, margin={"t": 26 if unit_label else 12, "b": 4})
    return fig


def _bands(
    direction: Direction, baseline: float | None, target: float, low: float, high: float
) -> list[tuple[str, tuple[float, float]]]:
    """(shade, (x0, x1)) of the qualitative bands, dark where far from the target."""
    good, fair, poor = BAND_SHADES  # light to dark
    lower_better = direction is Direction.LOWER_IS_BETTER
    if (
        baseline is None
        or abs(target - baseline) < 1e-9
        or (target > baseline) == lower_better  # the target is not an improvement
    ):
        # No way to measure "part of the way there": only met / not met.
        if lower_better:
            return [(good, (low, target)), (poor, (target, high))]
        return [(poor, (low, target)), (good, (target, high))]

    def at(share: float) -> float:
        return baseline + share * (target - baseline)

    if target > baseline:
        edges, shades = [low, at(_FAIR_FROM), at(_GOOD_FROM), high], [poor, fair, good]
    else:
        edges, shades = [low, at(_GOOD_FROM), at(_FAIR_FROM), high], [good, fair, poor]
    return [
        (shade, (x0, x1))
        for shade, (x0, x1) in zip(shades, pairwise(edges), strict=True)
        if x1 > x0
    ]


def _expected_value(ip: IndicatorProgress) -> float | None:
    """Where the value should be by now (序时进度), or None when not shown."""
    target = ip.indicator.target
    if (
        ip.expected is None
        or ip.baseline is None
        or target is None
        or ip.status is IndicatorStatus.MET
    ):
        return None
    return ip.baseline + ip.expected * (target - ip.baseline)


def _bullet_hover(ip: IndicatorProgress, value_text: str) -> str:
    ind = ip.indicator
    latest = ip.latest
    assert latest is not None and ind.target is not None
    swatch = INDICATOR_SWATCHES[ip.status]
    target_when = f"（{chinese_date(ind.target_date)}前）" if ind.target_date else ""
    lines = [
        f"<b>{escape(ind.name)}</b>",
        f"最新 {escape(value_text)}（{chinese_date(latest.date)}）",
        escape(f"{target_word(ind)} {format_number(ind.target, ind.unit)}{target_when}"),
    ]
    if ind.direction is Direction.LOWER_IS_BETTER:
        lines[-1] += "，越小越好"
    expected_at = _expected_value(ip)
    if expected_at is not None:
        lines.append(f"按序时进度应达 {format_number(expected_at, ind.unit)}")
    lines.append(f"{swatch.tag}：{escape(ip.reason)}")
    return "<br>".join(lines)


def _anchor(position: float) -> str:
    """Keep a label inside the chart: left-aligned near the left edge, and so on."""
    if position < 0.2:
        return "left"
    if position > 0.8:
        return "right"
    return "center"


def _text_px(text: str) -> float:
    """Rough width of a 12 px label, to decide whether it fits inside the bar."""
    return sum(_NARROW_PX if ch.isascii() else _WIDE_PX for ch in text)


def _unit_title(unit: Unit | None) -> str:
    if is_rank(unit):
        return "名次（第几名，越小越靠前）"
    return unit.symbol if unit is not None else ""
