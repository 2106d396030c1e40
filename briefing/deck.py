"""The briefing deck for a meeting: an editable 16:9 .pptx with native charts and tables.

Slides, in order:

1. title: report title, organisation, 数据截至, 数据版本, and the scope unless everything;
2. overview: headline figures, a doughnut of task status and bars of completion by 方面;
3. for each task in the scope, its slide and any continuation slides (``briefing.deck_task``):
   every indicator, and the full measures, are on the slides, never only in notes;
4. open tasks and lagging indicators as a table (more slides when long, nothing cut);

Given the supervision warnings (``warnings``, computed by the caller), the 督办 colours
are on the slides too, in symbol and word (never colour alone): the count of each colour
under the overview's figures, each coloured task's colour and rule(s) on its status line,
and the columns 督办 and 督办原因 of the open tasks' table, as the dashboard words them.
5. summary: the report-style paragraph of the tasks in the scope (and, for a scope, the
   sentence for all tasks, so the part is seen against the whole).

Figures on every slide are computed over the tasks in the scope. Every text run, chart
and table cell carries both a Latin and an East Asian typeface (微软雅黑), so Chinese
renders the same in PowerPoint and WPS.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping

from pptx import Presentation
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches

from briefing.deck_charts import add_category_bars, add_status_doughnut, category_bars_height
from briefing.deck_page import (
    BODY_BOTTOM,
    BODY_TOP,
    CONTENT_WIDTH,
    GAP,
    HEIGHT,
    MARGIN,
    WIDTH,
    accent_rule,
    add_footers,
    body_box,
    heading,
    new_slide,
)
from briefing.deck_table import Column, Row, add_table, pages
from briefing.deck_task import task_slides
from briefing.deck_text import (
    ACCENT,
    ELLIPSIS,
    INK,
    MUTED,
    Box,
    Line,
    add_text,
    fits,
    text_height,
)
from metrics.scoring.headline import Headline, chinese_date, headline
from metrics.scoring.progress import IndicatorProgress, Scored, TaskProgress
from metrics.scoring.rollup import by_category
from metrics.scoring.scope import Scope
from metrics.supervision.model import TaskWarning
from metrics.values.text import shorten
from report.headline_cards import headline_cards, met_note
from report.supervision import reasons_cell, warning_cell
from report.views import (
    LAGGING,
    WARNING_COLUMN,
    WARNING_REASONS_COLUMN,
    attention_items,
    summary_paragraph,
    warning_summary,
)
from report.wording import deadline_text, lead_unit, target_phrase, value_text

ATTENTION_COLUMNS = (
    Column("任务", 3.2),
    Column("状态", 1.1),
    Column("牵头单位", 1.5),
    Column("整改时限", 1.6),
    Column("说明", 5.6),
)
# The same table with each open task's 督办 colour and its rule(s), after 状态 as on the
# dashboard's tasks table; "● 红色" stays on one line, the reasons wrap.
SUPERVISED_ATTENTION_COLUMNS = (
    Column("任务", 2.7),
    Column("状态", 1.1),
    Column(WARNING_COLUMN, 1.0),
    Column(WARNING_REASONS_COLUMN, 2.5),
    Column("牵头单位", 1.3),
    Column("整改时限", 1.8),
    Column("说明", 3.6),
)
LEAD_HEIGHT = int(Inches(0.55))  # the sentence above the attention table
SUMMARY_SIZES = (24.0, 22.0, 20.0, 18.0, 16.0, 14.0)
RATE_NOTE = "注：整改率＝（已完成＋长期坚持的任务）÷任务总数；指标状态按目标值和序时进度计算。"
# The same note where the deployment counts 长期坚持 as not complete.
STRICT_RATE_NOTE = "注：整改率＝已完成的任务÷任务总数；指标状态按目标值和序时进度计算。"


def build_deck(
    scored: Scored,
    scope: Scope,
    *,
    version: str,
    warnings: Mapping[int, TaskWarning] | None = None,
) -> bytes:
    """An editable .pptx (16:9) for a meeting; returns the file's bytes. ``warnings``:
    the supervision colours (``metrics.supervision.rules.colours``); None leaves the
    督办 parts out."""
    data = scope.apply(scored)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(WIDTH), Emu(HEIGHT)
    _properties(deck, data, scope, version)
    title_slide(deck, data, scope, version)
    overview_slide(deck, data, scope, warnings)
    for tp in data.tasks:
        task_slides(deck, tp, warnings.get(tp.task.id) if warnings is not None else None)
    attention_slides(deck, data, warnings)
    summary_slide(deck, data, scored, scope)
    figures = headline(data)
    add_footers(deck, f"{figures.title} · 数据截至{figures.as_of_text} · 数据版本 {version}")
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _properties(deck: PresentationType, data: Scored, scope: Scope, version: str) -> None:
    """File properties (the template's own name and 2013 dates would show otherwise)."""
    props = deck.core_properties
    props.title = data.meta.title
    props.author = props.last_modified_by = data.meta.organisation
    props.subject = f"巡视整改进展汇报（{scope.label()}）"
    props.comments = f"数据截至{chinese_date(data.meta.as_of)}；数据版本 {version}"
    props.version = version
    props.language = "zh-CN"
    props.created = props.modified = _now()


def _now() -> datetime.datetime:
    """When the file is made, in UTC as the file format wants (file metadata only)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


# -- title and overview -----------------------------------------------------------------------


def title_slide(deck: PresentationType, data: Scored, scope: Scope, version: str) -> None:
    slide = new_slide(deck)
    figures = headline(data)
    top = accent_rule(slide, MARGIN, int(Inches(1.9)), int(Inches(1.6))) + GAP
    title_box = Box(MARGIN, top, CONTENT_WIDTH, int(Inches(1.7)))
    sizes = (36.0, 32.0, 28.0)
    size = next((s for s in sizes if fits([Line(figures.title, s, bold=True)], title_box)), 24.0)
    add_text(
        slide,
        title_box,
        [Line(shorten(figures.title, 80, ellipsis=ELLIPSIS, fold_space=True), size, bold=True)],
    )
    lines = [
        Line(figures.organisation, 20, space_after=10),
        Line(f"数据截至 {figures.as_of_text}", 16, colour=MUTED, space_after=4),
        Line(f"数据版本 {version}", 16, colour=MUTED, space_after=4),
    ]
    if not scope.is_everything:
        lines.append(Line(f"范围：{scope.label()}（{len(data.tasks)}项任务）", 16, colour=ACCENT))
    add_text(slide, Box(MARGIN, title_box.bottom, CONTENT_WIDTH, int(Inches(2.2))), lines)


def overview_slide(
    deck: PresentationType,
    data: Scored,
    scope: Scope,
    warnings: Mapping[int, TaskWarning] | None = None,
) -> None:
    slide = new_slide(deck)
    suffix = "" if scope.is_everything else f"（{scope.label()}）"
    body = body_box(heading(slide, f"整改总体情况{suffix}"))
    figures = headline(data)
    cards_bottom = _cards(slide, figures, body)
    sentences = [Line(figures.sentence + met_note(figures), 14, colour=INK)]
    if warnings is not None:  # "督办：● 红色 2 项　▲ 黄色 0 项　■ 蓝色 1 项"
        sentences.append(Line(warning_summary(data, warnings), 14, colour=INK))
    sentence_box = Box(body.left, cards_bottom, body.width, text_height(sentences, body.width))
    add_text(slide, sentence_box, sentences)
    charts_top = sentence_box.bottom + GAP
    charts = Box(body.left, charts_top, body.width, body.bottom - charts_top)
    if not data.tasks:
        add_text(slide, charts, [Line("所选范围内没有任务。", 16, colour=MUTED)])
        return
    doughnut_width = int(charts.width * 0.4)
    add_status_doughnut(
        slide, Box(charts.left, charts.top, doughnut_width, charts.height), data.tasks
    )
    groups = by_category(data)
    bars_left = charts.left + doughnut_width + GAP
    bars_height = min(charts.height, category_bars_height(groups))
    add_category_bars(
        slide, Box(bars_left, charts.top, charts.right - bars_left, bars_height), groups
    )


def _cards(slide: Slide, figures: Headline, body: Box) -> int:
    """The headline cards (``report.headline_cards``, compact) side by side; returns their
    bottom."""
    cards = headline_cards(figures, compact=True)
    width = body.width // len(cards)
    height = int(Inches(1.15))
    for index, card in enumerate(cards):
        box = Box(body.left + index * width, body.top, width - GAP, height)
        colour = ACCENT if index == 0 else INK
        lines = [
            Line(card.label, 13, colour=MUTED, space_after=2),
            Line(card.value, 28, True, colour),
        ]
        add_text(slide, box, lines)
    return body.top + height


# -- open tasks and lagging indicators ------------------------------------------------------


def attention_rows(data: Scored, warnings: Mapping[int, TaskWarning] | None = None) -> list[Row]:
    """Open tasks (red first, as ``attention_items``), then lagging indicators; with
    ``warnings``, each row has 督办 and 督办原因 after 状态 (empty for an indicator's row
    and for a task without a colour)."""
    by_id = {tp.task.id: tp for tp in data.tasks}
    open_tasks = [by_id[item.task_id] for item in attention_items(data) if item.kind == "任务"]
    rows = [_supervised(_task_row(tp), warnings, tp.task.id) for tp in open_tasks]
    for status in LAGGING:
        for tp in data.tasks:
            rows.extend(
                _supervised(_indicator_row(tp, ip), warnings, None)
                for ip in tp.indicators
                if ip.status is status
            )
    return rows


def _supervised(row: Row, warnings: Mapping[int, TaskWarning] | None, task_id: int | None) -> Row:
    """``row`` with the 督办 cell ("● 红色") of task ``task_id`` (None: an indicator's
    row, left empty) and its reasons after 状态 when the deck shows warnings; as it is
    otherwise."""
    if warnings is None:
        return row
    warning = warnings.get(task_id) if task_id is not None else None
    return (*row[:2], warning_cell(warning), reasons_cell(warning), *row[2:])


def _deadline(tp: TaskProgress) -> str:
    return deadline_text(tp.task, "未定")


def _task_row(tp: TaskProgress) -> Row:
    t = tp.task
    reason = tp.reason + (f"。{t.note}" if t.note else "")
    return (
        f"（{t.id}）{t.title}",
        t.status.value,
        lead_unit(t),
        _deadline(tp),
        reason,
    )


def _indicator_row(tp: TaskProgress, ip: IndicatorProgress) -> Row:
    t = tp.task
    detail = f"{value_text(ip)}，{target_phrase(ip, ' ')}；{ip.reason}"
    return (
        f"（{t.id}）{t.title}：{ip.indicator.name}",
        ip.status.value,
        lead_unit(t),
        _deadline(tp),
        detail,
    )


def attention_slides(
    deck: PresentationType, data: Scored, warnings: Mapping[int, TaskWarning] | None = None
) -> None:
    """The attention table, paged; one slide saying so when nothing is open or lagging."""
    rows = attention_rows(data, warnings)
    columns = ATTENTION_COLUMNS if warnings is None else SUPERVISED_ATTENTION_COLUMNS
    lead = [Line(_attention_lead(data, len(rows)), 14)]
    table_top = BODY_TOP + LEAD_HEIGHT
    chunks = pages(columns, rows, Box(MARGIN, table_top, CONTENT_WIDTH, BODY_BOTTOM - table_top))
    if not chunks:
        lead.append(Line("所选范围内的任务均已完成，也没有进度滞后的指标。", 14, colour=MUTED))
    for number, chunk in enumerate(chunks or [[]], start=1):
        slide = new_slide(deck)
        suffix = f"（{number}/{len(chunks)}）" if len(chunks) > 1 else ""
        body = body_box(heading(slide, f"未完成任务及滞后指标{suffix}"))
        add_text(slide, Box(body.left, body.top, body.width, LEAD_HEIGHT), lead)
        if chunk:
            table = Box(body.left, table_top, body.width, body.bottom - table_top)
            add_table(slide, table, columns, chunk)


def _attention_lead(data: Scored, rows: int) -> str:
    open_tasks = sum(1 for tp in data.tasks if not tp.complete)
    overdue = sum(1 for tp in data.tasks if tp.overdue)
    lagging = rows - open_tasks
    return f"未完成任务{open_tasks}项（其中超期{overdue}项），进度滞后或严重滞后的指标{lagging}个。"


# -- summary ----------------------------------------------------------------------------------


def summary_slide(deck: PresentationType, data: Scored, whole: Scored, scope: Scope) -> None:
    slide = new_slide(deck)
    suffix = "" if scope.is_everything else f"（{scope.label()}）"
    body = body_box(heading(slide, f"整改进展摘要{suffix}"))
    candidates = [summary_lines(data, whole, scope, size) for size in SUMMARY_SIZES]
    fitting = (lines for lines in candidates if text_height(lines, body.width) <= body.height)
    add_text(slide, body, next(fitting, candidates[-1]))


def summary_lines(data: Scored, whole: Scored, scope: Scope, size: float) -> list[Line]:
    lines = [Line(summary_paragraph(data), size, space_after=size * 0.8)]
    if not scope.is_everything:
        scope_note = (
            f"以上仅统计“{scope.label()}”范围内的{len(data.tasks)}项任务。"
            f"全部任务：{headline(whole).sentence}"
        )
        lines.append(Line(scope_note, size - 4, colour=INK, space_after=size * 0.6))
    note = RATE_NOTE if data.counting.ongoing_as_done else STRICT_RATE_NOTE
    lines.append(Line(note, 12, colour=MUTED))
    return lines
