"""Native, editable charts for the briefing deck (python-pptx chart objects, not pictures):
task status as a doughnut, completion by 方面 as bars, and a task's indicators sharing one
unit as bars of value and target. Colours are the dashboard's (report.palette).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData, ChartData
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.util import Emu, Inches

from briefing.deck_text import ACCENT, ELLIPSIS, INK, Box, rgb, style_font
from charts.groups import STATUS_ORDER
from metrics.scoring.progress import IndicatorProgress, TaskProgress
from metrics.scoring.rollup import Group
from metrics.values.text import shorten
from metrics.values.units import is_rank
from report.palette import TARGET_GREY, TASK_STATUS_SWATCHES
from report.wording import percent, short_category

VALUE_SERIES = "数值"
TARGET_SERIES = "目标"
TARGET_COLOUR = rgb(TARGET_GREY)
PERCENT = "%"
MAX_BARS = 8  # indicators on one chart; the rest go to the table
MAX_CHARTS = 2  # indicator charts on one task slide
LABEL_CHARS = 16  # category labels are cut to this many characters
CHART_TEXT = 11.0  # points


# -- overview ---------------------------------------------------------------------------------


def add_status_doughnut(slide: Slide, box: Box, tasks: Sequence[TaskProgress]) -> Chart:
    """How many tasks have each status, in the dashboard's status colours."""
    statuses = [s for s in STATUS_ORDER if any(tp.task.status is s for tp in tasks)]
    counts = [sum(1 for tp in tasks if tp.task.status is s) for s in statuses]
    data = CategoryChartData(number_format="0")
    data.categories = [TASK_STATUS_SWATCHES[s].label for s in statuses]
    data.add_series("任务数", counts)
    chart = _add_chart(slide, box, XL_CHART_TYPE.DOUGHNUT, data, "任务状态（项）")
    _legend(chart, XL_LEGEND_POSITION.BOTTOM)
    plot = chart.plots[0]
    plot.vary_by_categories = True
    for point, status in zip(plot.series[0].points, statuses, strict=True):
        swatch = TASK_STATUS_SWATCHES[status]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = rgb(swatch.colour)
        style_font(point.data_label.font, 14, bold=True, colour=rgb(swatch.text_colour))
    return chart


def add_category_bars(slide: Slide, box: Box, groups: Sequence[Group]) -> Chart:
    """Completion rate (%) of each 方面, first 方面 on top."""
    data = CategoryChartData(number_format='0.0"%"')
    data.categories = [
        f"{short_category(g.key)}（{g.completion.completed}/{g.completion.total}）" for g in groups
    ]
    data.add_series("整改完成率", [_percent(g.completion.rate) for g in groups])
    chart = _add_chart(slide, box, XL_CHART_TYPE.BAR_CLUSTERED, data, "分方面整改完成率")
    _bars(chart, data_label_format='0.0"%"')
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = 100
    return chart


def category_bars_height(groups: Sequence[Group]) -> int:
    """EMU height that keeps a few bars from turning into slabs."""
    return int(Inches(1.0) + len(groups) * Inches(0.75))


def _percent(rate: float | None) -> float:
    return percent(rate) or 0.0


# -- one task ---------------------------------------------------------------------------------


def indicator_groups(
    indicators: Sequence[IndicatorProgress],
) -> list[tuple[IndicatorProgress, ...]]:
    """The task's numeric indicators to chart, one unit a chart.

    An indicator is numeric when it has a value or a target. Rates (%) come first (they
    share a 0–100 scale and are usually the report's key figures), then the unit with the
    most indicators; a unit other than % is charted only with at least two indicators (a
    single bar says no more than the table). At most ``MAX_CHARTS`` charts of ``MAX_BARS``.
    """
    by_unit: dict[str, list[IndicatorProgress]] = {}
    for ip in indicators:
        if is_rank(ip.indicator.unit):
            continue  # a place (第1) is no quantity to draw as a bar; the table shows it
        if ip.value is not None or ip.indicator.target is not None:
            by_unit.setdefault(ip.indicator.unit_symbol, []).append(ip)
    ranked = sorted(by_unit.items(), key=lambda item: (item[0] != PERCENT, -len(item[1])))
    chosen = [
        tuple(items[:MAX_BARS]) for unit, items in ranked if unit == PERCENT or len(items) >= 2
    ]
    return chosen[:MAX_CHARTS]


def preferred_height(group: Sequence[IndicatorProgress]) -> int:
    """EMU height that shows ``group``'s bars comfortably (title and legend included)."""
    series = 2 if _has_target(group) else 1
    return int(Inches(0.9) + len(group) * Inches(0.18 + 0.22 * series))


def add_indicator_chart(slide: Slide, box: Box, group: Sequence[IndicatorProgress]) -> Chart:
    """Bars of the indicators' latest values and, where set, their targets (one unit)."""
    unit = group[0].indicator.unit_symbol
    data = CategoryChartData(number_format="General")
    data.categories = [
        shorten(ip.indicator.name, LABEL_CHARS, ellipsis=ELLIPSIS, fold_space=True) for ip in group
    ]
    data.add_series(VALUE_SERIES, [ip.value for ip in group])
    if _has_target(group):
        data.add_series(TARGET_SERIES, [ip.indicator.target for ip in group])
    title = f"主要指标（单位：{unit}）" if unit else "主要指标"
    chart = _add_chart(slide, box, XL_CHART_TYPE.BAR_CLUSTERED, data, title)
    _bars(chart, data_label_format="General")
    if _has_target(group):
        _legend(chart, XL_LEGEND_POSITION.TOP)
    if unit == PERCENT and all(0 <= v <= 100 for v in _numbers(group)):
        chart.value_axis.minimum_scale = 0
        chart.value_axis.maximum_scale = 100
    return chart


def _has_target(group: Sequence[IndicatorProgress]) -> bool:
    return any(ip.indicator.target is not None for ip in group)


def _numbers(group: Sequence[IndicatorProgress]) -> list[float]:
    values = [ip.value for ip in group] + [ip.indicator.target for ip in group]
    return [v for v in values if v is not None]


# -- shared styling ---------------------------------------------------------------------------


def _add_chart(
    slide: Slide, box: Box, kind: XL_CHART_TYPE, data: CategoryChartData, title: str
) -> Chart:
    # python-pptx 1.0.2 annotates add_chart as taking ChartData (a deprecated subclass of
    # CategoryChartData) and returning a Chart; it takes any chart data and returns the
    # GraphicFrame that holds the chart.
    left, top, width, height = Emu(box.left), Emu(box.top), Emu(box.width), Emu(box.height)
    added = slide.shapes.add_chart(kind, left, top, width, height, cast(ChartData, data))
    frame = cast(GraphicFrame, added)
    chart = frame.chart
    style_font(chart.font, CHART_TEXT)
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            style_font(run.font, 13, bold=True)
    chart.has_legend = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    style_font(plot.data_labels.font, 10)
    return chart


def _legend(chart: Chart, position: XL_LEGEND_POSITION) -> None:
    chart.has_legend = True
    chart.legend.position = position
    chart.legend.include_in_layout = False
    style_font(chart.legend.font, 10)


def _bars(chart: Chart, *, data_label_format: str) -> None:
    """Horizontal bars in reading order, labelled with their values; no value axis."""
    plot = chart.plots[0]
    plot.gap_width = 60
    labels = plot.data_labels
    labels.number_format = data_label_format
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    for series, colour in zip(plot.series, (ACCENT, TARGET_COLOUR), strict=False):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
    categories = chart.category_axis
    categories.reverse_order = True  # first category on top
    categories.crosses = XL_AXIS_CROSSES.MAXIMUM  # keeps the value axis at the bottom
    categories.has_major_gridlines = False
    categories.format.line.color.rgb = TARGET_COLOUR
    style_font(categories.tick_labels.font, 10, colour=INK)
    values = chart.value_axis
    values.has_major_gridlines = False
    values.visible = False
