"""The briefing deck: an editable .pptx with native charts, for PowerPoint and WPS.

Slides: title; overview (headline figures, a doughnut of task status and a bar chart
of completion by 方面, both native chart objects); one slide per task in the scope
(breadcrumb, status, lead unit, deadline, measures, a native chart of its indicators
in their most common unit with targets beside values, the rest in a table); open and
lagging items; the summary paragraph. Every text run gets both a Latin and an East
Asian typeface (微软雅黑), so Chinese shows the same in PowerPoint and WPS.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from lxml import etree
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.text.text import Font, TextFrame
from pptx.util import Emu, Inches, Pt

from charts.palette import BLUE, TASK_STATUS_SWATCHES
from metrics.contract import TaskStatus
from metrics.headline import headline
from metrics.progress import IndicatorProgress, Scored, TaskProgress
from metrics.rollup import by_category, overall
from metrics.scope import Scope
from metrics.summary import rate_text
from metrics.views import (
    attention_items,
    short_category,
    summary_paragraph,
    target_text,
    value_text,
)

FONT = "微软雅黑"
LATIN_FONT = "Microsoft YaHei"
INK = RGBColor(0x1D, 0x23, 0x30)
MUTED = RGBColor(0x5B, 0x62, 0x70)
ACCENT = RGBColor.from_string(BLUE.lstrip("#"))
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
MEASURES_LIMIT = 300
ROWS_PER_SLIDE = 10
TABLE_ROWS_ON_TASK = 4
STATUS_ORDER = (TaskStatus.DONE, TaskStatus.ONGOING, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED)


def build_deck(scored: Scored, scope: Scope, *, version: str) -> bytes:
    """An editable .pptx (16:9) for a meeting; returns the file's bytes."""
    data = scope.apply(scored)
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _title_slide(deck, data, scope, version)
    _overview_slide(deck, data)
    for tp in data.tasks:
        _task_slide(deck, tp)
    _attention_slides(deck, data)
    _summary_slide(deck, data, scope)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


# -- text helpers ------------------------------------------------------------------------------


def set_font(font: Font, size: float, *, bold: bool = False, colour: RGBColor = INK) -> None:
    """Size, colour and both typefaces (Latin and East Asian) of a run or paragraph."""
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = colour
    font.name = LATIN_FONT
    rpr = font._rPr  # python-pptx has no API for the East Asian typeface
    for tag in ("a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = etree.SubElement(rpr, qn(tag))
        element.set("typeface", FONT)


def _text(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    lines: Sequence[str],
    size: float,
    *,
    bold: bool = False,
    colour: RGBColor = INK,
) -> TextFrame:
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        set_font(run.font, size, bold=bold, colour=colour)
    return frame


def _heading(slide: Slide, title: str, crumb: str = "") -> int:
    """Slide heading (with an optional breadcrumb above); returns the body's top."""
    top = int(Inches(0.35))
    if crumb:
        _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.4), [crumb], 12, colour=MUTED)
        top += int(Inches(0.4))
    _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.8), [title], 24, bold=True)
    return top + int(Inches(0.95))


def _blank(deck: PresentationType) -> Slide:
    return deck.slides.add_slide(deck.slide_layouts[6])


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 2] + "……"


# -- slides ------------------------------------------------------------------------------------


def _title_slide(deck: PresentationType, data: Scored, scope: Scope, version: str) -> None:
    slide = _blank(deck)
    figures = headline(data)
    _text(
        slide, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.6), [figures.title], 36, bold=True
    )
    lines = [figures.organisation, f"数据截至 {figures.as_of_text}", f"数据版本 {version}"]
    if not scope.is_everything:
        lines.append(f"范围：{scope.label()}")
    _text(slide, MARGIN, Inches(4.0), WIDTH - 2 * MARGIN, Inches(2.0), lines, 18, colour=MUTED)


def _overview_slide(deck: PresentationType, data: Scored) -> None:
    slide = _blank(deck)
    top = _heading(slide, "整改总体情况")
    figures = headline(data)
    whole = overall(data).completion
    cards = [
        ("整改完成率", figures.rate_text),
        ("已完成", f"{whole.completed} / {whole.total} 项"),
        ("正在整改", f"{whole.in_progress} 项"),
        ("指标已达标", f"{figures.indicators_met} / {figures.indicators_with_target} 个"),
        ("超期任务", f"{whole.overdue} 项"),
    ]
    card_width = (WIDTH - 2 * MARGIN) // len(cards)
    for i, (label, value) in enumerate(cards):
        frame = _text(
            slide,
            MARGIN + i * card_width,
            top,
            card_width - Inches(0.1),
            Inches(1.1),
            [label],
            13,
            colour=MUTED,
        )
        run = frame.add_paragraph().add_run()
        run.text = value
        set_font(run.font, 26, bold=True, colour=ACCENT if i == 0 else INK)
    chart_top = top + int(Inches(1.3))
    chart_height = HEIGHT - chart_top - Inches(0.4)
    half = (WIDTH - 2 * MARGIN) // 2
    _status_doughnut(slide, data, MARGIN, chart_top, half - Inches(0.2), chart_height)
    _category_bars(slide, data, MARGIN + half, chart_top, half, chart_height)


def _status_doughnut(
    slide: Slide, data: Scored, left: int, top: int, width: int, height: int
) -> None:
    counts = Counter(tp.task.status for tp in data.tasks)
    statuses = [s for s in STATUS_ORDER if counts[s]]
    chart_data = CategoryChartData()
    chart_data.categories = [TASK_STATUS_SWATCHES[s].label for s in statuses]
    chart_data.add_series("任务数", [counts[s] for s in statuses])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.DOUGHNUT, Emu(left), Emu(top), Emu(width), Emu(height), chart_data
    )
    chart = frame.chart
    _chart_text(chart, "任务状态")
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.RIGHT
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.show_value = True
    for point, status in zip(plot.series[0].points, statuses, strict=True):
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = RGBColor.from_string(
            TASK_STATUS_SWATCHES[status].colour.lstrip("#")
        )


def _category_bars(
    slide: Slide, data: Scored, left: int, top: int, width: int, height: int
) -> None:
    groups = by_category(data)
    chart_data = CategoryChartData()
    chart_data.categories = [short_category(g.key) for g in groups]
    chart_data.add_series("完成率（%）", [round((g.completion.rate or 0) * 100, 1) for g in groups])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Emu(left), Emu(top), Emu(width), Emu(height), chart_data
    )
    chart = frame.chart
    _chart_text(chart, "分方面完成率（%）")
    chart.has_legend = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = '0.0"%"'
    plot.data_labels.number_format_is_linked = False
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = ACCENT
    chart.value_axis.maximum_scale = 100
    chart.value_axis.minimum_scale = 0
    _first_on_top(chart)


def _chart_text(chart: Chart, title: str) -> None:
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            set_font(run.font, 14, bold=True)
    set_font(chart.font, 12)


def _task_slide(deck: PresentationType, tp: TaskProgress) -> None:
    t = tp.task
    slide = _blank(deck)
    top = _heading(slide, f"（{t.id}）{t.title}", f"{t.category} › {t.problem}")
    deadline = t.deadline.isoformat() if t.deadline else "未定"
    status = (
        f"状态：{t.status.value}　　牵头单位：{t.lead_unit or '（未填写）'}　　整改时限：{deadline}"
    )
    _text(
        slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.4), [status, tp.reason], 13, colour=MUTED
    )
    top += int(Inches(0.8))
    body_top = top
    against, figures, rest = split_indicators(tp.indicators)
    has_chart = bool(against or figures)
    text_width = (WIDTH - 2 * MARGIN) * (5 if has_chart else 10) // 10
    measures = _shorten(t.measures, MEASURES_LIMIT) if t.measures else "（未填写整改措施）"
    _text(slide, MARGIN, top, text_width, Inches(3.2), ["整改措施", measures], 13)
    left = MARGIN + text_width + Inches(0.2)
    width = WIDTH - MARGIN - left
    chart_height = Inches(3.2) // (2 if against and figures else 1)
    if against:
        _progress_chart(slide, against, left, top, width, chart_height)
        top += int(chart_height)
    if figures:
        _figures_chart(slide, figures, left, top, width, chart_height)
    table = [*against, *rest]
    if table:
        _indicator_table(slide, table[:TABLE_ROWS_ON_TASK], body_top + int(Inches(3.3)))


def split_indicators(
    indicators: Sequence[IndicatorProgress],
) -> tuple[list[IndicatorProgress], list[IndicatorProgress], list[IndicatorProgress]]:
    """(against: with a target and a value, charted as progress toward the target;
    figures: other values in one unit — rates (%) first, the report's key figures, else
    the most common unit; rest: everything else, for the table)."""
    against = [ip for ip in indicators if ip.progress is not None][:6]
    valued = [ip for ip in indicators if ip.latest is not None and ip not in against]
    figures: list[IndicatorProgress] = []
    if valued:
        units = Counter(ip.indicator.unit_symbol for ip in valued)
        unit = "%" if "%" in units else units.most_common(1)[0][0]
        figures = [ip for ip in valued if ip.indicator.unit_symbol == unit][:6]
    rest = [ip for ip in indicators if ip not in against and ip not in figures]
    return against, figures, rest


def _progress_chart(
    slide: Slide, against: Sequence[IndicatorProgress], left: int, top: int, width: int, height: int
) -> None:
    """Progress toward each target in % (any unit), with 序时进度 where it applies."""
    chart_data = CategoryChartData()
    chart_data.categories = [_shorten(ip.indicator.name, 16) for ip in against]
    chart_data.add_series("完成进度", [round((ip.progress or 0) * 100, 1) for ip in against])
    if any(ip.expected is not None for ip in against):
        chart_data.add_series(
            "序时进度",
            [None if ip.expected is None else round(ip.expected * 100, 1) for ip in against],
        )
    chart = _bar_chart(slide, chart_data, "对比目标（%）", left, top, width, height)
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = 100


def _figures_chart(
    slide: Slide, figures: Sequence[IndicatorProgress], left: int, top: int, width: int, height: int
) -> None:
    unit = figures[0].indicator.unit_symbol
    chart_data = CategoryChartData()
    chart_data.categories = [_shorten(ip.indicator.name, 16) for ip in figures]
    chart_data.add_series("数值", [ip.latest.value if ip.latest else None for ip in figures])
    _bar_chart(
        slide, chart_data, f"主要数据（{unit}）" if unit else "主要数据", left, top, width, height
    )


def _bar_chart(
    slide: Slide,
    chart_data: CategoryChartData,
    title: str,
    left: int,
    top: int,
    width: int,
    height: int,
) -> Chart:
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Emu(left), Emu(top), Emu(width), Emu(height), chart_data
    )
    chart = frame.chart
    _chart_text(chart, title)
    plot = chart.plots[0]
    chart.has_legend = len(plot.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot.has_data_labels = True
    plot.data_labels.number_format = "General"
    plot.data_labels.number_format_is_linked = False
    for series, colour in zip(plot.series, (ACCENT, RGBColor(0xB9, 0xC0, 0xCB)), strict=False):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
    _first_on_top(chart)
    return chart


def _first_on_top(chart: Chart) -> None:
    """Bars in reading order (first on top), with the value axis kept at the bottom."""
    chart.category_axis.reverse_order = True
    chart.category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM


def _indicator_table(slide: Slide, rows: Sequence[IndicatorProgress], top: int) -> None:
    _table(
        slide,
        ["指标", "数值", "目标", "状态"],
        [[ip.indicator.name, value_text(ip), target_text(ip), ip.status.value] for ip in rows],
        top,
        [6.0, 2.0, 2.5, 1.6],
    )


def _table(
    slide: Slide,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    top: int,
    widths: Sequence[float],
) -> None:
    height = HEIGHT - top - Inches(0.3)
    shape = slide.shapes.add_table(
        len(rows) + 1, len(headers), Emu(MARGIN), Emu(top), Emu(WIDTH - 2 * MARGIN), Emu(height)
    )
    table = shape.table
    row_height = min(int(Inches(0.35)), int(height) // (len(rows) + 1))
    size = 11 if row_height >= Inches(0.33) else 10
    scale = (WIDTH - 2 * MARGIN) / sum(widths)
    for i, w in enumerate(widths):
        table.columns[i].width = Emu(int(w * scale))
    for r, values in enumerate([list(headers), *rows]):
        table.rows[r].height = Emu(row_height)
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = _shorten(str(value), 80)
            set_font(
                run.font, size, bold=r == 0, colour=RGBColor(0xFF, 0xFF, 0xFF) if r == 0 else INK
            )
            cell.text_frame.word_wrap = True


def _attention_slides(deck: PresentationType, data: Scored) -> None:
    by_id = {tp.task.id: tp for tp in data.tasks}
    rows = []
    for item in attention_items(data):
        tp = by_id[item.task_id]
        deadline = tp.task.deadline.isoformat() if tp.task.deadline else "未定"
        what = (
            f"（{tp.task.id}）{tp.task.title}" if item.kind == "任务" else item.text.split("：")[0]
        )
        why = tp.reason if item.kind == "任务" else item.text
        rows.append([item.kind, what, tp.task.lead_unit or "（未填写）", deadline, why])
    if not rows:
        slide = _blank(deck)
        top = _heading(slide, "未完成及滞后事项")
        _text(
            slide,
            MARGIN,
            top,
            WIDTH - 2 * MARGIN,
            Inches(1),
            ["没有未完成的任务，也没有进度滞后的指标。"],
            16,
        )
        return
    pages = [rows[i : i + ROWS_PER_SLIDE] for i in range(0, len(rows), ROWS_PER_SLIDE)]
    for n, page in enumerate(pages, start=1):
        slide = _blank(deck)
        suffix = f"（{n}/{len(pages)}）" if len(pages) > 1 else ""
        top = _heading(slide, f"未完成及滞后事项{suffix}")
        _table(
            slide,
            ["类别", "事项", "牵头单位", "整改时限", "说明"],
            page,
            top,
            [1.0, 4.0, 2.0, 1.6, 5.0],
        )


def _summary_slide(deck: PresentationType, data: Scored, scope: Scope) -> None:
    slide = _blank(deck)
    title = "整改进展摘要" + ("" if scope.is_everything else f"（{scope.label()}）")
    top = _heading(slide, title)
    completion = overall(data).completion
    _text(
        slide,
        MARGIN,
        top,
        WIDTH - 2 * MARGIN,
        HEIGHT - top - Inches(0.6),
        [
            summary_paragraph(data),
            f"（整改率 = 已完成和长期坚持的任务 ÷ 任务总数 = {rate_text(completion.rate)}）",
        ],
        18,
    )
