"""A clean Excel summary: tasks and indicators with their computed progress and status.

Every text cell goes through ``report.safe_cells.neutralise`` and is written as text,
so a title like ``=HYPERLINK(...)`` stays inert; numbers are written as numbers
(``-5`` stays -5) with a number format, so the sheet can be sorted and summed.

Nothing is left out: every task with its full measures and note, every indicator of the
scope with its full name, its value as shown elsewhere ("约60亿元") beside the number,
and its note. Given the supervision warnings, each task also has its 督办 colour in
symbol and word ("● 红色") and the rule(s) that gave it, as the dashboard's tasks table
words them, and 概况 counts the tasks of each colour.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from metrics.scoring.headline import headline
from metrics.scoring.progress import IndicatorProgress, Scored, TaskProgress
from metrics.scoring.rollup import completion
from metrics.scoring.scope import Scope
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.supervision.rules import colour_counts
from report.palette import HEADER_NAVY, WHITE
from report.safe_cells import neutralise
from report.status import tag
from report.supervision import reasons_cell, warning_cell, warning_tag
from report.views import WARNING_COLUMN, WARNING_REASONS_COLUMN, warnings_of_tasks
from report.wording import lead_unit, value_text

HEADER_FILL = PatternFill("solid", fgColor=HEADER_NAVY.lstrip("#").upper())
HEADER_FONT = Font(bold=True, color=WHITE.lstrip("#").upper())
PERCENT = "0.0%"
# What a cell of the summary holds: text, a number (int or float), a date, or nothing.
CellValue = str | float | datetime.date | None

TASK_HEADERS = (
    ("编号", 6),
    ("方面", 24),
    ("问题", 24),
    ("任务", 36),
    ("状态", 10),
    ("提示", 10),
    ("牵头单位", 16),
    ("整改时限", 12),
    ("申请延期至", 12),
    ("延期决定", 10),
    ("指标数", 8),
    ("说明", 40),
    ("整改措施", 80),
    ("备注", 40),
)
# With the warnings: after 状态, as on the dashboard's tasks table.
WARNING_HEADERS = ((WARNING_COLUMN, 10), (WARNING_REASONS_COLUMN, 40))
_AFTER_STATUS = [name for name, _ in TASK_HEADERS].index("状态") + 1
INDICATOR_HEADERS = (
    ("指标编号", 10),
    ("任务编号", 8),
    ("指标", 30),
    ("单位", 8),
    ("最新值", 12),
    ("数值（文字）", 14),
    ("日期", 12),
    ("基期值", 10),
    ("目标值", 10),
    ("目标日期", 12),
    ("方向", 10),
    ("完成进度", 10),
    ("序时进度", 10),
    ("状态", 10),
    ("说明", 40),
    ("备注", 40),
    ("来源", 60),
)
PERCENT_COLUMNS = ("完成进度", "序时进度")


def build_summary_xlsx(
    scored: Scored,
    scope: Scope,
    *,
    version: str,
    warnings: Mapping[int, TaskWarning] | None = None,
) -> bytes:
    """Figures describe the scope's tasks only. ``warnings``: the supervision colours
    (``metrics.supervision.rules.colours``, computed by the caller); None leaves the
    督办 columns and counts out."""
    scored = scope.apply(scored)
    tasks = scored.tasks
    wb = Workbook()
    overview = wb.active
    assert overview is not None
    overview.title = "概况"
    _overview(overview, scored, scope, tasks, version, warnings)
    headers: tuple[tuple[str, int], ...] = TASK_HEADERS
    rows = [_task_row(tp) for tp in tasks]
    if warnings is not None:
        headers = (*TASK_HEADERS[:_AFTER_STATUS], *WARNING_HEADERS, *TASK_HEADERS[_AFTER_STATUS:])
        for row, tp in zip(rows, tasks, strict=True):
            warning = warnings.get(tp.task.id)
            row[_AFTER_STATUS:_AFTER_STATUS] = [warning_cell(warning), reasons_cell(warning)]
    _table(wb.create_sheet("任务"), headers, rows)
    rows = [_indicator_row(ip) for tp in tasks for ip in tp.indicators]
    indicator_sheet = wb.create_sheet("指标")
    _table(indicator_sheet, INDICATOR_HEADERS, rows)
    names = [name for name, _ in INDICATOR_HEADERS]
    for heading in PERCENT_COLUMNS:
        column = get_column_letter(names.index(heading) + 1)
        for cell in indicator_sheet[column][1:]:
            cell.number_format = PERCENT
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _overview(
    ws: Worksheet,
    scored: Scored,
    scope: Scope,
    tasks: Sequence[TaskProgress],
    version: str,
    warnings: Mapping[int, TaskWarning] | None,
) -> None:
    figures = headline(scored)
    c = completion(tasks)
    rows: list[tuple[str, CellValue]] = [
        ("标题", figures.title),
        ("报告单位", figures.organisation),
        ("数据截至", scored.meta.as_of),
        ("数据版本", version),
        ("范围", scope.label()),
        ("任务数", c.total),
        ("已完成", c.completed),
        ("整改完成率", c.rate if c.rate is not None else "—"),
        ("摘要", figures.sentence),
    ]
    if warnings is not None:  # "● 红色督办": how many of the scope's tasks, a number
        counts = colour_counts(warnings_of_tasks(scored, warnings))
        rows += [(f"{warning_tag(c)}{WARNING_COLUMN}", counts[c]) for c in WarningColour]
    _table(ws, (("项目", 14), ("内容", 80)), [list(r) for r in rows])
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "整改完成率" and isinstance(row[1].value, float):
            row[1].number_format = PERCENT
        if isinstance(row[1].value, datetime.date):
            row[1].number_format = "yyyy-mm-dd"


def _task_row(tp: TaskProgress) -> list[CellValue]:
    t = tp.task
    return [
        t.id,
        t.category,
        t.problem,
        t.title,
        t.status.value,
        tag(tp.colour),  # "✖ 红", as the dashboard's tasks table (beside 督办 "▲ 黄色")
        lead_unit(t),
        t.deadline,
        t.extension_to,
        t.extension_decision.value if t.extension_decision else None,
        len(tp.indicators),
        tp.reason,
        t.measures,
        t.note,
    ]


def _indicator_row(ip: IndicatorProgress) -> list[CellValue]:
    ind = ip.indicator
    latest = ip.latest
    return [
        ind.id,
        ind.task_id,
        ind.name,
        ind.unit.symbol if ind.unit else "",
        latest.value if latest else None,
        value_text(ip),
        latest.date if latest else None,
        ip.baseline,
        ind.target,
        ind.target_date,
        ind.direction.value,
        ip.progress,
        ip.expected,
        ip.status.value,
        ip.reason,
        ind.note,
        ind.source,
    ]


def _table(
    ws: Worksheet, headers: Sequence[tuple[str, int]], rows: Sequence[list[CellValue]]
) -> None:
    for column, (name, width) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=column, value=name)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        ws.column_dimensions[get_column_letter(column)].width = width
    for r, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _write(ws, r, column, value)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def _write(ws: Worksheet, row: int, column: int, value: CellValue) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"  # never a formula, whatever the text
        if len(value) > 30:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value  # numbers stay numbers; None stays empty
