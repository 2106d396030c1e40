"""A unit's workbook for one round: the Excel way to report (``unit_intake`` reads it back).

``unit_workbook_bytes(dataset, round_, unit, drafts)`` writes four sheets: 说明 (what to
fill and the rules), 任务 (one row per task the unit leads or shares), 指标 (one row per
indicator of those tasks) and the hidden ``_meta`` (轮次编号, 单位, 轮次名称: informational;
the reader's real check is the round and unit its caller names).

The sheets are protected **without a password**: a guard against slips (a renamed task,
an overwritten number), not security. Only the white cells are unlocked: 申报状态 (a
drop-down of the TaskStatus values), 完成日期, 本期进展 and 申请延期至 on 任务, 本期数值
on 指标.
本期数值 cells are formatted as text, so "67.7%" or "13050" stay as typed.

Output is deterministic (fixed document properties and zip times), like
``metrics.workbook.template``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from metrics.contract import TaskStatus
from metrics.model import Dataset, Indicator
from metrics.rounds.model import Draft, Round
from metrics.rounds.settings import MAX_PROGRESS_CHARS
from metrics.rounds.units import tasks_of_unit
from metrics.values.formatting import format_number
from metrics.workbook.template import (
    CREATOR,
    DATE_FORMAT,
    FIXED_TIMESTAMP,
    deterministic_bytes,
)
from metrics.workbook.template_sheets import list_validation

INSTRUCTIONS: Final = "说明"
TASK_SHEET: Final = "任务"
INDICATOR_SHEET: Final = "指标"
META_SHEET: Final = "_meta"

# 任务 columns
TASK_ID: Final = "任务编号"
CATEGORY: Final = "方面"
PROBLEM: Final = "问题"
TASK_TITLE: Final = "任务"
LEAD_UNIT: Final = "牵头单位"
CURRENT_STATUS: Final = "当前状态"
PROPOSED_STATUS: Final = "申报状态"
COMPLETED_ON: Final = "完成日期"
PROGRESS: Final = "本期进展"
EXTENSION_TO: Final = "申请延期至"  # last: a workbook downloaded before it still reads
# 指标 columns (and TASK_ID)
INDICATOR_ID: Final = "指标编号"
INDICATOR_NAME: Final = "指标名称"
UNIT: Final = "单位"
LAST_VALUE: Final = "上期数值"
LAST_DATE: Final = "上期日期"
NEW_VALUE: Final = "本期数值"
NOTE: Final = "备注"  # the indicator's own note (口径), shown locked
# _meta keys (column A), values in column B
META_ROUND_ID: Final = "轮次编号"
META_UNIT: Final = "单位"
META_ROUND_NAME: Final = "轮次名称"

CellValue: TypeAlias = str | int | datetime.date | None


@dataclass(frozen=True, slots=True)
class _Col:
    header: str
    width: int
    fillable: bool = False
    wrap: bool = False


TASK_COLUMNS: Final = (
    _Col(TASK_ID, 10),
    _Col(CATEGORY, 16, wrap=True),
    _Col(PROBLEM, 30, wrap=True),
    _Col(TASK_TITLE, 30, wrap=True),
    _Col(LEAD_UNIT, 16, wrap=True),
    _Col(CURRENT_STATUS, 12),
    _Col(PROPOSED_STATUS, 12, fillable=True),
    _Col(COMPLETED_ON, 14, fillable=True),
    _Col(PROGRESS, 60, fillable=True, wrap=True),
    _Col(EXTENSION_TO, 14, fillable=True),
)
INDICATOR_COLUMNS: Final = (
    _Col(INDICATOR_ID, 12),
    _Col(TASK_ID, 10),
    _Col(INDICATOR_NAME, 30, wrap=True),
    _Col(UNIT, 10),
    _Col(LAST_VALUE, 16),
    _Col(LAST_DATE, 14),
    _Col(NEW_VALUE, 16, fillable=True),
    _Col(NOTE, 30, wrap=True),
)

_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_LOCKED_FILL: Final = PatternFill("solid", fgColor="E7E6E6")  # grey: do not change
_OPEN_FILL: Final = PatternFill("solid", fgColor="FFFFFF")  # white: fill in
_UNLOCKED: Final = Protection(locked=False)
_ZIP_TIMESTAMP: Final = (2021, 5, 31, 0, 0, 0)
_NOT_IN_FILE_NAMES: Final = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def cell_text(text: str) -> str:
    """Text as a cell can hold it: control characters (which the data may hold and XML
    cannot) dropped; ``unit_intake`` compares names in this form."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def unit_workbook_name(unit: str, round_: Round) -> str:
    """ "区教育局-2021年6月进展.xlsx": characters Windows refuses in names replaced by "_"."""
    return f"{_file_part(unit, '单位')}-{_file_part(round_.name, '轮次')}.xlsx"


def _file_part(text: str, fallback: str) -> str:
    cleaned = _NOT_IN_FILE_NAMES.sub("_", unicodedata.normalize("NFC", text))
    cleaned = " ".join(cleaned.split()).strip(" ._")
    return cleaned[:60] or fallback


def unit_workbook_bytes(
    dataset: Dataset,
    round_: Round,
    unit: str,
    drafts: Mapping[int, Draft] | None = None,
) -> bytes:
    """The .xlsx a unit fills in for ``round_``: its tasks and their indicators, the
    fillable cells pre-filled from ``drafts`` (task id → draft) when given."""
    drafts = drafts or {}
    tasks = tasks_of_unit(dataset, unit)
    indicators = [i for t in tasks for i in dataset.indicators_of(t.id)]
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    props = book.properties
    props.creator = props.lastModifiedBy = CREATOR
    props.title = f"{unit} {round_.name} 填报"
    props.created = props.modified = FIXED_TIMESTAMP
    _write_instructions(book.create_sheet(INSTRUCTIONS), round_, unit, len(tasks), len(indicators))

    task_rows: list[list[CellValue]] = []
    for task in tasks:
        report = drafts[task.id].report if task.id in drafts else None
        status = report.status if report is not None and report.status else task.status
        task_rows.append(
            [
                task.id,
                task.category,
                task.problem,
                task.title,
                task.lead_unit,
                task.status.value,
                status.value,
                report.completed_on if report is not None else None,
                report.progress if report is not None else "",
                report.extension_to if report is not None else None,
            ]
        )
    task_sheet = book.create_sheet(TASK_SHEET)
    _write_table(task_sheet, TASK_COLUMNS, task_rows)
    _status_dropdown(task_sheet, len(task_rows))
    _date_check(task_sheet, len(task_rows), COMPLETED_ON, "只在申报“已完成”时填写，如 2021-06-30")
    _date_check(
        task_sheet,
        len(task_rows),
        EXTENSION_TO,
        "只在申报“申请延期”时填写：申请的新整改时限，如 2021-09-30",
    )

    indicator_rows: list[list[CellValue]] = []
    for indicator in indicators:
        draft = drafts.get(indicator.task_id)
        typed = draft.report.values.get(indicator.id, "") if draft is not None else ""
        indicator_rows.append([*_indicator_facts(dataset, indicator), typed, indicator.note])
    _write_table(book.create_sheet(INDICATOR_SHEET), INDICATOR_COLUMNS, indicator_rows)

    meta = book.create_sheet(META_SHEET)
    for row in (
        (META_ROUND_ID, round_.id),
        (META_UNIT, unit),
        (META_ROUND_NAME, round_.name),
        ("截至日期", round_.as_of),
        ("数据版本", round_.basis_version),
        ("说明", "本表供看板核对文件所属的轮次和单位，请勿修改"),
    ):
        meta.append(tuple(cell_text(v) if isinstance(v, str) else v for v in row))
        if isinstance(row[1], str):
            meta.cell(meta.max_row, 2).data_type = "s"
    meta["B4"].number_format = DATE_FORMAT
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    book.active = 0
    # No password: keeps staff from renaming, deleting or unhiding sheets by mistake.
    book.security = WorkbookProtection(lockStructure=True)
    return deterministic_bytes(book)


def _indicator_facts(dataset: Dataset, indicator: Indicator) -> list[CellValue]:
    """指标编号 … 上期日期: the latest figure as the report words it ("13050个")."""
    history = dataset.history(indicator.id)
    latest = history[-1] if history else None
    return [
        indicator.id,
        indicator.task_id,
        indicator.name,
        indicator.unit_symbol,
        format_number(latest.value, indicator.unit, latest.qualifier, latest.text)
        if latest
        else "",
        latest.date if latest else None,
    ]


def _write_table(
    sheet: Worksheet, columns: Sequence[_Col], rows: Sequence[list[CellValue]]
) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row_number, values in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            if isinstance(value, str):
                value = cell_text(value)
            cell = sheet.cell(row=row_number, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula ("=…")
            elif value is not None and not isinstance(value, int):
                cell.number_format = DATE_FORMAT
            if column.header == NEW_VALUE:
                cell.number_format = "@"  # text: what staff type stays as typed
            cell.alignment = Alignment(wrap_text=column.wrap, vertical="top")
            cell.fill = _OPEN_FILL if column.fillable else _LOCKED_FILL
            if column.fillable:
                cell.protection = _UNLOCKED
    sheet.freeze_panes = "B2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.protection.sheet = True
    # Staff may still widen columns and heighten rows to read long text.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _column_letter(columns: Sequence[_Col], header: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, 1) if c.header == header))


def _status_dropdown(sheet: Worksheet, rows: int) -> None:
    choices = [status.value for status in TaskStatus]
    listed = "、".join(choices)
    validation = list_validation(
        PROPOSED_STATUS,
        choices,
        f"请选择：{listed}。改为“已完成”即申请销号；申请延期须填申请延期至",
    )
    letter = _column_letter(TASK_COLUMNS, PROPOSED_STATUS)
    validation.add(f"{letter}2:{letter}{max(rows + 1, 2)}")
    sheet.add_data_validation(validation)


def _date_check(sheet: Worksheet, rows: int, header: str, prompt: str) -> None:
    validation = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1="36526",  # 2000-01-01
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="warning",
        errorTitle=f"{header}填写有误",
        error="请填写日期，如 2021-06-30",
        promptTitle=header,
        prompt=prompt,
    )
    letter = _column_letter(TASK_COLUMNS, header)
    validation.add(f"{letter}2:{letter}{max(rows + 1, 2)}")
    sheet.add_data_validation(validation)


def _write_instructions(
    sheet: Worksheet, round_: Round, unit: str, tasks: int, indicators: int
) -> None:
    statuses = "、".join(s.value for s in TaskStatus)
    lines: list[tuple[str, CellValue]] = [
        ("单位填报工作簿", ""),
        ("填报轮次", round_.name),
        ("截至日期", round_.as_of),
        ("报送截止", round_.due),
        ("填报单位", unit),
        ("任务与指标", f"本单位牵头或参与的任务 {tasks} 项，指标 {indicators} 个"),
        ("", ""),
        ("填写规则", ""),
        ("1", "编号、名称等灰色单元格已锁定，不要修改；只填白色单元格。"),
        (
            "2",
            f"“{TASK_SHEET}”表：{PROPOSED_STATUS}从下拉列表中选择（{statuses}），不改动表示"
            f"状态不变；{PROGRESS}写截至 {round_.as_of.isoformat()} 的整改进展，"
            f"最多 {MAX_PROGRESS_CHARS} 字。",
        ),
        (
            "3",
            "状态改为“已完成”即申请销号，需在网页上传佐证材料或随文件另行提交；"
            f"{COMPLETED_ON}只在申报“已完成”时填写，如 2021-06-30。"
            f"申报“申请延期”时在{EXTENSION_TO}填写申请的新整改时限（应晚于原整改时限），"
            "由整改办决定是否同意。",
        ),
        (
            "4",
            f"“{INDICATOR_SHEET}”表：{NEW_VALUE}填截至 {round_.as_of.isoformat()} 的数值，"
            "按“单位”列的单位填写，数值可写 9.62万、2500余、约60、67.7% …；不填表示本期没有"
            "新数值。",
        ),
        (
            "5",
            "不要增加、删除任务或指标行，不要修改工作表名称和第 1 行的列名；"
            "表格中没有本单位的任务时，请联系整改办。",
        ),
        (
            "6",
            "工作表保护没有密码，只为防止误改，不是安全措施；撤销保护后修改灰色单元格的文件"
            "上传时会被拒绝。",
        ),
        ("7", "填好后保存为 .xlsx（不要另存为 .xls、.et 或 .csv），在看板上传本文件。"),
    ]
    for label, value in lines:
        sheet.append((label, cell_text(value) if isinstance(value, str) else value))
        cell = sheet.cell(sheet.max_row, 2)
        if isinstance(value, str):
            cell.data_type = "s"
        elif value is not None:
            cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.cell(sheet.max_row, 1).alignment = Alignment(vertical="top")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90
    sheet.protection.sheet = True
