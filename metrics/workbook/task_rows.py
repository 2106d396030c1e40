"""The rows of 任务 (one rectification task each): ids, texts, status, dates and the
optional extension columns (申请延期至, 延期决定).

Every cell goes through the general cell readers (``CellReader``), so its problems
read like those of the other sheets; checks across a row's cells are in
``cross_checks.check_task``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from metrics.contract import TASKS
from metrics.model import Meta, Task
from metrics.values.cells import read_text
from metrics.workbook.cell_readers import CellReader
from metrics.workbook.cross_checks import check_task
from metrics.workbook.table import Table


class TaskRows:
    """Reads the 任务 sheet of one load. ``task_ids`` collects every id written, also of
    rows with errors, so references to them get no second error."""

    def __init__(self, cells: CellReader, meta: Meta | None) -> None:
        self.cells = cells
        self.log = cells.log
        self.meta = meta
        self.task_ids: set[int] = set()

    def read(self, table: Table, rows: Sequence[Sequence[object]]) -> dict[int, Task]:
        spec = TASKS
        tasks: dict[int, Task] = {}
        first_row: dict[int, int] = {}
        cell = self.cells.read
        for record in table.records(rows):
            ok, task_id = cell(spec, record, "id", required=True)
            texts: dict[str, str] = {}
            for field in ("category", "problem", "title"):
                good, text = cell(spec, record, field, required=True)
                ok = ok and good
                texts[field] = text or ""
            good, status = cell(spec, record, "status", required=True)
            ok = ok and good
            dates: dict[str, datetime.date | None] = {}
            for field in ("deadline", "completed_on", "closed_on", "extension_to"):
                good, day = cell(spec, record, field, required=False)
                ok = ok and good
                dates[field] = day
            good, decision = cell(spec, record, "extension_decision", required=False)
            ok = ok and good
            if task_id is not None and task_id in first_row:
                self.log.error(
                    spec.name,
                    record.row,
                    "编号",
                    f"任务编号 {task_id} 重复：第 {first_row[task_id]} 行已使用，"
                    "每项任务的编号应唯一",
                )
                continue
            if task_id is not None:
                first_row[task_id] = record.row
                self.task_ids.add(task_id)
            if not ok or task_id is None or status is None:
                continue
            task = Task(
                id=task_id,
                category=texts["category"],
                problem=texts["problem"],
                title=texts["title"],
                status=status,
                measures=read_text(record.values.get("measures")),
                lead_unit=read_text(record.values.get("lead_unit")),
                responsible_units=read_text(record.values.get("responsible_units")),
                responsible_leader=read_text(record.values.get("responsible_leader")),
                deadline=dates["deadline"],
                completed_on=dates["completed_on"],
                closed_on=dates["closed_on"],
                note=read_text(record.values.get("note")),
                row=record.row,
                extension_to=dates["extension_to"],
                extension_decision=decision,
            )
            check_task(self.log, task, self.meta)
            tasks[task_id] = task
        if not first_row:
            self.log.error(spec.name, None, None, "工作表“任务”中没有任何任务：请至少填写一项任务")
        return tasks
