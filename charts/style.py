"""The shared look of every chart: fonts, colours, margins for a 390 px phone, config.

Colours come from ``report.palette``. Every builder in ``charts`` finishes with
:func:`base_layout`; pages pass :data:`PLOTLY_CONFIG` to ``st.plotly_chart(config=...)``.
Labels are cut with ``metrics.values.text.shorten``. Nothing here loads an external resource: no
MathJax, no map tiles, no CDN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import plotly.graph_objects as go

from report.literal import plotly_text
from report.palette import AXIS_LINE_COLOUR, FONT_FAMILY, GRID_COLOUR, INK, MUTED_INK, WHITE
from report.text_width import text_em

FONT_SIZE: Final = 13
SMALL_FONT_SIZE: Final = 11
SIDE_MARGIN: Final = 10
CATEGORY_FONT_PX: Final = 12  # a category axis's labels
LABEL_GAP: Final = 4  # px between a category label and the plot (plotly's tick gap)
TITLE_HEIGHT: Final = 30

PLOTLY_CONFIG: Final[dict[str, Any]] = {
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": False,  # a finger scrolling the page must not zoom the chart
    "doubleClick": False,
    "showTips": False,
    "showSendToCloud": False,
    "typesetMath": False,  # never load MathJax
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
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "整改进展"},
}


def base_layout(
    fig: go.Figure, *, title: str | None = None, height: int | None = None
) -> go.Figure:
    """Apply the dashboard's look to ``fig`` (in place) and return it.

    ``title`` is drawn top left in the chart; ``height`` is in pixels (plotly's default
    of 450 px when None). Axes are fixed (no zoom or pan) so that a finger scrolls the
    page on a phone instead of dragging the chart.
    """
    fig.update_layout(
        font={"family": FONT_FAMILY, "color": INK, "size": FONT_SIZE},
        paper_bgcolor=WHITE,
        plot_bgcolor=WHITE,
        margin={
            "l": SIDE_MARGIN,
            "r": SIDE_MARGIN,
            "t": TITLE_HEIGHT if title else 10,
            "b": 10,
            "pad": 0,
        },
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.02,
            "yanchor": "top",
            "font": {"size": 12},
            "title": {"text": ""},
            "bgcolor": "rgba(255, 255, 255, 0)",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        separators=".,",
        hoverlabel={
            "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": INK},
            "bgcolor": WHITE,
            "bordercolor": AXIS_LINE_COLOUR,
            "align": "left",
        },
        dragmode=False,
        autosize=True,
    )
    if title:
        fig.update_layout(
            title={
                "text": escape(title),
                "x": 0,
                "xref": "container",
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 6, "l": SIDE_MARGIN},
                "font": {"size": 15, "color": INK},
            }
        )
    if height is not None:
        fig.update_layout(height=height)
    fig.update_xaxes(fixedrange=True)
    fig.update_yaxes(fixedrange=True)
    return fig


def value_axis(title: str = "") -> dict[str, Any]:
    """A quantitative axis: light grid, muted title and ticks."""
    return {
        "title": {"text": escape(title), "font": {"size": 12, "color": MUTED_INK}, "standoff": 4},
        "showgrid": True,
        "gridcolor": GRID_COLOUR,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "tickfont": {"size": 11, "color": MUTED_INK},
        # the digits in full, never "13k" (axis ticks; figures in text are never grouped).
        "exponentformat": "none",
        "automargin": True,
        "fixedrange": True,
    }


def category_axis() -> dict[str, Any]:
    """An axis of names: no grid, no ticks, ink labels."""
    return {
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "tickfont": {"size": CATEGORY_FONT_PX, "color": INK},
        "automargin": True,
        "fixedrange": True,
    }


def category_margin(labels: Sequence[str], font_px: int = CATEGORY_FONT_PX) -> int:
    """The margin (px) beside a category axis that holds the widest line of ``labels``
    (raw text, lines split at "\\n") at ``font_px``: what plotly's automargin would
    find, reserved up front so that plotly lays the chart out once instead of drawing it,
    measuring its labels and drawing it again (about 0.1 s for a tall chart)."""
    widest = max(
        (text_em(line, cjk_font=True) for label in labels for line in label.split("\n")),
        default=0.0,
    )
    return SIDE_MARGIN + math.ceil(widest * font_px) + LABEL_GAP


def escape(text: str) -> str:
    """Workbook text for a plotly label, title or hover: shown literally (plotly reads a
    few HTML tags, entities and ``$…$`` as LaTeX); see ``report.literal``."""
    return plotly_text(text)
