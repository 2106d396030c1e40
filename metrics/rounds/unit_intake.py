"""A unit's returned workbook (``unit_workbook``) read back into its task reports.

``read_unit_workbook`` treats the file like any upload: content type and zip package are
checked (``metrics.intake.checks``) while a sandboxed child (``ParseChild`` in its rows
mode, memory and time capped) starts; the child returns only the raw rows of 任务, 指标 and
``_meta``; ``interpret_unit_workbook`` (pure) turns them into ``TaskReport``s or problems
(sheet, Excel row, column, how to fix). The real check is the caller's round and unit:
every 任务编号 and 指标编号 must be the unit's, names as in the data; ``_meta`` only tells
another unit's or round's file apart early (missing: a warning, sheets copied elsewhere).

Values are kept as typed (stripped). 本期数值 cells are written as text cells, so "67.7%"
arrives as typed; a cell holding a number arrives as its plain text ("13050", "67.7") and
is read in the indicator's unit (a percentage-formatted 67.7% would be 0.677).
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

from metrics.contract import TaskStatus, normalise_header
from metrics.intake.checks import IntakeRefused
from metrics.intake.limits import IntakeLimits
from metrics.intake.untrusted import checked_child
from metrics.model import Dataset, Task
from metrics.problems import Problem, ProblemLog, Severity
from metrics.rounds import unit_workbook as uw
from metrics.rounds.model import Round, TaskReport
from metrics.rounds.settings import MAX_PROGRESS_CHARS
from metrics.rounds.units import tasks_of_unit, unit_key
from metrics.values.cells import (
    CellError,
    read_date,
    read_indicator_id,
    read_quantity,
    read_status,
    read_task_id,
    read_text,
)
from metrics.values.text import shorten
from metrics.workbook.ooxml import column_letter
from metrics.workbook.reader import RawSheet, RawWorkbook

SHEETS = (uw.TASK_SHEET, uw.INDICATOR_SHEET, uw.META_SHEET)
_HEADER_SEARCH_ROWS = 10  # the header is row 1; a few rows inserted above are tolerated
_REDOWNLOAD = "请重新下载本单位工作簿填写"


@dataclass(frozen=True, slots=True)
class UnitWorkbookResult:
    reports: tuple[TaskReport, ...]  # one per task with anything filled; () on errors
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def read_unit_workbook(
    data: bytes,
    dataset: Dataset,
    round_: Round,
    unit: str,
    *,
    limits: IntakeLimits | None = None,
) -> UnitWorkbookResult:
    """Check the file as any upload, read its rows in the sandboxed child, interpret them.
    Never raises for bad input: every refusal is a problem."""
    limits = limits or IntakeLimits.from_env()  # checked_from_env, malformed ones logged
    try:
        raw = checked_child(data, limits, sheets=SHEETS).read_sheets(data)
    except IntakeRefused as exc:
        return _refused(str(exc))
    return interpret_unit_workbook(raw, dataset, round_, unit)


def interpret_unit_workbook(
    raw: RawWorkbook, dataset: Dataset, round_: Round, unit: str
) -> UnitWorkbookResult:
    """The reports in the rows read (pure: no file, no child)."""
    return _Reader(raw, dataset, round_, unit).run()


def _refused(message: str) -> UnitWorkbookResult:
    return UnitWorkbookResult((), (Problem(Severity.ERROR, "", None, None, message),))


@dataclass(frozen=True, slots=True)
class _Table:
    name: str  # the sheet as staff see it
    sheet: RawSheet
    header_row: int  # Excel row
    columns: dict[str, int]  # header -> 0-based index

    def records(self) -> list[tuple[int, dict[str, object]]]:
        """(Excel row, header -> cell) of the non-empty rows below the header."""
        return [
            (
                self.header_row + 1 + i,
                {h: cells[c] for h, c in self.columns.items() if c < len(cells)},
            )
            for i, cells in enumerate(self.sheet.rows[self.header_row :])
            if any(read_text(v) for v in cells)
        ]


class _Reader:
    def __init__(self, raw: RawWorkbook, dataset: Dataset, round_: Round, unit: str) -> None:
        self.raw, self.dataset, self.round, self.unit = raw, dataset, round_, unit
        self.log = ProblemLog()
        self.tasks = {t.id: t for t in tasks_of_unit(dataset, unit)}
        self.indicators = {
            i.id: i for t in self.tasks.values() for i in dataset.indicators_of(t.id)
        }
        self.reports: dict[int, TaskReport] = {}
        self.values: dict[int, dict[str, str]] = {}

    def run(self) -> UnitWorkbookResult:
        self._meta()
        required = (uw.TASK_TITLE, uw.PROPOSED_STATUS, uw.PROGRESS)
        tasks = self._table(uw.TASK_SHEET, uw.TASK_ID, required)
        indicators = self._table(
            uw.INDICATOR_SHEET, uw.INDICATOR_ID, (uw.INDICATOR_NAME, uw.NEW_VALUE)
        )
        for table in (tasks, indicators):
            if table is not None:
                self._cell_issues(table)
        if tasks is not None:
            self._tasks(tasks)
        if indicators is not None:
            self._indicators(indicators)
        if self.log.has_errors:
            return UnitWorkbookResult((), self.log.result())
        reports = []
        for task_id in self.tasks:
            got = self.reports.get(task_id, TaskReport(task_id))
            values = MappingProxyType(self.values.get(task_id, {}))
            report = TaskReport(
                task_id,
                got.status,
                got.progress,
                values,
                got.completed_on,
                extension_to=got.extension_to,
            )
            if not report.empty:
                reports.append(report)
        return UnitWorkbookResult(tuple(reports), self.log.result())

    # -- sheets and headers ------------------------------------------------------------------

    def _table(self, name: str, key: str, required: tuple[str, ...]) -> _Table | None:
        sheet = self.raw.sheets.get(name)
        if sheet is None:
            why = f"缺少工作表“{name}”：请不要删除或改名工作表，{_REDOWNLOAD}"
            self.log.error(name, None, None, why)
            return None
        for index, cells in enumerate(sheet.rows[:_HEADER_SEARCH_ROWS]):
            columns: dict[str, int] = {}
            for col, value in enumerate(cells):
                columns.setdefault(normalise_header(value), col)
            if key in columns:
                missing = [h for h in required if h not in columns]
                for header in missing:
                    why = f"缺少“{header}”列：请不要删除或改名第 1 行的列名，{_REDOWNLOAD}"
                    self.log.error(name, index + 1, header, why)
                return None if missing else _Table(name, sheet, index + 1, columns)
        why = f"找不到表头（第 1 行应有“{key}”等列名）：这不是看板下载的单位工作簿，{_REDOWNLOAD}"
        self.log.error(name, None, None, why)
        return None

    def _cell_issues(self, table: _Table) -> None:
        headers = {index: header for header, index in table.columns.items()}
        for issue in self.raw.cell_issues:
            if issue.sheet == table.sheet.name:
                what = f"单元格 {column_letter(issue.column)}{issue.row} " + (
                    f"是 Excel 错误值 {issue.detail}"
                    if issue.kind == "error"
                    else "是没有保存计算结果的公式"
                )
                column = headers.get(issue.column - 1) or None
                self.log.error(table.name, issue.row, column, f"{what}：请直接填写数值或文字")

    # -- _meta ---------------------------------------------------------------------------------

    def _meta(self) -> None:
        sheet = self.raw.sheets.get(uw.META_SHEET)
        if sheet is None:
            why = (
                f"找不到隐藏的工作表“{uw.META_SHEET}”（文件所属的轮次和单位）：如果是把表格复制到了"
                f"新文件，请确认填写的是“{self.unit}”在“{self.round.name}”的内容；已按任务编号和"
                "指标编号核对"
            )
            self.log.warning(uw.META_SHEET, None, None, why)
            return
        found = {
            normalise_header(cells[0]): (row, read_text(cells[1]) if len(cells) > 1 else "")
            for row, cells in enumerate(sheet.rows, start=1)
            if cells
        }
        unit_row, other = found.get(uw.META_UNIT, (None, ""))
        if other and unit_key(other) != unit_key(uw.cell_text(self.unit)):
            other = shorten(other, 30)
            why = (
                f"这是“{other}”的工作簿，不是“{self.unit}”的：请上传“{self.unit}”的工作簿；"
                f"如要替“{other}”填报，请先选择该单位再上传"
            )
            self.log.error(uw.META_SHEET, unit_row, uw.META_UNIT, why)
        round_row, round_id = found.get(uw.META_ROUND_ID, (None, ""))
        if round_id and round_id != str(self.round.id):
            name = shorten(found.get(uw.META_ROUND_NAME, (None, ""))[1], 30)
            why = (
                f"这是轮次“{name}”（编号 {shorten(round_id, 12)}）的工作簿，当前轮次是"
                f"“{self.round.name}”（编号 {self.round.id}）：请下载本轮的单位工作簿，把内容填入"
                "后再上传"
            )
            self.log.error(uw.META_SHEET, round_row, uw.META_ROUND_ID, why)

    # -- 任务 --------------------------------------------------------------------------------------

    def _tasks(self, table: _Table) -> None:
        sheet, seen = table.name, dict[str, int]()
        for row, rec in table.records():
            try:
                task_id = read_task_id(rec.get(uw.TASK_ID))
            except CellError as exc:
                self.log.error(sheet, row, uw.TASK_ID, f"{uw.TASK_ID}：{exc}")
                continue
            task = self.tasks.get(task_id)
            label = f"任务（{task_id}）"
            if not self._owned(table, row, label, task, self.dataset.task(task_id), seen):
                continue
            assert task is not None
            self._locked(table, row, rec, uw.TASK_TITLE, label, task.title)
            status = self._status(row, task, rec.get(uw.PROPOSED_STATUS))
            completed = None
            if read_text(typed := rec.get(uw.COMPLETED_ON)):
                try:
                    completed = read_date(typed, date1904=self.raw.date1904)
                except CellError as exc:
                    self.log.error(sheet, row, uw.COMPLETED_ON, f"{uw.COMPLETED_ON}：{exc}")
                if (status or task.status) is not TaskStatus.DONE:
                    why = (
                        f"{label}的申报状态不是“已完成”，不用填完成日期：请清空完成日期，"
                        "或把申报状态改为“已完成”"
                    )
                    self.log.error(sheet, row, uw.COMPLETED_ON, why)
            extension = self._extension(row, task, status, rec.get(uw.EXTENSION_TO))
            progress = read_text(rec.get(uw.PROGRESS))
            if len(progress) > MAX_PROGRESS_CHARS:
                why = (
                    f"{label}的本期进展有 {len(progress)} 个字，最多 {MAX_PROGRESS_CHARS} 个："
                    "请精简后再上传"
                )
                self.log.error(sheet, row, uw.PROGRESS, why)
            self.reports[task.id] = TaskReport(
                task.id, status, progress, completed_on=completed, extension_to=extension
            )
        self._missing(
            sheet, "、".join(f"（{t}）" for t in self.tasks if f"任务（{t}）" not in seen)
        )

    def _extension(
        self, row: int, task: Task, status: TaskStatus | None, value: object
    ) -> datetime.date | None:
        """申请延期至: a date, with 申请延期 only, after 整改时限; required with 申请延期."""
        sheet, requested = uw.TASK_SHEET, TaskStatus.EXTENSION_REQUESTED
        label = f"任务（{task.id}）"
        if not read_text(value):
            if status is requested:
                why = f"{label}申报“申请延期”，请在{uw.EXTENSION_TO}填写申请的新整改时限"
                self.log.error(sheet, row, uw.EXTENSION_TO, why)
            return None
        try:
            wanted = read_date(value, date1904=self.raw.date1904)
        except CellError as exc:
            self.log.error(sheet, row, uw.EXTENSION_TO, f"{uw.EXTENSION_TO}：{exc}")
            return None
        if (status or task.status) is not requested:
            why = (
                f"{label}的申报状态不是“申请延期”，不用填{uw.EXTENSION_TO}：请清空，"
                "或把申报状态改为“申请延期”"
            )
            self.log.error(sheet, row, uw.EXTENSION_TO, why)
            return None
        if task.deadline is not None and wanted <= task.deadline:
            why = (
                f"{label}申请延期至 {wanted.isoformat()}，不晚于整改时限 "
                f"{task.deadline.isoformat()}：请填写晚于整改时限的日期"
            )
            self.log.error(sheet, row, uw.EXTENSION_TO, why)
            return None
        return wanted

    def _status(self, row: int, task: Task, value: object) -> TaskStatus | None:
        if not read_text(value):
            return None
        try:
            status = read_status(value)
        except CellError as exc:
            why = f"{exc}，请从下拉列表中选择"
            self.log.error(uw.TASK_SHEET, row, uw.PROPOSED_STATUS, why)
            return None
        if task.status is TaskStatus.DONE and status is not TaskStatus.DONE:
            why = (
                f"任务（{task.id}）已销号（已完成）：单位不能改回“{status}”，如需重新整改"
                "请联系整改办"
            )
            self.log.error(uw.TASK_SHEET, row, uw.PROPOSED_STATUS, why)
        return None if status is task.status else status

    # -- 指标 --------------------------------------------------------------------------------------

    def _indicators(self, table: _Table) -> None:
        sheet, seen = table.name, dict[str, int]()
        in_data = {i.id: i for i in self.dataset.indicators}
        for row, rec in table.records():
            key = read_indicator_id(rec.get(uw.INDICATOR_ID))
            indicator = self.indicators.get(key)
            shown = key if key in in_data else shorten(key, 20)
            label = f"指标 {shown} " if key else "指标（没有编号）"
            if not self._owned(table, row, label, indicator, in_data.get(key), seen):
                continue
            assert indicator is not None
            self._locked(table, row, rec, uw.INDICATOR_NAME, label, indicator.name)
            if uw.TASK_ID in table.columns:
                self._locked(table, row, rec, uw.TASK_ID, label, str(indicator.task_id))
            text = read_text(rec.get(uw.NEW_VALUE))
            if not text:
                continue
            try:
                read_quantity(text, indicator.unit)
            except CellError as exc:
                self.log.error(sheet, row, uw.NEW_VALUE, f"{uw.NEW_VALUE}：{exc}")
                continue
            self.values.setdefault(indicator.task_id, {})[indicator.id] = text
        self._missing(
            sheet, " " + "、".join(i for i in self.indicators if f"指标 {i} " not in seen) + " "
        )

    # -- shared by both sheets ---------------------------------------------------------------------

    def _owned(
        self, table: _Table, row: int, label: str, mine: object, known: object, seen: dict[str, int]
    ) -> bool:
        """Whether the row's task (indicator) is the unit's, and the first row of it.
        ``mine``: it among the unit's; ``known``: it in the data at all."""
        kind, column = (
            ("任务", uw.TASK_ID) if table.name == uw.TASK_SHEET else ("指标", uw.INDICATOR_ID)
        )
        if mine is None:
            relation = "不是" if kind == "任务" else "不属于"
            where = f"{relation}{self.unit}牵头或参与的任务" if known else "不在当前数据中"
            why = f"第 {row} 行的{label}{where}：请删除这一行，不要在单位工作簿中添加{kind}"
            self.log.error(table.name, row, column, why)
            return False
        if label in seen:
            why = f"{label}在第 {seen[label]} 行已有一行：每个{kind}只填一行，请删除重复的这一行"
            self.log.error(table.name, row, column, why)
            return False
        seen[label] = row
        return True

    def _locked(
        self,
        table: _Table,
        row: int,
        rec: dict[str, object],
        column: str,
        label: str,
        expected: str,
    ) -> None:
        """A locked cell (a name, a task number) changed: refused."""
        typed = read_text(rec.get(column))
        if _folded(typed) != _folded(expected):
            what = "名称" if column != uw.TASK_ID else column
            why = (
                f"{label}的{what}被改成了“{shorten(typed, 30)}”，应为“{shorten(expected, 30)}”："
                f"{what}已锁定，请改回，或{_REDOWNLOAD}"
            )
            self.log.error(table.name, row, column, why)

    def _missing(self, sheet: str, listed: str) -> None:
        if listed.strip():
            what = "进展和状态" if sheet == uw.TASK_SHEET else "数值"
            why = (
                f"本单位的{sheet}{listed}不在表中：这些{sheet}本次不报送{what}；"
                f"如需填报，{_REDOWNLOAD}"
            )
            self.log.warning(sheet, None, None, why)


def _folded(text: str) -> str:
    """A name as compared: NFKC, no whitespace, no control characters (never written)."""
    return "".join(unicodedata.normalize("NFKC", uw.cell_text(text)).split())
