"""Shared look of every chart: Chinese font, calm colours, phone-friendly margins."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from charts.palette import FONT_FAMILY, INK

# Passed to st.plotly_chart: no plotly logo, no tools leaders do not need, and a 2x PNG
# from the camera button. Nothing here loads anything from the network.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": False,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
    ],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def base_layout(
    fig: go.Figure, *, title: str | None = None, height: int | None = None
) -> go.Figure:
    """Apply the common layout in place and return the figure."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}} if title else None,
        font={"family": FONT_FAMILY, "color": INK, "size": 13},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 8, "r": 12, "t": 36 if title else 8, "b": 8},
        separators=".,",
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 13}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        dragmode=False,
    )
    if height is not None:
        fig.update_layout(height=height)
    return fig


def shorten(text: str, limit: int = 14) -> str:
    """Labels for a 390 px phone: cut long names, keep the start (its number)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
