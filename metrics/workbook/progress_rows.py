"""The rows of 进展 (progress entries): one report of one task in one reporting round.

The sheet is optional (``metrics.contract.OPTIONAL_SHEETS``); the loader calls this only
when the workbook has it. Every cell goes through the general cell readers
(``CellReader``), so its problems read like those of the other sheets.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from metrics.contract import PROGRESS
from metrics.model import Meta, ProgressEntry
from metrics.values.cells import read_text
from metrics.workbook.cell_readers import CellReader
from metrics.workbook.table import Record, Table

# The error for an empty cell that must be filled in, by field: what to write instead.
_MISSING: Final[Mapping[str, str]] = MappingProxyType(
    {
        "task_id": "未填写“任务编号”：请填写这条进展所属任务的编号，如 9",
        "round": "未填写“轮次”：请填写报送轮次，如“2021年6月进展”",
        "date": "未填写“日期”：请填写进展所对应的日期，如 2021-06-30",
        "text": "未填写“进展情况”：请填写本轮的整改进展，或删除这一行",
    }
)


class ProgressRows:
    """Reads the 进展 sheet of one load against the tasks read before it."""

    def __init__(self, cells: CellReader, task_ids: set[int] | None, meta: Meta | None) -> None:
        self.cells = cells
        self.log = cells.log
        # Every id written in 任务 (also of rows with errors: no second error for those);
        # None when 任务 could not be read, so references are not checked.
        self.task_ids = task_ids
        self.as_of = meta.as_of if meta is not None else None

    def read(self, table: Table, rows: Sequence[Sequence[object]]) -> list[ProgressEntry]:
        """Every accepted entry, in sheet order; problems go to the log."""
        entries: list[ProgressEntry] = []
        for record in table.records(rows):
            entry = self._entry(record)
            if entry is not None:
                entries.append(entry)
        return entries

    def _required(self, record: Record, field: str) -> tuple[bool, object]:
        """(ok, value) of a cell that must be filled in; an empty one is an error."""
        ok, value = self.cells.read(PROGRESS, record, field, required=False)
        if ok and (value is None or value == ""):
            self.log.error(
                PROGRESS.name, record.row, PROGRESS.column(field).header, _MISSING[field]
            )
            return False, None
        return ok, value

    def _entry(self, record: Record) -> ProgressEntry | None:
        spec = PROGRESS
        ok, task_id = self._required(record, "task_id")
        if isinstance(task_id, int) and self.task_ids is not None and task_id not in self.task_ids:
            self.log.error(
                spec.name,
                record.row,
                spec.column("task_id").header,
                f"任务编号 {task_id} 在工作表“任务”中不存在：请填写已有任务的编号",
            )
            ok = False
        good, round_ = self._required(record, "round")
        ok = ok and good
        good, day = self._required(record, "date")
        ok = ok and good
        good, text = self._required(record, "text")
        ok = ok and good
        optional: dict[str, str] = {}
        for field in ("unit", "evidence", "note"):
            good, value = self.cells.read(spec, record, field, required=False)
            ok = ok and good
            optional[field] = value or ""
        if isinstance(day, datetime.date) and self.as_of is not None and day > self.as_of:
            self.log.warning(
                spec.name,
                record.row,
                spec.column("date").header,
                f"日期 {day.isoformat()} 晚于概况中的截至日期 {self.as_of.isoformat()}："
                "请核对日期，或更新截至日期",
            )
        if not ok or not isinstance(task_id, int) or not isinstance(day, datetime.date):
            return None
        return ProgressEntry(
            task_id=task_id,
            round=read_text(round_),
            date=day,
            text=read_text(text),
            unit=optional["unit"],
            evidence=optional["evidence"],
            note=optional["note"],
            row=record.row,
        )
