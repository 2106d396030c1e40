"""Where is the red: tasks × indicator statuses, one coloured square per non-empty cell."""

from __future__ import annotations

from typing import Final

import plotly.graph_objects as go

from charts.style import SMALL_FONT_SIZE, base_layout, category_axis, escape
from metrics.scoring.progress import IndicatorStatus, Scored, TaskProgress
from metrics.values.text import shorten
from report.palette import GRID_COLOUR, INDICATOR_SWATCHES, MUTED_INK, WHITE

_ROW_HEIGHT: Final = 24  # px per task
_CELL_SIZE: Final = 20  # px, the side of a square
_HEADER_HEIGHT: Final = 80  # column headers (three characters, top to bottom) + the modebar
_HOVER_NAMES: Final = 5  # indicator names listed in a cell's hover


def task_status_matrix(scored: Scored) -> go.Figure:
    """Rows: every task in task order (a task without indicators is an empty row);
    columns: the indicator statuses in enum order; a cell: how many of the task's
    indicators have that status, as a square in the status colour (nothing when 0).

    One scatter trace per status, named by its tag ("✖ 严重滞后"), so the colours are
    exactly the palette's and there is no colour bar.
    """
    rows = [task_label(tp) for tp in scored.tasks]
    columns = [INDICATOR_SWATCHES[s].label for s in IndicatorStatus]
    fig = go.Figure()
    for status in IndicatorStatus:
        swatch = INDICATOR_SWATCHES[status]
        ys: list[str] = []
        counts: list[str] = []
        hovers: list[str] = []
        for row, tp in zip(rows, scored.tasks, strict=True):
            names = [ip.indicator.name for ip in tp.indicators if ip.status is status]
            if names:
                ys.append(row)
                counts.append(str(len(names)))
                hovers.append(_cell_hover(tp, swatch.tag, names))
        fig.add_trace(
            go.Scatter(
                x=[swatch.label] * len(ys),
                y=ys,
                mode="markers+text",
                marker={
                    "symbol": "square",
                    "size": _CELL_SIZE,
                    "color": swatch.colour,
                    "line": {"width": 0},
                },
                text=counts,
                textposition="middle center",
                textfont={"color": swatch.text_colour, "size": SMALL_FONT_SIZE},
                hovertext=hovers,
                hoverinfo="text",
                name=swatch.tag,
                showlegend=False,
                cliponaxis=False,
            )
        )
    fig.update_xaxes(
        category_axis(),
        side="top",
        type="category",
        categoryorder="array",
        categoryarray=columns,
        range=[-0.5, len(columns) - 0.5],
        # One character per line: seven columns fit a phone with the task names.
        tickmode="array",
        tickvals=columns,
        ticktext=["<br>".join(label) for label in columns],
        tickangle=0,
        tickfont={"size": SMALL_FONT_SIZE, "color": MUTED_INK},
    )
    fig.update_yaxes(
        category_axis(),
        type="category",
        categoryorder="array",
        categoryarray=rows,
        range=[len(rows) - 0.5, -0.5],
        showgrid=True,
        gridcolor=GRID_COLOUR,
        gridwidth=1,
        tickfont={"size": 12},
    )
    base_layout(fig, height=_HEADER_HEIGHT + 16 + _ROW_HEIGHT * max(len(rows), 1))
    fig.update_layout(margin={"t": _HEADER_HEIGHT, "b": 6}, showlegend=False, plot_bgcolor=WHITE)
    return fig


def task_label(tp: TaskProgress) -> str:
    """ "（9）回迁安置进展缓慢", the title cut for a phone."""
    return escape(f"（{tp.task.id}）{shorten(tp.task.title.strip(), 10)}")


def _cell_hover(tp: TaskProgress, tag: str, names: list[str]) -> str:
    shown = [f"· {escape(name)}" for name in names[:_HOVER_NAMES]]
    if len(names) > _HOVER_NAMES:
        shown.append(f"……等{len(names)}个")
    head = f"（{tp.task.id}）{escape(tp.task.title)}"
    return "<br>".join([head, f"{tag}：{len(names)}个指标", *shown])
