"""The slides of one task: a main slide and, when its content does not fit there,
continuation slides titled "（n）任务（续）".

Main slide: breadcrumb, title, status line (with the task's 督办 colour in symbol and
word and the rule(s) that gave it, when it has one); on the left 整改措施 (a paragraph per point)
and 备注 above the indicator table; on the right native charts of its indicators, one
unit a chart. The table lists every indicator of the task, charted ones included (the
chart shows the comparison, the table the figures with their units, targets and notes),
so a shortened chart label always has the full name beside it.

Nothing is left out or cut silently: the table goes on, at full width, on continuation
slides; measures (or a 备注) too long for the main slide are shortened there, with a line
saying so, and given in full on the first continuation slide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pptx.presentation import Presentation
from pptx.slide import Slide
from pptx.util import Inches

from briefing.deck_charts import add_indicator_chart, indicator_groups, preferred_height
from briefing.deck_page import (
    CONTENT_WIDTH,
    CRUMB_BODY_TOP,
    GAP,
    MARGIN,
    body_box,
    heading,
    new_slide,
)
from briefing.deck_table import (
    Column,
    Row,
    add_table,
    rows_that_fit,
    split_tall_rows,
    table_height,
)
from briefing.deck_text import (
    ACCENT,
    EMU_PER_PT,
    INK,
    INSET_Y,
    LINE_HEIGHT,
    MUTED,
    Box,
    Line,
    add_text,
    all_points,
    points,
    split_text,
    text_height,
)
from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import IndicatorProgress, TaskProgress
from metrics.supervision.model import TaskWarning
from report.supervision import reasons_cell, warning_cell
from report.views import WARNING_COLUMN
from report.wording import deadline_text, lead_unit, target_cell, value_text

CONTINUED = "（续）"
MEASURE_LIMITS = (300, 220, 150)  # characters of shortened 整改措施, tried in turn
TEXT_SIZES = (16.0, 14.0, 13.0, 12.0, 11.0)
FULL_TEXT_SIZE = 14.0  # the full measures on a continuation slide
TEXT_SHARE_WITH_TABLE = 0.55  # of the left column's height, when a table follows
LEFT_SHARE_WITH_CHARTS = 0.52  # of the content width
MIN_CHART_HEIGHT = int(Inches(1.6))
INDICATOR_COLUMNS = (Column("指标", 4.4), Column("数值", 2.0), Column("目标/说明", 4.1))
POINTER_HEIGHT = int(Inches(0.32))  # "其余N项指标见续页" below a table
MIN_MAIN_ROWS = 2  # fewer table rows than this on the main slide: the table starts later
ALONE_SIZES = 3  # of TEXT_SIZES, for full measures with the whole table overleaf
NO_MEASURES = "（未填写整改措施）"
CONTINUATION_BODY = body_box(CRUMB_BODY_TOP)


def task_slides(
    deck: Presentation, tp: TaskProgress, warning: TaskWarning | None = None
) -> list[Slide]:
    """The task's main slide and its continuation slides (if any), in order; ``warning``:
    the task's 督办 colour, said on the status line."""
    t = tp.task
    slide = new_slide(deck)
    top = heading(slide, f"（{t.id}）{t.title}", crumb(tp))
    status = Line(status_line(tp, warning), 13, colour=INK)
    status_box = Box(MARGIN, top, CONTENT_WIDTH, text_height([status], CONTENT_WIDTH))
    add_text(slide, status_box, [status])
    body = body_box(status_box.bottom + GAP // 2)
    groups = indicator_groups(tp.indicators)
    left = _left_column(body, bool(groups))
    if groups:
        _place_charts(slide, groups, left, body)
    rows = [indicator_row(ip) for ip in tp.indicators]
    text = main_text(tp, rows, left)
    text_box = Box(left.left, left.top, left.width, min(left.height, text.height(left.width)))
    add_text(slide, text_box, text.lines)
    table_top = text_box.bottom + GAP
    shown = _main_table(slide, rows, Box(left.left, table_top, left.width, left.bottom - table_top))
    slides = [slide]
    pages = continuation_pages(text.continued, rows[shown:], table_started=shown > 0)
    for page in pages:
        slides.append(_continuation_slide(deck, tp, page))
    return slides


def crumb(tp: TaskProgress) -> str:
    return f"{tp.task.category} › {tp.task.problem}"


def status_line(tp: TaskProgress, warning: TaskWarning | None = None) -> str:
    """ "状态：正在整改　｜　牵头单位：…　｜　整改时限：…　｜　提示：…　｜　督办：● 红色
    （已超过整改时限（2021年5月1日））"."""
    t = tp.task
    parts = [f"状态：{t.status.value}", f"牵头单位：{lead_unit(t)}"]
    if t.deadline is not None:
        parts.append(f"整改时限：{deadline_text(t)}")
    if t.completed_on is not None:
        parts.append(f"完成日期：{chinese_date(t.completed_on)}")
    if not tp.complete:
        parts.append(f"提示：{tp.reason}")
    if warning is not None:
        parts.append(f"{WARNING_COLUMN}：{warning_cell(warning)}（{reasons_cell(warning)}）")
    return "　｜　".join(parts)


def indicator_row(ip: IndicatorProgress) -> Row:
    """指标, 数值, 目标/说明 — in full: cells wrap, they are never cut."""
    ind = ip.indicator
    detail = [target_cell(ip)] if ind.target is not None else []
    if ind.note:
        detail.append(ind.note)
    return (ind.name, value_text(ip), "；".join(detail) or "—")


# -- the main slide ---------------------------------------------------------------------------


def _left_column(body: Box, with_charts: bool) -> Box:
    if not with_charts:
        return body
    return Box(body.left, body.top, int(body.width * LEFT_SHARE_WITH_CHARTS), body.height)


def _place_charts(
    slide: Slide, groups: Sequence[Sequence[IndicatorProgress]], left: Box, body: Box
) -> None:
    column = Box(left.right + GAP, body.top, body.right - left.right - GAP, body.height)
    room = column.height - GAP * (len(groups) - 1)
    wanted = [max(MIN_CHART_HEIGHT, preferred_height(g)) for g in groups]
    scale = min(1.0, room / sum(wanted))
    top = column.top
    for group, height in zip(groups, wanted, strict=True):
        box = Box(column.left, top, column.width, int(height * scale))
        add_indicator_chart(slide, box, group)
        top = box.bottom + GAP


@dataclass(frozen=True, slots=True)
class MainText:
    """What the main slide says of the measures, and what continues on the next slide."""

    lines: list[Line]
    continued: list[Line] = field(default_factory=list)  # the full text, when cut here

    def height(self, width: int) -> int:
        return text_height(self.lines, width)


def main_text(tp: TaskProgress, rows: Sequence[Row], column: Box) -> MainText:
    """整改措施 and 备注 for the main slide, as large and as complete as fits.

    In order of preference, each at the largest size that fits: the full measures (with
    the note, then without it) above the whole table, then in their share of the column
    with part of the table below; then above a table that starts overleaf; then
    shortened measures (300, 220, 150 characters) in their share. Whatever is cut or
    left out here is in ``continued``, to open the first continuation slide.
    """
    width = column.width
    full = ((None, True), (None, False))  # (limit, with_note): full measures, note or not
    comfortable = TEXT_SIZES[:ALONE_SIZES]
    share = int(column.height * TEXT_SHARE_WITH_TABLE) if rows else column.height
    rooms: list[tuple[int, Sequence[float]]] = [(column.height, TEXT_SIZES)]
    if rows:
        whole_table = column.height - table_height(INDICATOR_COLUMNS, rows, width) - GAP
        # the whole table overleaf is worth it only for text at a comfortable size
        alone = column.height - POINTER_HEIGHT - GAP
        rooms = [(whole_table, TEXT_SIZES), (share, TEXT_SIZES), (alone, comfortable)]
    candidates: list[tuple[int | None, bool, int, Sequence[float]]] = [
        (*variant, room, sizes) for room, sizes in rooms for variant in full
    ]
    candidates += [(limit, False, share, TEXT_SIZES) for limit in MEASURE_LIMITS]
    for limit, with_note, room, sizes in candidates:
        for size in sizes:
            text = _main_text(tp, limit, size, with_note=with_note)
            if text.height(width) <= room:
                return text
    return _main_text(tp, MEASURE_LIMITS[-1], TEXT_SIZES[-1], with_note=False)


def _main_text(tp: TaskProgress, limit: int | None, size: float, *, with_note: bool) -> MainText:
    t = tp.task
    lines = [Line("整改措施", size + 1, bold=True, colour=ACCENT, space_after=4)]
    full = all_points(t.measures)
    shown = full if limit is None else points(t.measures, limit)
    lines.extend(Line(text, size, space_after=3) for text in shown or [NO_MEASURES])
    cut = shown != full
    note_moved = bool(t.note) and not with_note
    if t.note and with_note:
        lines.append(Line(f"备注：{t.note}", size - 1, colour=MUTED))
    moved = [what for what, gone in (("整改措施全文", cut), ("备注", note_moved)) if gone]
    if not moved:
        return MainText(lines)
    lines.append(Line(f"（{'、'.join(moved)}见续页）", size - 1, colour=MUTED))
    return MainText(lines, full_text_lines(tp, measures=cut, note=note_moved))


def full_text_lines(tp: TaskProgress, *, measures: bool, note: bool) -> list[Line]:
    """The full measures and/or note, for a continuation slide."""
    t = tp.task
    size = FULL_TEXT_SIZE
    lines: list[Line] = []
    if measures:
        lines.append(Line("整改措施（全文）", size + 1, bold=True, colour=ACCENT, space_after=4))
        lines.extend(Line(text, size, space_after=3) for text in all_points(t.measures))
    if note and t.note:
        lines.append(Line(f"备注：{t.note}", size - 1, colour=MUTED, space_after=6))
    return lines


def _main_table(slide: Slide, rows: Sequence[Row], box: Box) -> int:
    """As many rows as fit in ``box``, and a line saying where the rest are; returns how
    many rows are shown."""
    if not rows:
        return 0
    shown = rows_that_fit(INDICATOR_COLUMNS, rows, box)
    if shown < len(rows):
        box = Box(box.left, box.top, box.width, box.height - POINTER_HEIGHT)
        shown = rows_that_fit(INDICATOR_COLUMNS, rows, box)
        if shown < MIN_MAIN_ROWS:
            shown = 0
    height = add_table(slide, box, INDICATOR_COLUMNS, rows[:shown]) if shown else 0
    if shown < len(rows):
        if shown:
            pointer = f"其余{len(rows) - shown}项指标见续页（共{len(rows)}项）。"
        else:
            pointer = f"本项任务共{len(rows)}项指标，见续页。"
        line = Line(pointer, 11, colour=MUTED)
        add_text(slide, Box(box.left, box.top + height, box.width, POINTER_HEIGHT), [line])
    return shown


# -- continuation slides ----------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    """One continuation slide: text paragraphs, then (part of) the indicator table."""

    lines: list[Line] = field(default_factory=list)
    caption: Line | None = None
    rows: list[Row] = field(default_factory=list)


def continuation_pages(
    text: Sequence[Line], rows: Sequence[Row], *, table_started: bool, body: Box = CONTINUATION_BODY
) -> list[Page]:
    """``text`` then ``rows`` laid out on as many full-width pages as they need.

    A paragraph taller than a page is split across pages; so is a table row (see
    ``split_tall_rows``). The table's caption says "指标（续）" when it began earlier."""
    pages: list[Page] = []
    page = Page()
    for line in _page_sized(text, body):
        if page.lines and text_height([*page.lines, line], body.width) > body.height:
            pages.append(page)
            page = Page()
        page.lines.append(line)
    total = len(rows)
    caption_box = Box(body.left, body.top, body.width, body.height - _caption_height())
    rest = split_tall_rows(INDICATOR_COLUMNS, rows, caption_box)
    while rest:
        box = table_box(page, body)
        count = rows_that_fit(INDICATOR_COLUMNS, rest, box)
        if count == 0 and (page.lines or page.rows):
            pages.append(page)
            page = Page()
            continue
        count = max(1, count)
        label = "指标（续）" if table_started else f"指标（共{total}项）"
        page.caption = Line(label, 15, bold=True, colour=ACCENT)
        page.rows = rest[:count]
        rest = rest[count:]
        table_started = True
        pages.append(page)
        page = Page()
    if page.lines:
        pages.append(page)
    return pages


def table_box(page: Page, body: Box = CONTINUATION_BODY) -> Box:
    """Where a page's table goes: below its text and the caption."""
    top = body.top + _caption_height()
    if page.lines:
        top += text_height(page.lines, body.width) + GAP
    return Box(body.left, top, body.width, body.bottom - top)


def _caption_height() -> int:
    return text_height([Line("指标", 15, bold=True)], CONTENT_WIDTH)


def _page_sized(lines: Sequence[Line], body: Box) -> list[Line]:
    """``lines``, with any paragraph taller than a page split into page-sized parts."""
    result: list[Line] = []
    for line in lines:
        if text_height([line], body.width) <= body.height:
            result.append(line)
            continue
        pitch = line.size * LINE_HEIGHT * EMU_PER_PT
        max_lines = max(1, int((body.height - 2 * INSET_Y) // pitch) - 1)
        for piece in split_text(line.text, body.width, line.size, max_lines):
            result.append(Line(piece, line.size, line.bold, line.colour, line.space_after))
    return result


def _continuation_slide(deck: Presentation, tp: TaskProgress, page: Page) -> Slide:
    t = tp.task
    slide = new_slide(deck)
    top = heading(slide, f"（{t.id}）{t.title}{CONTINUED}", crumb(tp))
    body = body_box(top)
    if page.lines:
        add_text(
            slide,
            Box(body.left, body.top, body.width, text_height(page.lines, body.width)),
            page.lines,
        )
    if page.caption is not None:
        box = table_box(page, body)
        caption = Box(box.left, box.top - _caption_height(), box.width, _caption_height())
        add_text(slide, caption, [page.caption])
        add_table(slide, box, INDICATOR_COLUMNS, page.rows)
    return slide
