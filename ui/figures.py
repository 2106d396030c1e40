"""Plotly figures built once per data version and shared by all sessions.

The figures are immutable in use (pages only render them), so they are cached as
resources keyed by the workbook version; the scored data itself is not hashed.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from briefing.names import file_stem
from charts.completion import (
    completion_by_group,
    problem_label,
    status_breakdown,
    unit_ranking,
)
from charts.indicator import bullet, history
from charts.matrix import task_status_matrix
from charts.style import PLOTLY_CONFIG
from metrics.scoring.progress import IndicatorProgress, Scored
from metrics.scoring.rollup import by_category, by_lead_unit, by_problem, overall


@dataclass(frozen=True, slots=True)
class OverviewFigures:
    breakdown: go.Figure
    categories: go.Figure
    problems: go.Figure


@st.cache_resource(max_entries=16, show_spinner=False)
def overview_figures(version: str, _scored: Scored) -> OverviewFigures:
    return OverviewFigures(
        breakdown=status_breakdown(overall(_scored)),
        categories=completion_by_group(by_category(_scored)),
        problems=completion_by_group(by_problem(_scored), label=problem_label),
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
