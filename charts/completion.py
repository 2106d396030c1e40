"""Completion charts: task status breakdown, completion by group, unit ranking."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import plotly.graph_objects as go

from charts.groups import NARROW_SEGMENT, share_text, status_counts
from charts.style import (
    SIDE_MARGIN,
    base_layout,
    category_axis,
    category_margin,
    escape,
    value_axis,
)
from metrics.scoring.rollup import Group, Overall
from metrics.scoring.summary import rate_text
from metrics.values.text import shorten
from report.palette import BLUE, INK, TASK_STATUS_SWATCHES, WHITE, Swatch
from report.text_width import text_em

_BAR_PITCH = 28  # px per bar in completion_by_group
# Below this rate the "10/13 · 76.9%" label does not fit inside the bar on a phone.
_INSIDE_FROM = 55.0
_AXIS_HEIGHT = 56  # x tick labels and the axis title
# A chart's width on a 390 px phone: Streamlit keeps 1 rem each side of the page.
PHONE_CHART_WIDTH = 358
_BAR_TEXT_PX = 12  # the "10/13 · 76.9%" beside or inside a bar
_TEXT_GAP = 4  # px between a bar's end and the label beside it
_VALUE_AXIS_MARGIN = 46  # px under the plot: the 0–100 ticks (11 px) and "完成率（%）" (12 px)
LABEL_CHARS = 14  # a group's label on a 390 px phone, "…" included; the hover has it all


def status_breakdown(overall: Overall) -> go.Figure:
    """One 100%-wide bar split by task status, each segment labelled with its count.

    Segments in the order 已完成, 长期坚持, 基本完成, 正在整改, 申请延期, 未启动;
    statuses with no task are left out. A segment too narrow for its label gets the
    count just above it.
    """
    c = overall.completion
    counts = status_counts(c)
    total = max(c.total, 1)
    fig = go.Figure()
    start = 0
    for status, count in counts.items():
        if not count:
            continue
        swatch = TASK_STATUS_SWATCHES[status]
        narrow = count / total < NARROW_SEGMENT
        fig.add_trace(
            go.Bar(
                x=[count],
                y=["任务"],
                orientation="h",
                name=swatch.tag,
                marker={"color": swatch.colour, "line": {"color": WHITE, "width": 1}},
                text=[f"{count}项"],
                textposition="none" if narrow else "inside",
                insidetextanchor="middle",
                textangle=0,
                textfont={"color": swatch.text_colour, "size": 13},
                hovertemplate=_breakdown_hover(swatch, count, c.total),
                width=1,
            )
        )
        if narrow:
            fig.add_annotation(
                x=start + count / 2,
                y=1,
                yref="paper",
                yanchor="bottom",
                text=f"{count}项",
                showarrow=False,
                font={"size": 12, "color": INK},
            )
        start += count
    narrow_labels = bool(fig.layout.annotations)
    fig.update_layout(barmode="stack", showlegend=True, bargap=0)
    fig.update_xaxes(visible=False, range=[0, total])
    fig.update_yaxes(visible=False)
    base_layout(fig, height=150 if narrow_labels else 130)
    fig.update_layout(
        margin={"t": 24 if narrow_labels else 6, "b": 4},
        legend={"y": -0.08, "traceorder": "normal"},
    )
    return fig


def completion_by_group(
    groups: Sequence[Group],
    *,
    title: str | None = None,
    label: Callable[[Group], str] | None = None,
    wrap_at: int | None = None,
) -> go.Figure:
    """Horizontal bars of completion rate (0–100 %), the first group on top.

    ``label`` gives the y label of a group (default: its name cut to 14 characters,
    keeping its leading "（一）" or "1."); the full name is in the hover. With
    ``wrap_at`` (documents, where nobody can hover) the label is never cut: the whole
    name, broken into lines of that many characters, each bar taller to hold them. Each
    bar reads "10/13 · 76.9%": inside a long bar, beside a short one (a 0 % bar still
    shows).
    """
    if wrap_at is not None:
        texts = [label(g) if label else g.key.strip() for g in groups]
        lines = [_lines(text, wrap_at) for text in texts]
        labels = _unique(["<br>".join(escape(part) for part in parts) for parts in lines])
        pitch = max(_BAR_PITCH, 18 * max((len(parts) for parts in lines), default=1) + 10)
        shown = ["\n".join(parts) for parts in lines]
    else:
        name = label or (lambda g: shorten(g.key.strip(), LABEL_CHARS))
        shown = [name(g) for g in groups]
        labels = _unique([escape(text) for text in shown])
        pitch = _BAR_PITCH
    rates = [100 * (g.completion.rate or 0.0) for g in groups]
    inside = [rate >= _INSIDE_FROM for rate in rates]
    bar_texts = [
        f"{g.completion.completed}/{g.completion.total} · {rate_text(g.completion.rate)}"
        for g in groups
    ]
    left = category_margin(shown)
    fig = go.Figure(
        go.Bar(
            x=rates,
            y=labels,
            orientation="h",
            marker={"color": BLUE},
            text=bar_texts,
            textposition=["inside" if i else "outside" for i in inside],
            insidetextanchor="end",
            insidetextfont={"color": WHITE, "size": _BAR_TEXT_PX},
            outsidetextfont={"color": INK, "size": _BAR_TEXT_PX},
            textangle=0,
            constraintext="none",
            cliponaxis=False,
            width=0.72,
            customdata=[g.key for g in groups],
            hovertext=[_group_hover(g) for g in groups],
            hoverinfo="text",
        )
    )
    fig.update_xaxes(
        value_axis("完成率（%）"),
        range=[0, 100],
        tickmode="array",
        tickvals=[0, 25, 50, 75, 100],
        ticktext=["0", "25", "50", "75", "100"],
    )
    fig.update_yaxes(category_axis(), autorange="reversed")
    base_layout(fig, title=title, height=_AXIS_HEIGHT + pitch * max(len(groups), 1))
    # Margins reserved up front (no automargin): plotly lays the chart out once.
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    fig.update_layout(
        showlegend=False,
        bargap=0.25,
        margin={
            "l": left,
            "r": _right_margin(rates, bar_texts, inside, left),
            "b": _VALUE_AXIS_MARGIN,
        },
    )
    if title:
        fig.update_layout(height=fig.layout.height + 30)
    return fig


def _right_margin(
    rates: Sequence[float], texts: Sequence[str], inside: Sequence[bool], left: int
) -> int:
    """Room right of the plot for the labels beside short bars: on a 390 px phone (the
    narrowest chart) "113/227 · 49.8%" after a bar ending near the middle would be cut
    at the chart's edge. With ``room`` the plot's width plus this margin, a label of
    width ``w`` after a bar of share ``s`` fits when ``s·(room − r) + w ≤ room``."""
    room = PHONE_CHART_WIDTH - left
    needed = float(SIDE_MARGIN)
    for rate, text, within in zip(rates, texts, inside, strict=True):
        share = rate / 100
        if within or share <= 0:
            continue
        width = text_em(text, cjk_font=True) * _BAR_TEXT_PX + _TEXT_GAP
        needed = max(needed, room - (room - width) / share)
    return min(math.ceil(needed), room // 2)


def _lines(text: str, width: int) -> list[str]:
    """``text`` in pieces of at most ``width`` characters (Chinese breaks anywhere)."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def unit_ranking(groups: Sequence[Group]) -> go.Figure:
    """Completion rate by 牵头单位, already ranked by ``rollup.by_lead_unit``.

    Labels read "1. 区委"; equal rates share a rank ("1, 1, 1, 4"), as in the table.
    """
    numbered: dict[int, str] = {}
    rank, previous = 0, None
    for position, g in enumerate(groups, start=1):
        if position == 1 or g.completion.rate != previous:
            rank, previous = position, g.completion.rate
        numbered[id(g)] = f"{rank}. {shorten(g.key.strip(), 10)}"
    return completion_by_group(groups, label=lambda g: numbered[id(g)])


def _breakdown_hover(swatch: Swatch, count: int, total: int) -> str:
    share = share_text(count, total)
    return f"{swatch.tag}：{count}项，占{share}（共{total}项）<extra></extra>"


def _group_hover(g: Group) -> str:
    c = g.completion
    lines = [escape(g.key), f"完成 {c.completed}/{c.total} 项，完成率 {rate_text(c.rate)}"]
    if c.basically_done:
        lines.append(f"基本完成 {c.basically_done} 项")
    if c.in_progress:
        lines.append(f"正在整改 {c.in_progress} 项")
    if c.extension_requested:
        lines.append(f"申请延期 {c.extension_requested} 项")
    if c.not_started:
        lines.append(f"未启动 {c.not_started} 项")
    if c.overdue:
        lines.append(f"已超时限 {c.overdue} 项")
    return "<br>".join(lines)


def _unique(labels: list[str]) -> list[str]:
    """Equal labels would share one bar on a category axis: tell them apart invisibly."""
    seen: dict[str, int] = {}
    result = []
    for text in labels:
        copies = seen.get(text, 0)
        seen[text] = copies + 1
        result.append(text + "\u200b" * copies)
    return result
