"""Chart images for Word documents: the dashboard's figures at print resolution.

A figure fills the text block's width (156 mm). It is drawn 760 CSS pixels wide, so the
charts' 12-14 px labels print at about 7-8 pt, and rendered at 3x (2280 px, about
370 dpi). The caption under the image names it (the document numbers it), so the image
itself carries no title. Chinese labels need the CJK fonts Chromium finds on the machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from briefing.images import ImageExportError, Renderer
from charts.completion import completion_by_group, status_breakdown
from charts.groups import problem_ordinal
from metrics.scoring.progress import Scored
from metrics.scoring.rollup import Group, by_category, by_problem, overall
from report.wording import chinese_punctuation

PRINT_WIDTH = 760  # CSS px across the 156 mm text block
PRINT_SCALE = 3


@dataclass(frozen=True, slots=True)
class FigureImage:
    caption: str
    png: bytes
    key: str = ""  # the full names behind short labels ("一·1 理论指导实践有差距；…")


WRAP_AT = 16  # characters a line of a group's name on a printed chart (never cut)
PROBLEMS = "分问题完成情况"


def problem_short(group: Group) -> str:
    """ "一·1": a problem on the printed chart (its whole name is in the key below)."""
    whole = problem_ordinal(group)
    match = re.match(r"^(.*?·)?\s*(\d+)", whole)
    return f"{match.group(1) or ''}{match.group(2)}" if match else whole


def chart_key(caption: str, scored: Scored) -> str:
    """The key printed under a chart with short labels: every label and its whole name."""
    if caption != PROBLEMS:
        return ""
    items = []
    for group in by_problem(scored):
        short = problem_short(group)
        name = re.sub(r"^\s*\d+[.．、]\s*", "", group.key.strip())
        items.append(f"{short} {chinese_punctuation(name)}")
    return "注：" + "；".join(items) + "。"


def report_charts(scored: Scored) -> list[tuple[str, Callable[[], go.Figure]]]:
    """The overview charts a report shows, with their captions."""
    charts: list[tuple[str, Callable[[], go.Figure]]] = [
        ("整改任务完成情况", lambda: status_breakdown(overall(scored))),
    ]
    if len({tp.task.category for tp in scored.tasks}) > 1:
        charts.append(
            ("分方面完成情况", lambda: completion_by_group(by_category(scored), wrap_at=WRAP_AT))
        )
    if len({(tp.task.category, tp.task.problem) for tp in scored.tasks}) > 1:
        charts.append(
            (
                PROBLEMS,
                lambda: completion_by_group(
                    by_problem(scored), label=problem_short, wrap_at=WRAP_AT
                ),
            )
        )
    return charts


def render_figures(renderer: Renderer, scored: Scored) -> list[FigureImage]:
    """Every report chart as a print-resolution PNG; ``ImageExportError`` if it fails.
    The figures are all built first and handed to the renderer together: a renderer just
    started is still starting Chromium while they are built."""
    charts = [(caption, for_print(build())) for caption, build in report_charts(scored)]
    pngs = renderer.render_many(
        [(figure, PRINT_WIDTH, int(figure.layout.height or 400)) for _, figure in charts],
        "png",
        scale=PRINT_SCALE,
    )
    return [
        FigureImage(caption, png, chart_key(caption, scored))
        for (caption, _), png in zip(charts, pngs, strict=True)
    ]


def for_print(figure: go.Figure) -> go.Figure:
    """The figure (changed, not copied: each chart is built for its image) at the print
    width, white background, no title."""
    return figure.update_layout(
        width=PRINT_WIDTH,
        autosize=False,
        title=None,
        paper_bgcolor="white",
        plot_bgcolor="white",
    )


__all__ = ["FigureImage", "ImageExportError", "render_figures", "report_charts"]
