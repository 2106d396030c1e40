"""Every chart a briefing may use, with the title and size it is exported at.

The dashboard's figures have no titles (the page's headings name them) and stretch
to the screen; an exported image stands alone, so it gets a title, the data's date,
a fixed size and no hover-only information.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from charts.completion import completion_by_group, status_breakdown, unit_ranking
from charts.groups import problem_label
from charts.indicator import bullet, history
from charts.matrix import task_status_matrix
from charts.style import escape
from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import IndicatorStatus, Scored
from metrics.scoring.rollup import by_category, by_lead_unit, by_problem, overall

EXPORT_WIDTH = 1200  # CSS pixels; PNG files are rendered at 2x
TITLE_SPACE = 70


@dataclass(frozen=True, slots=True)
class ExportChart:
    key: str  # stable id, e.g. "overview_breakdown" or "bullet_T09-01"
    title: str  # what it shows, also the file name's stem
    build: Callable[[], go.Figure]  # the dashboard's figure (built on demand)


def chart_catalog(scored: Scored) -> list[ExportChart]:
    """Overview charts first, then each indicator's bullet and history charts."""
    charts = [
        ExportChart("overview_breakdown", "整改完成率", lambda: status_breakdown(overall(scored))),
        ExportChart(
            "overview_categories",
            "分方面完成情况",
            lambda: completion_by_group(by_category(scored)),
        ),
        ExportChart(
            "overview_problems",
            "分问题完成情况",
            lambda: completion_by_group(by_problem(scored), label=problem_label),
        ),
        ExportChart(
            "units_ranking", "牵头单位完成率排名", lambda: unit_ranking(by_lead_unit(scored))
        ),
        ExportChart("tasks_matrix", "任务状态一览", lambda: task_status_matrix(scored)),
    ]
    for ip in scored.indicators:
        ind = ip.indicator
        if ip.status is IndicatorStatus.NO_TARGET or ip.latest is None:
            continue
        name = f"任务{ind.task_id}_{ind.name}"
        charts.append(ExportChart(f"bullet_{ind.id}", name, functools.partial(bullet, ip)))
        if len(ip.history) >= 2:
            charts.append(
                ExportChart(f"history_{ind.id}", f"{name}_历史", functools.partial(history, ip))
            )
    return charts


def for_export(figure: go.Figure, title: str, scored: Scored) -> tuple[go.Figure, int, int]:
    """A titled copy of ``figure`` at a fixed size: (figure, width, height) in CSS px."""
    fig = go.Figure(copy.deepcopy(figure.to_dict()))
    body = int(fig.layout.height or 400)
    height = body + TITLE_SPACE
    meta = scored.meta
    fig.update_layout(
        title={
            "text": escape(title),
            "subtitle": {
                "text": f"{escape(meta.organisation)}　数据截至{chinese_date(meta.as_of)}",
                "font": {"size": 14},
            },
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14},
            "font": {"size": 22},
        },
        height=height,
        width=EXPORT_WIDTH,
        margin={"t": TITLE_SPACE + int(fig.layout.margin.t or 10)},
        autosize=False,
    )
    return fig, EXPORT_WIDTH, height
