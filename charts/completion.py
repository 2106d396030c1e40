"""Completion charts: task status breakdown, completion by group, unit ranking."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import plotly.graph_objects as go

from charts.palette import BLUE, TASK_STATUS_SWATCHES
from charts.style import base_layout, shorten
from metrics.contract import TaskStatus
from metrics.rollup import Group, Overall
from metrics.summary import rate_text

_STATUS_ORDER = (
    TaskStatus.DONE,
    TaskStatus.ONGOING,
    TaskStatus.IN_PROGRESS,
    TaskStatus.NOT_STARTED,
)


def status_breakdown(overall: Overall) -> go.Figure:
    """One 100%-wide bar split by task status, each segment labelled with its count."""
    c = overall.completion
    counts = {
        TaskStatus.DONE: c.done,
        TaskStatus.ONGOING: c.ongoing,
        TaskStatus.IN_PROGRESS: c.in_progress,
        TaskStatus.NOT_STARTED: c.not_started,
    }
    fig = go.Figure()
    for status in _STATUS_ORDER:
        count = counts[status]
        if not count:
            continue
        swatch = TASK_STATUS_SWATCHES[status]
        fig.add_trace(
            go.Bar(
                x=[count],
                y=["任务"],
                orientation="h",
                name=swatch.tag,
                marker={"color": swatch.colour},
                text=[f"{count}项"],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                constraintext="none",
                textfont={"color": swatch.text_colour},
                hovertemplate=f"{swatch.tag}：{count}项（共{c.total}项）<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", showlegend=True)
    fig.update_xaxes(visible=False, range=[0, max(c.total, 1)])
    fig.update_yaxes(visible=False)
    base_layout(fig, height=130)
    fig.update_layout(legend={"y": -0.1, "traceorder": "normal"})
    return fig


def completion_by_group(
    groups: Sequence[Group],
    *,
    title: str | None = None,
    label: Callable[[Group], str] | None = None,
) -> go.Figure:
    """Horizontal bars of completion rate (0–100 %), first group on top."""
    name = label or (lambda g: shorten(g.key))
    rates = [100 * (g.completion.rate or 0.0) for g in groups]
    # Text inside long bars, beside short ones (a 0 % bar still shows "0/2 · 0.0%").
    positions = ["inside" if rate >= 40 else "outside" for rate in rates]
    texts = [
        f"{g.completion.completed}/{g.completion.total} · {rate_text(g.completion.rate)}"
        for g in groups
    ]
    fig = go.Figure(
        go.Bar(
            x=rates,
            y=[name(g) for g in groups],
            orientation="h",
            marker={"color": BLUE},
            text=texts,
            textposition=positions,
            insidetextanchor="end",
            customdata=[g.key for g in groups],
            hovertemplate="%{customdata}<br>完成率 %{x:.1f}%<br>%{text}<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(
        range=[0, 100], title={"text": "完成率（%）"}, ticksuffix="%", gridcolor="#eceff3"
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    base_layout(fig, title=title, height=70 + 30 * max(len(groups), 1))
    fig.update_layout(showlegend=False)
    return fig


def problem_label(group: Group) -> str:
    """ "一·1.理论指导实践有差距…": the 方面 ordinal keeps equal numbers apart."""
    match = re.match(r"[（(]([一二三四五六七八九十]+)[)）]", group.parent.strip())
    prefix = f"{match.group(1)}·" if match else ""
    return prefix + shorten(group.key, 13)


def unit_ranking(groups: Sequence[Group]) -> go.Figure:
    """Completion rate by 牵头单位, already ranked by ``rollup.by_lead_unit``."""
    numbered: dict[int, str] = {}
    rank, previous = 0, None
    for position, g in enumerate(groups, start=1):
        if g.completion.rate != previous:  # equal rates share a rank, as in the table
            rank, previous = position, g.completion.rate
        numbered[id(g)] = f"{rank}. {shorten(g.key, 10)}"
    return completion_by_group(groups, label=lambda g: numbered[id(g)])
