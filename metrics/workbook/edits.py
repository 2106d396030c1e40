"""Apply accepted changes to a workbook in place, so a published version stays the
office's own workbook: their extra columns, formatting, notes and other sheets survive.

Tables are found as the loader finds them (``read_workbook``, ``locate_table``), cells
edited with openpyxl by Excel row and column. New 数据 and 进展 rows go below the last
non-empty row of their sheet, filling only the contract's columns; a missing 进展 sheet
is created like the template's. Text is written as text, dates as real dates
(``edit_cells``). Formulas in the contract's columns become the values the loader read
(openpyxl cannot save a formula's cached value); formulas elsewhere are kept. The result
is loaded again: an edit that would add an error the base did not have is refused.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any, Final

import openpyxl

from metrics.contract import (
    CONTRACT_SHEETS,
    INDICATORS,
    META,
    META_KEYS,
    OBSERVATIONS,
    PROGRESS,
    TASKS,
    ExtensionDecision,
    SheetSpec,
    TaskStatus,
    normalise_header,
)
from metrics.problems import ProblemLog
from metrics.values.cells import CellError, read_indicator_id, read_task_id
from metrics.workbook.edit_cells import (
    EditError as EditError,  # part of this module's API
)
from metrics.workbook.edit_cells import (
    extend_ranges,
    freeze_formulas,
    is_blank,
    last_used_row,
    number_or_text,
    style_like,
    write_date,
    write_text,
)
from metrics.workbook.loader import load_workbook
from metrics.workbook.ooxml import CellIssue
from metrics.workbook.reader import RawSheet, WorkbookReadError, read_workbook
from metrics.workbook.table import Table, locate_table
from metrics.workbook.template_sheets import make_styles, wraps, write_table

_AS_OF: Final = normalise_header(next(k.label for k in META_KEYS if k.field == "as_of"))


@dataclass(frozen=True, slots=True)
class TaskEdit:
    task_id: int
    status: TaskStatus | None = None  # None: unchanged
    completed_on: datetime.date | None = None  # None: unchanged
    closed_on: datetime.date | None = None  # None: unchanged
    # 申请延期: the new date asked for and the office's decision (None: unchanged). The
    # columns are added at the end of 任务 when the workbook lacks them.
    extension_to: datetime.date | None = None
    extension_decision: ExtensionDecision | None = None


@dataclass(frozen=True, slots=True)
class NewObservation:
    indicator_id: str
    date: datetime.date
    # The value exactly as the unit typed it ("9.62万", "2500余"): written as a text cell
    # unless it is a plain number, then as a number.
    text: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class NewProgress:
    task_id: int
    round: str
    date: datetime.date
    text: str
    unit: str = ""
    evidence: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class WorkbookEdits:
    as_of: datetime.date | None = None  # new 概况 截至日期; None: unchanged
    tasks: tuple[TaskEdit, ...] = ()
    observations: tuple[NewObservation, ...] = ()
    progress: tuple[NewProgress, ...] = ()


def apply_edits(base: bytes, edits: WorkbookEdits) -> bytes:
    """``base`` (.xlsx bytes) with ``edits`` applied, as .xlsx bytes. Raises EditError."""
    try:
        raw = read_workbook(base, [spec.name for spec in CONTRACT_SHEETS])
    except WorkbookReadError as exc:
        raise EditError(str(exc)) from exc
    try:
        book = openpyxl.load_workbook(io.BytesIO(base), rich_text=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise EditError("无法打开要修改的工作簿：文件已损坏，请在 Excel 中另存为 .xlsx") from exc
    editor = _Editor(dict(raw.sheets), raw.cell_issues, book)
    editor.freeze_contract_formulas()
    if edits.as_of is not None:
        editor.set_as_of(edits.as_of)
    editor.edit_tasks(edits.tasks)
    editor.add_observations(edits.observations)
    editor.add_progress(edits.progress)
    buffer = io.BytesIO()
    book.save(buffer)
    result = buffer.getvalue()
    _refuse_new_errors(base, result)
    return result


class _Editor:
    """One edit of one workbook: the tables as the loader sees them, cells by openpyxl."""

    def __init__(self, sheets: dict[str, RawSheet], issues: Sequence[CellIssue], book: Any) -> None:
        self.sheets = sheets  # contract name -> the sheet's cell values (calamine)
        self.issues = issues  # cells holding an error value or a formula without a value
        self.book = book
        self.styles = make_styles()
        self.tables: dict[str, Table | None] = {}

    def _located(self, spec: SheetSpec) -> Table | None:
        if spec.name not in self.tables:
            sheet = self.sheets.get(spec.name)
            found = locate_table(sheet, spec, ProblemLog()) if sheet is not None else None
            self.tables[spec.name] = found
        return self.tables[spec.name]

    def table(self, spec: SheetSpec) -> Table:
        found = self._located(spec)
        if found is None:
            raise EditError(f"无法修改工作表“{spec.name}”：该表缺失或缺少必需的列，请先改正工作簿")
        return found

    def freeze_contract_formulas(self) -> None:
        for spec in CONTRACT_SHEETS:
            table, sheet = self._located(spec), self.sheets.get(spec.name)
            if table is not None and sheet is not None:
                freeze_formulas(self.book[table.sheet], table, sheet)

    def set_as_of(self, day: datetime.date) -> None:
        table = self.table(META)
        worksheet = self.book[table.sheet]
        key, value = table.columns["key"] + 1, table.columns["value"] + 1
        for record in table.records(self.sheets[META.name].rows):
            if normalise_header(record.values.get("key")) == _AS_OF:
                write_date(worksheet, record.row, value, day)
                return
        row = last_used_row(self.sheets[META.name], table.header_row, self.issues) + 1
        write_text(worksheet, row, key, _AS_OF)
        write_date(worksheet, row, value, day)

    def edit_tasks(self, edits: Sequence[TaskEdit]) -> None:
        if not edits:
            return
        table = self.table(TASKS)
        worksheet = self.book[table.sheet]
        rows = self._task_rows()
        for edit in edits:
            found = rows.get(edit.task_id, [])
            if not found:
                raise EditError(f"任务编号 {edit.task_id} 在工作表“任务”中不存在：无法修改该任务")
            if len(found) > 1:
                where = "、".join(str(row) for row in found)
                raise EditError(
                    f"任务编号 {edit.task_id} 在工作表“任务”中出现多次（第 {where} 行）："
                    "请先改正工作簿"
                )
            if edit.status is not None:
                write_text(worksheet, found[0], table.columns["status"] + 1, edit.status.value)
                if edit.status is not TaskStatus.EXTENSION_REQUESTED:
                    self._clear_extension(worksheet, table, found[0])
            for field in ("completed_on", "closed_on"):
                day = getattr(edit, field)
                if day is not None:
                    write_date(worksheet, found[0], table.columns[field] + 1, day)
            if edit.extension_to is not None:
                col = self._column(worksheet, table, TASKS, "extension_to")
                write_date(worksheet, found[0], col, edit.extension_to)
            if edit.extension_decision is not None:
                col = self._column(worksheet, table, TASKS, "extension_decision")
                write_text(worksheet, found[0], col, edit.extension_decision.value)

    def _clear_extension(self, worksheet: Any, table: Table, row: int) -> None:
        """申请延期至 and 延期决定 belong to 申请延期 only: emptied when the status moves on."""
        for field in ("extension_to", "extension_decision"):
            if field in table.columns:
                worksheet.cell(row=row, column=table.columns[field] + 1).value = None

    def _task_rows(self) -> dict[int, list[int]]:
        """Task id -> the Excel rows that carry it (parsed like the loader: 9, (9), （9）)."""
        rows: dict[int, list[int]] = {}
        for record in self.table(TASKS).records(self.sheets[TASKS.name].rows):
            try:
                rows.setdefault(read_task_id(record.values.get("id")), []).append(record.row)
            except CellError:
                continue
        return rows

    def add_observations(self, new: Sequence[NewObservation]) -> None:
        if not new:
            return
        records = self.table(INDICATORS).records(self.sheets[INDICATORS.name].rows)
        known = {read_indicator_id(record.values.get("id")) for record in records}
        rows: list[dict[str, object]] = []
        for item in new:
            indicator_id = read_indicator_id(item.indicator_id)
            if indicator_id not in known:
                raise EditError(
                    f"指标编号“{item.indicator_id}”在工作表“指标”中不存在：无法添加该指标的数据"
                )
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "date": item.date,
                    "value": number_or_text(item.text),
                    "note": item.note,
                }
            )
        self._append(OBSERVATIONS, rows)

    def add_progress(self, new: Sequence[NewProgress]) -> None:
        if not new:
            return
        task_rows = self._task_rows()
        for item in new:
            if item.task_id not in task_rows:
                raise EditError(
                    f"任务编号 {item.task_id} 在工作表“任务”中不存在：无法添加该任务的进展"
                )
        sheet = self.sheets.get(PROGRESS.name)
        if sheet is None or is_blank(sheet):
            self._create_progress_sheet(sheet)
        fields = [column.field for column in PROGRESS.columns]
        self._append(PROGRESS, [{f: getattr(item, f) for f in fields} for item in new])

    def _create_progress_sheet(self, blank: RawSheet | None) -> None:
        """进展 like the template's (headers styled, frozen), in the blank sheet of that
        name or new after 数据 (so before 说明)."""
        if blank is not None:
            worksheet = self.book[blank.name]
        else:
            names = list(self.book.sheetnames)
            after = self.sheets.get(OBSERVATIONS.name)
            index = names.index(after.name) + 1 if after is not None else len(names)
            worksheet = self.book.create_sheet(PROGRESS.name, index)
        write_table(worksheet, PROGRESS, (), self.styles)
        self.sheets[PROGRESS.name] = RawSheet(worksheet.title, [list(PROGRESS.headers)])
        self.tables.pop(PROGRESS.name, None)  # located again, in the new header

    def _append(self, spec: SheetSpec, rows: Sequence[Mapping[str, object]]) -> None:
        table = self.table(spec)
        worksheet = self.book[table.sheet]
        last = last_used_row(self.sheets[spec.name], table.header_row, self.issues)
        row = last + 1
        for values in rows:
            for field, value in values.items():
                if value is None or value == "":
                    continue
                col = self._column(worksheet, table, spec, field)
                cell = worksheet.cell(row=row, column=col)
                if row - 1 > table.header_row:  # the look of the data row above
                    style_like(cell, worksheet.cell(row=row - 1, column=col))
                else:
                    wrap = wraps(spec.column(field))
                    cell.alignment = copy(self.styles.wrap_top if wrap else self.styles.top)
                if isinstance(value, datetime.date):
                    write_date(worksheet, row, col, value)
                elif isinstance(value, str):
                    write_text(worksheet, row, col, value)
                else:
                    cell.value = value
            row += 1
        extend_ranges(worksheet, last, row - 1)

    def _column(self, worksheet: Any, table: Table, spec: SheetSpec, field: str) -> int:
        """1-based column of ``field``; an optional column the sheet lacks is added."""
        if field not in table.columns:
            col = worksheet.max_column + 1
            header = spec.column(field).header
            cell = worksheet.cell(row=table.header_row, column=col, value=header)
            cell.font = copy(self.styles.header_font)
            cell.fill = copy(self.styles.optional_header_fill)
            cell.alignment = copy(self.styles.header_alignment)
            table.columns[field] = col - 1
            table.headers_by_index[col - 1] = header
        return table.columns[field] + 1


def _refuse_new_errors(base: bytes, result: bytes) -> None:
    """Refuse a result with an error the base did not have (e.g. a 销号日期 left on a task
    whose status is no longer 已完成, or a figure that cannot be read)."""
    before = set(load_workbook(base).errors)  # a Problem compares by every field
    new = [problem for problem in load_workbook(result).errors if problem not in before]
    if new:
        listed = "；".join(str(p) for p in new[:5])
        more = f"等 {len(new)} 个" if len(new) > 5 else ""
        raise EditError(f"修改后的工作簿会出现新的错误，未修改：{listed}{more}")
