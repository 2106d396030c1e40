"""Where is the red: tasks × indicator statuses, one coloured square per non-empty cell."""

from __future__ import annotations

import plotly.graph_objects as go

from charts.palette import INDICATOR_SWATCHES
from charts.style import base_layout, shorten
from metrics.progress import IndicatorStatus, Scored

_ROW_HEIGHT = 24


def task_status_matrix(scored: Scored) -> go.Figure:
    """Rows: every task in order; columns: indicator statuses; cells: counts."""
    rows = [f"（{tp.task.id}）{shorten(tp.task.title, 10)}" for tp in scored.tasks]
    fig = go.Figure()
    for status in IndicatorStatus:
        swatch = INDICATOR_SWATCHES[status]
        xs, ys, counts, names = [], [], [], []
        for row, tp in zip(rows, scored.tasks, strict=True):
            count = sum(1 for ip in tp.indicators if ip.status is status)
            if count:
                xs.append(swatch.label)
                ys.append(row)
                counts.append(str(count))
                names.append(tp.task.title)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                marker={"symbol": "square", "size": 21, "color": swatch.colour},
                text=counts,
                textfont={"color": swatch.text_colour, "size": 11},
                customdata=names,
                hovertemplate=f"%{{customdata}}<br>{swatch.tag}：%{{text}}个<extra></extra>",
                name=swatch.tag,
                showlegend=False,
            )
        )
    columns = [INDICATOR_SWATCHES[s].label for s in IndicatorStatus]
    fig.update_xaxes(
        side="top",
        categoryorder="array",
        categoryarray=columns,
        range=[-0.5, len(columns) - 0.5],
        # Written top to bottom, one character per line: seven columns fit a phone.
        tickmode="array",
        tickvals=columns,
        ticktext=["<br>".join(label) for label in columns],
        tickangle=0,
        tickfont={"size": 11},
        showgrid=False,
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=rows,
        range=[len(rows) - 0.5, -0.5],
        automargin=True,
        gridcolor="#f0f2f5",
        tickfont={"size": 11},
    )
    base_layout(fig, height=90 + _ROW_HEIGHT * max(len(rows), 1))
    fig.update_layout(margin={"t": 64})
    return fig
