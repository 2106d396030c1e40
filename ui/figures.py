"""Charts built once per data version and shared by all sessions: plotly figures, and the
overview's HTML bars (``charts.bars_html``: no chart library for the browser to load).

The figures are immutable in use (pages only render them), so they are cached as
resources keyed by the workbook version; the scored data itself is not hashed.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from briefing.names import file_stem
from charts.bars_html import completion_list, status_bar
from charts.completion import unit_ranking
from charts.groups import problem_ordinal
from charts.indicator import bullet, history
from charts.matrix import task_status_matrix
from charts.style import PLOTLY_CONFIG
from metrics.scoring.progress import IndicatorProgress, Scored
from metrics.scoring.rollup import by_category, by_lead_unit, by_problem, overall


@dataclass(frozen=True, slots=True)
class OverviewCharts:
    """HTML fragments for ``st.html``: the status bar and two completion tables."""

    breakdown: str
    categories: str
    problems: str


@st.cache_resource(max_entries=16, show_spinner=False)
def overview_charts(version: str, _scored: Scored) -> OverviewCharts:
    return OverviewCharts(
        breakdown=status_bar(overall(_scored).completion),
        categories=completion_list(by_category(_scored), heading="方面"),
        problems=completion_list(by_problem(_scored), heading="问题", label=problem_ordinal),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def matrix_figure(version: str, _scored: Scored) -> go.Figure:
    return task_status_matrix(_scored)


@st.cache_resource(max_entries=16, show_spinner=False)
def ranking_figure(version: str, _scored: Scored) -> go.Figure:
    return unit_ranking(by_lead_unit(_scored))


@st.cache_resource(max_entries=2048, show_spinner=False)
def indicator_figures(
    version: str, indicator_id: str, _ip: IndicatorProgress
) -> tuple[go.Figure, go.Figure | None]:
    """(bullet chart, history chart or None when there are fewer than two figures)."""
    return bullet(_ip), history(_ip) if len(_ip.history) >= 2 else None


def show(
    figure: go.Figure, key: str, *, name: str | None = None, scored: Scored | None = None
) -> None:
    """Render a chart; the toolbar's image download is named after ``name`` and the
    data's date (e.g. 整改完成率_2021-05-31.png) and drawn at 2x."""
    config = PLOTLY_CONFIG
    if name is not None and scored is not None:
        options = {
            **PLOTLY_CONFIG["toImageButtonOptions"],
            "filename": file_stem(name, scored.meta.as_of),
        }
        config = {**PLOTLY_CONFIG, "toImageButtonOptions": options}
    st.plotly_chart(figure, config=config, key=key, width="stretch")
