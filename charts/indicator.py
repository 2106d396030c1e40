"""Indicator charts: a bullet chart against the target, and the history line."""

from __future__ import annotations

from itertools import pairwise

import plotly.graph_objects as go

from charts.palette import BAND_SHADES, INDICATOR_SWATCHES, INK
from charts.style import base_layout
from metrics.contract import Direction
from metrics.headline import chinese_date
from metrics.progress import IndicatorProgress
from metrics.quantities import format_number

_BAR_Y, _BAR_HALF, _BAND_HALF = 0.5, 0.14, 0.32


def bullet(ip: IndicatorProgress) -> go.Figure:
    """Stephen Few's bullet chart: actual bar, target marker, expected-by-now marker and
    qualitative bands, in the indicator's own unit. Needs a target and a value."""
    ind = ip.indicator
    latest = ip.latest
    if ind.target is None or latest is None:
        raise ValueError(f"indicator {ind.id} needs a target and a value for a bullet chart")
    value, target = latest.value, ind.target
    lower_better = ind.direction is Direction.LOWER_IS_BETTER
    start = (
        ip.baseline
        if ip.baseline is not None
        else (max(value, target) * 1.5 if lower_better else 0.0)
    )
    low = min(0.0, value, target, start)
    high = max(value, target, start) * 1.12 or 1.0
    unit = ind.unit
    swatch = INDICATOR_SWATCHES[ip.status]
    fig = go.Figure()

    # Qualitative bands: darkest far from the target, lightest at and beyond it.
    def at(share: float) -> float:
        return start + share * (target - start)

    edges = [high, at(0.6), at(0.95), low] if lower_better else [low, at(0.6), at(0.95), high]
    for shade, (a, b) in zip(BAND_SHADES[::-1], pairwise(edges), strict=True):
        fig.add_shape(
            type="rect",
            x0=min(a, b),
            x1=max(a, b),
            y0=_BAR_Y - _BAND_HALF,
            y1=_BAR_Y + _BAND_HALF,
            fillcolor=shade,
            line={"width": 0},
            layer="below",
        )

    value_text = format_number(value, unit, latest.approximate)
    fig.add_trace(
        go.Bar(
            x=[value - low],
            base=[low],
            y=[_BAR_Y],
            width=[2 * _BAR_HALF],
            orientation="h",
            marker={"color": swatch.colour},
            text=[value_text],
            # Inside a long bar (clear of the target marker), outside a short one.
            textposition="inside" if value - low > 0.3 * (high - low) else "outside",
            insidetextanchor="start",
            textfont={"color": swatch.text_colour if value - low > 0.3 * (high - low) else INK},
            cliponaxis=False,
            hovertemplate=(
                f"最新 {value_text}（{chinese_date(latest.date)}）<br>"
                f"目标 {format_number(target, unit)}"
                + (f"（{chinese_date(ind.target_date)}前）" if ind.target_date else "")
                + f"<br>{swatch.tag}：{ip.reason}<extra></extra>"
            ),
        )
    )
    fig.add_shape(
        type="line",
        x0=target,
        x1=target,
        y0=_BAR_Y - _BAND_HALF,
        y1=_BAR_Y + _BAND_HALF,
        line={"color": INK, "width": 3},
    )
    fig.add_annotation(
        x=target,
        y=_BAR_Y + _BAND_HALF,
        text=f"目标 {format_number(target, unit)}",
        showarrow=False,
        yanchor="bottom",
        font={"size": 12},
    )
    if ip.expected is not None and ip.status.value not in ("已达标",):
        expected_at = at(ip.expected)
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
            text=f"序时 {ip.expected:.0%}",
            showarrow=False,
            yanchor="top",
            font={"size": 11},
        )
    fig.update_xaxes(
        range=[low, high],
        title={"text": unit.symbol if unit else "", "standoff": 2},
        gridcolor="rgba(0,0,0,0)",
        zeroline=False,
    )
    fig.update_yaxes(visible=False, range=[0, 1.05])
    base_layout(fig, height=130)
    fig.update_layout(showlegend=False, margin={"t": 10, "b": 34})
    return fig


def history(ip: IndicatorProgress) -> go.Figure:
    """The figures over time, with the target as a dashed line. Needs two observations."""
    ind = ip.indicator
    if len(ip.history) < 2:
        raise ValueError(f"indicator {ind.id} needs at least two observations for a history")
    unit = ind.unit
    swatch = INDICATOR_SWATCHES[ip.status]
    fig = go.Figure(
        go.Scatter(
            x=[o.date for o in ip.history],
            y=[o.value for o in ip.history],
            mode="lines+markers",
            line={"color": swatch.colour, "width": 2},
            marker={
                "size": 9,
                "color": ["#ffffff" if o.approximate else swatch.colour for o in ip.history],
                "line": {"color": swatch.colour, "width": 2},
            },
            text=[format_number(o.value, unit, o.approximate) for o in ip.history],
            hovertemplate="%{x|%Y年%m月%d日}<br>%{text}<extra></extra>",
            name=ind.name,
        )
    )
    if ind.target is not None:
        fig.add_hline(
            y=ind.target,
            line={"color": INK, "width": 1.5, "dash": "dash"},
            annotation_text=f"目标 {format_number(ind.target, unit)}",
            annotation_position="top left",
        )
    fig.update_xaxes(tickformat="%Y年%m月", gridcolor="#eceff3")
    fig.update_yaxes(title={"text": unit.symbol if unit else ""}, gridcolor="#eceff3")
    base_layout(fig, height=240)
    fig.update_layout(showlegend=False)
    return fig
