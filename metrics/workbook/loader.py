"""Load a workbook: read it, validate every rule, and build the ``Dataset``.

``load_workbook`` never raises on bad input. It returns every problem found at
once (errors block publishing, warnings do not), each with sheet, Excel row,
column header and a Chinese message, and a ``Dataset`` only when there is no error.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from metrics.contract import (
    DATA_SHEETS,
    INDICATORS,
    META,
    META_KEYS,
    OBSERVATIONS,
    TASKS,
    Direction,
    SheetSpec,
    TaskStatus,
    normalise_header,
)
from metrics.model import Dataset, Indicator, Meta, Observation, Task
from metrics.problems import Problem, ProblemLog
from metrics.values.cells import (
    CellError,
    read_count,
    read_date,
    read_direction,
    read_indicator_id,
    read_quantity,
    read_status,
    read_task_id,
    read_text,
)
from metrics.values.dates import MAX_YEAR, MIN_YEAR
from metrics.values.quantities import Quantity, QuantityError, parse_quantity
from metrics.values.units import Unit, UnitError, parse_unit
from metrics.workbook.reader import RawWorkbook, Source, WorkbookReadError, read_workbook
from metrics.workbook.table import Record, Table, locate_table
from metrics.workbook.xlsx_scan import column_letter

T = TypeVar("T")

MAX_CELL_CHARS = 32_767  # Excel's own limit

# Dates a plain date cell may hold without going through the full date reader.
_MIN_DAY = datetime.date(MIN_YEAR, 1, 1)
_MAX_DAY = datetime.date(MAX_YEAR, 12, 31)


@dataclass(frozen=True, slots=True)
class LoadResult:
    dataset: Dataset | None  # None when there is any error
    problems: tuple[Problem, ...]  # errors first, then warnings

    @property
    def ok(self) -> bool:
        """Publishable: no errors (warnings allowed)."""
        return self.dataset is not None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def load_workbook(source: Source) -> LoadResult:
    """Read, validate and interpret a workbook (path or bytes)."""
    log = ProblemLog()
    with _no_gc_pauses():
        try:
            raw = read_workbook(source, [spec.name for spec in DATA_SHEETS])
        except WorkbookReadError as exc:
            log.error("", None, None, str(exc))
            return LoadResult(None, log.result())
        return _Loader(raw, log).run()


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Hold the cycle collector while a load creates ~10 objects per row.

    Loading builds no reference cycles, yet with 100,000 rows the collector would run
    hundreds of times over an ever larger heap (about a fifth of the load time). It is
    switched back on afterwards, also when the load fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Loader:
    """One load of one workbook; holds the problem log and the cells already reported."""

    def __init__(self, raw: RawWorkbook, log: ProblemLog) -> None:
        self.raw = raw
        self.log = log
        # (contract sheet name, Excel row, field) of cells reported as Excel errors/formulas.
        self.broken: set[tuple[str, int, str]] = set()
        # Ids written in rows that had errors: references to them get no second error.
        self.task_ids: set[int] = set()
        self.failed_indicators: set[str] = set()
        # 概况 field -> the Excel row it was read from (wherever the table sits).
        self.meta_rows: dict[str, int] = {}

    # -- driver ------------------------------------------------------------------------

    def run(self) -> LoadResult:
        tables = {spec.name: self._table(spec) for spec in DATA_SHEETS}
        self._report_cell_issues(tables)
        self._report_overlong_cells()
        meta = self._meta(tables[META.name])
        tasks = self._tasks(tables[TASKS.name], meta)
        indicators = self._indicators(tables[INDICATORS.name], tasks is not None)
        observations = self._observations(tables[OBSERVATIONS.name], indicators, meta)
        if meta is not None and tasks is not None:
            self._check_reported_counts(meta, tasks)
        if self.log.has_errors or meta is None or tasks is None:
            return LoadResult(None, self.log.result())
        dataset = Dataset(
            meta,
            tuple(tasks.values()),
            tuple(indicators.values()),
            tuple(observations),
        )
        return LoadResult(dataset, self.log.result())

    def _table(self, spec: SheetSpec) -> Table | None:
        sheet = self.raw.sheets.get(spec.name)
        if sheet is None:
            self.log.error(
                spec.name,
                None,
                None,
                f"缺少工作表“{spec.name}”：请使用模板，保留工作表 "
                + "、".join(s.name for s in DATA_SHEETS),
            )
            return None
        return locate_table(sheet, spec, self.log)

    def _records(self, spec: SheetSpec, table: Table | None) -> list[Record]:
        if table is None:
            return []
        return list(table.records(self.raw.sheets[spec.name].rows))

    def _report_cell_issues(self, tables: dict[str, Table | None]) -> None:
        by_actual = {
            self.raw.sheets[name].name: (name, table)
            for name, table in tables.items()
            if name in self.raw.sheets
        }
        for issue in self.raw.cell_issues:
            name, table = by_actual.get(issue.sheet, (issue.sheet, None))
            header = table.headers_by_index.get(issue.column - 1) if table else None
            what = f"单元格 {column_letter(issue.column)}{issue.row} " + (
                f"是 Excel 错误值 {issue.detail}"
                if issue.kind == "error"
                else "是没有保存计算结果的公式"
            )
            if header is None:
                self.log.warning(name, issue.row, None, f"{what}（该列不参与计算）")
                continue
            spec = next(s for s in DATA_SHEETS if s.name == name)
            field = next(c.field for c in spec.columns if c.header == header)
            self.broken.add((name, issue.row, field))
            fix = (
                "请改正公式或直接填写数值"
                if issue.kind == "error"
                else "请在 Excel 中打开并保存一次，或直接填写数值"
            )
            self.log.error(name, issue.row, header, f"{what}：{fix}")

    def _report_overlong_cells(self) -> None:
        """Excel holds at most 32,767 characters in a cell; longer text is not a workbook
        staff produced (and would swamp every page), so it is an error."""
        for name, sheet in self.raw.sheets.items():
            for index, cells in enumerate(sheet.rows):
                for col, value in enumerate(cells):
                    if type(value) is str and len(value) > MAX_CELL_CHARS:
                        self.log.error(
                            name,
                            index + 1,
                            None,
                            f"单元格 {column_letter(col + 1)}{index + 1} 有 {len(value)} 个字符，"
                            f"超过 Excel 单元格上限 {MAX_CELL_CHARS} 个：请删减内容",
                        )

    # -- cell helpers --------------------------------------------------------------------

    def _cell(
        self,
        spec: SheetSpec,
        record: Record,
        field: str,
        reader: Callable[[object], T],
        *,
        required: bool,
        missing: str = "",
    ) -> tuple[bool, T | None]:
        """(ok, value): ok is False when an error was logged for this cell."""
        header = spec.column(field).header
        if (spec.name, record.row, field) in self.broken:
            return False, None
        value = record.values.get(field)
        if value is None:
            if required:
                self.log.error(spec.name, record.row, header, missing or f"未填写“{header}”")
                return False, None
            return True, None
        try:
            return True, reader(value)
        except CellError as exc:
            self.log.error(spec.name, record.row, header, str(exc))
            return False, None

    def _date_reader(self) -> Callable[[object], datetime.date]:
        date1904 = self.raw.date1904
        return lambda value: read_date(value, date1904=date1904)

    # -- 概况 ------------------------------------------------------------------------------

    def _meta(self, table: Table | None) -> Meta | None:
        values: dict[str, object] = {}
        rows: dict[str, int] = {}
        labels = {normalise_header(k.label): k for k in META_KEYS}
        for record in self._records(META, table):
            key = labels.get(normalise_header(record.values.get("key")))
            if key is None or key.field in values:
                continue
            rows[key.field] = record.row
            values[key.field] = record.values.get("value")
        self.meta_rows = rows
        if table is None:
            return None
        parsed: dict[str, object] = {}
        ok = True
        for key in META_KEYS:
            row = rows.get(key.field)
            raw = values.get(key.field)
            if raw is None:
                if key.required:
                    self.log.error(
                        META.name,
                        row,
                        "内容",
                        (
                            f"缺少“{key.label}”：请在“项目”列加一行“{key.label}”，"
                            if row is None
                            else f"“{key.label}”的内容为空："
                        )
                        + ("请填写日期，如 2021-05-31" if key.kind == "date" else "请填写内容"),
                    )
                    ok = False
                continue
            if row is not None and (META.name, row, "value") in self.broken:
                ok = ok and not key.required
                continue
            try:
                if key.kind == "date":
                    parsed[key.field] = self._date_reader()(raw)
                elif key.kind == "int":
                    parsed[key.field] = read_count(raw)
                else:
                    parsed[key.field] = read_text(raw)
            except CellError as exc:
                self.log.error(META.name, row, "内容", f"“{key.label}”：{exc}")
                ok = False
        if not ok:
            return None
        return Meta(
            title=str(parsed["title"]),
            organisation=str(parsed["organisation"]),
            as_of=_as_date(parsed["as_of"]),
            feedback_date=_as_date(parsed["feedback_date"]),
            reported_total=_as_int(parsed.get("reported_total")),
            reported_completed=_as_int(parsed.get("reported_completed")),
        )

    # -- 任务 ------------------------------------------------------------------------------

    def _tasks(self, table: Table | None, meta: Meta | None) -> dict[int, Task] | None:
        if table is None:
            return None
        spec = TASKS
        tasks: dict[int, Task] = {}
        first_row: dict[int, int] = {}
        date = self._date_reader()
        for record in self._records(spec, table):
            ok_id, task_id = self._cell(spec, record, "id", read_task_id, required=True)
            texts = {}
            ok = ok_id
            for field in ("category", "problem", "title"):
                good, text = self._cell(spec, record, field, read_text, required=True)
                ok = ok and good
                texts[field] = text or ""
            good, status = self._cell(
                spec,
                record,
                "status",
                read_status,
                required=True,
                missing="未填写“状态”：应为 已完成、正在整改、长期坚持、未启动 之一",
            )
            ok = ok and good
            dates = {}
            for field in ("deadline", "completed_on", "closed_on"):
                good, day = self._cell(spec, record, field, date, required=False)
                ok = ok and good
                dates[field] = day
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
            )
            self._check_task(task, meta)
            tasks[task_id] = task
        if not first_row:
            self.log.error(spec.name, None, None, "工作表“任务”中没有任何任务：请至少填写一项任务")
        return tasks

    def _check_task(self, task: Task, meta: Meta | None) -> None:
        name = TASKS.name
        if task.closed_on is not None and task.status is not TaskStatus.DONE:
            self.log.error(
                name,
                task.row,
                "销号日期",
                f"状态为“{task.status}”的任务不能填写销号日期：只有“已完成”的任务才能销号，"
                "请改状态或清空销号日期",
            )
        if task.completed_on is not None and not task.complete:
            self.log.warning(
                name,
                task.row,
                "完成日期",
                f"状态为“{task.status}”，却填写了完成日期：请确认状态是否应为“已完成”",
            )
        if task.closed_on and task.completed_on and task.closed_on < task.completed_on:
            self.log.warning(name, task.row, "销号日期", "销号日期早于完成日期：请核对")
        if meta is not None:
            for field, header in (("completed_on", "完成日期"), ("closed_on", "销号日期")):
                day = getattr(task, field)
                if day is not None and day > meta.as_of:
                    self.log.warning(
                        name,
                        task.row,
                        header,
                        f"{header} {day.isoformat()} 晚于概况中的截至日期 "
                        f"{meta.as_of.isoformat()}：请核对日期，或更新截至日期",
                    )

    # -- 指标 ------------------------------------------------------------------------------

    def _indicators(self, table: Table | None, have_tasks: bool) -> dict[str, Indicator]:
        spec = INDICATORS
        indicators: dict[str, Indicator] = {}
        first_row: dict[str, int] = {}
        date = self._date_reader()
        for record in self._records(spec, table):
            ok, ind_id = self._cell(spec, record, "id", read_indicator_id, required=True)
            if ind_id is not None and ind_id in first_row:
                self.log.error(
                    spec.name,
                    record.row,
                    "指标编号",
                    f"指标编号“{ind_id}”重复：第 {first_row[ind_id]} 行已使用，"
                    "每个指标的编号应唯一",
                )
                continue
            if ind_id:
                first_row[ind_id] = record.row
            good, task_id = self._cell(spec, record, "task_id", read_task_id, required=True)
            ok = ok and good
            if task_id is not None and have_tasks and task_id not in self.task_ids:
                self.log.error(
                    spec.name,
                    record.row,
                    "任务编号",
                    f"任务编号 {task_id} 在工作表“任务”中不存在：请填写已有任务的编号",
                )
                ok = False
            good, name = self._cell(spec, record, "name", read_text, required=True)
            ok = ok and good
            good, unit = self._cell(spec, record, "unit", _read_unit, required=False)
            ok = ok and good
            if good and unit is None:
                self.log.warning(
                    spec.name, record.row, "单位", "未填写单位：图表和数值将不显示单位"
                )
            good, direction = self._cell(
                spec,
                record,
                "direction",
                read_direction,
                required=True,
                missing="未填写“方向”：应为 越大越好、越小越好、仅监测 之一",
            )
            ok = ok and good
            numbers: dict[str, float | None] = {}
            for field in ("baseline", "target"):
                good, pair = self._cell(spec, record, field, _quantity_reader(unit), required=False)
                ok = ok and good
                numbers[field] = pair[0] if pair is not None else None
            dates: dict[str, datetime.date | None] = {}
            for field in ("baseline_date", "target_date"):
                good, day = self._cell(spec, record, field, date, required=False)
                ok = ok and good
                dates[field] = day
            if direction is Direction.MONITOR_ONLY and numbers["target"] is not None:
                self.log.error(
                    spec.name,
                    record.row,
                    "目标值",
                    "“仅监测”的指标不能填写目标值：请清空目标值，或把方向改为越大越好/越小越好",
                )
                ok = False
            if direction is Direction.MONITOR_ONLY and dates["target_date"] is not None:
                self.log.warning(
                    spec.name, record.row, "目标日期", "“仅监测”的指标没有目标，目标日期将被忽略"
                )
            start, end = dates["baseline_date"], dates["target_date"]
            if start is not None and end is not None and end <= start:
                self.log.error(
                    spec.name,
                    record.row,
                    "目标日期",
                    f"目标日期 {end.isoformat()} 不晚于基期日期 {start.isoformat()}："
                    "目标日期应在基期日期之后",
                )
                ok = False
            if (
                direction is not None
                and direction is not Direction.MONITOR_ONLY
                and numbers["target"] is None
                and dates["target_date"] is not None
            ):
                self.log.warning(
                    spec.name, record.row, "目标值", "填写了目标日期但没有目标值：无法计算进度"
                )
            source = read_text(record.values.get("source"))
            if not source:
                self.log.warning(
                    spec.name, record.row, "来源", "未填写来源：建议填写报告中给出该数字的原句"
                )
            if not ok or ind_id is None or task_id is None or name is None or direction is None:
                if ind_id:
                    self.failed_indicators.add(ind_id)
                continue
            indicators[ind_id] = Indicator(
                id=ind_id,
                task_id=task_id,
                name=name,
                unit=unit,
                direction=direction,
                baseline=numbers["baseline"],
                baseline_date=dates["baseline_date"],
                target=numbers["target"],
                target_date=dates["target_date"],
                source=source,
                note=read_text(record.values.get("note")),
                row=record.row,
            )
        return indicators

    # -- 数据 ------------------------------------------------------------------------------

    def _observations(
        self, table: Table | None, indicators: dict[str, Indicator], meta: Meta | None
    ) -> list[Observation]:
        """Rows of 数据. Plain rows (text id, real date, plain number) take a fast path;
        everything else goes through the general cell readers and their messages."""
        if table is None:
            return []
        spec = OBSERVATIONS
        rows = self.raw.sheets[spec.name].rows
        col_id, col_date, col_value = (
            table.columns["indicator_id"],
            table.columns["date"],
            table.columns["value"],
        )
        col_note = table.columns.get("note")
        width = max(col_id, col_date, col_value, col_note or 0) + 1
        broken_rows = {row for sheet, row, _ in self.broken if sheet == spec.name}
        plain_ids: dict[str, Indicator | None] = {}
        seen: dict[tuple[str, datetime.date], int] = {}
        as_of = meta.as_of if meta is not None else datetime.date.max
        accepted: list[Observation] = []
        isfinite, date_type, make, append = (
            math.isfinite,
            datetime.date,
            Observation,
            accepted.append,
        )
        for index in range(table.header_row, len(rows)):
            cells = rows[index]
            if len(cells) >= width:
                raw_id, raw_date, raw_value = cells[col_id], cells[col_date], cells[col_value]
                if (
                    type(raw_date) is date_type
                    and type(raw_value) is float
                    and type(raw_id) is str
                    and _MIN_DAY <= raw_date <= _MAX_DAY
                    and isfinite(raw_value)
                    and (index + 1) not in broken_rows
                ):
                    if raw_id in plain_ids:
                        indicator = plain_ids[raw_id]
                    else:
                        indicator = indicators.get(read_indicator_id(raw_id))
                        plain_ids[raw_id] = indicator
                    if indicator is not None:
                        note = cells[col_note] if col_note is not None else ""
                        if note != "":
                            note = read_text(note.strip() if type(note) is str else note)
                        obs = make(indicator.id, raw_date, raw_value, None, "", note, index + 1)
                        key = (obs.indicator_id, raw_date)
                        if key in seen or raw_date > as_of:
                            self._accept(obs, seen, as_of, accepted)  # words the warning
                        else:
                            seen[key] = index + 1
                            append(obs)
                        continue
            record = table.record_at(rows, index)
            if record is not None:
                obs_or_none = self._observation(record, indicators)
                if obs_or_none is not None:
                    self._accept(obs_or_none, seen, as_of, accepted)
        return accepted

    def _accept(
        self,
        obs: Observation,
        seen: dict[tuple[str, datetime.date], int],
        as_of: datetime.date,
        accepted: list[Observation],
    ) -> None:
        key = (obs.indicator_id, obs.date)
        if key in seen:
            self.log.warning(
                OBSERVATIONS.name,
                obs.row,
                "日期",
                f"指标“{obs.indicator_id}”在 {obs.date.isoformat()} 已有一条数据"
                f"（第 {seen[key]} 行）：计算时采用靠下的这一行",
            )
        seen[key] = obs.row
        if obs.date > as_of:
            self.log.warning(
                OBSERVATIONS.name,
                obs.row,
                "日期",
                f"日期 {obs.date.isoformat()} 晚于概况中的截至日期 {as_of.isoformat()}："
                "请核对日期，或更新截至日期",
            )
        accepted.append(obs)

    def _observation(self, record: Record, indicators: dict[str, Indicator]) -> Observation | None:
        spec = OBSERVATIONS
        ok, ind_id = self._cell(spec, record, "indicator_id", read_indicator_id, required=True)
        indicator = indicators.get(ind_id) if ind_id else None
        if ind_id and indicator is None:
            if ind_id not in self.failed_indicators:
                self.log.error(
                    spec.name,
                    record.row,
                    "指标编号",
                    f"指标编号“{ind_id}”在工作表“指标”中不存在：请先在“指标”中添加该指标",
                )
            ok = False
        good, day = self._cell(spec, record, "date", self._date_reader(), required=True)
        ok = ok and good
        good, pair = self._cell(
            spec,
            record,
            "value",
            _quantity_reader(indicator.unit) if indicator is not None else _any_quantity,
            required=True,
            missing="未填写“数值”：请填写数字，如 67.7、67.7%、9.62万、2500余",
        )
        if not (ok and good) or indicator is None or day is None or pair is None:
            return None
        value, quantity = pair
        return Observation(
            indicator_id=indicator.id,
            date=day,
            value=value,
            qualifier=quantity.qualifier,
            text=quantity.text,
            note=read_text(record.values.get("note")),
            row=record.row,
        )

    # -- cross-checks -----------------------------------------------------------------

    def _check_reported_counts(self, meta: Meta, tasks: dict[int, Task]) -> None:
        """报告任务数 / 报告已完成数 repeat what the task table says. When they disagree the
        task table wins and the count is only a warning: a status change alone (one more
        task 已完成) must be publishable without also editing 概况."""
        if self.log.has_errors:
            return  # counts from a partly unreadable sheet would only confuse
        total = len(tasks)
        completed = sum(1 for t in tasks.values() if t.complete)
        checks = (
            ("reported_total", "报告任务数", meta.reported_total, total, "任务共"),
            (
                "reported_completed",
                "报告已完成数",
                meta.reported_completed,
                completed,
                "已完成（含长期坚持）的任务有",
            ),
        )
        for field, label, reported, counted, what in checks:
            if reported is None or reported == counted:
                continue
            self.log.warning(
                META.name,
                self.meta_rows.get(field),
                "内容",
                f"概况的“{label}”填的是 {reported}，但工作表“任务”中{what} {counted} 项："
                f"{USES_TASK_TABLE}（按 {counted} 项计算）。请把“{label}”改为 {counted}，"
                "或清空不填",
            )


USES_TASK_TABLE = "看板以“任务”表为准"


def reported_count_warnings(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """The warnings that a 概况 count disagrees with the task table (shown prominently
    when reviewing an upload: the dashboard will not show the count staff typed)."""
    return tuple(
        p
        for p in problems
        if not p.is_error and p.sheet == META.name and USES_TASK_TABLE in p.message
    )


def _quantity_reader(unit: Unit | None) -> Callable[[object], tuple[float, Quantity]]:
    return lambda value: read_quantity(value, unit)


def _any_quantity(value: object) -> tuple[float, Quantity]:
    """A number whose indicator is unknown: check it reads, whatever its unit."""
    try:
        quantity = parse_quantity(value)
    except QuantityError as exc:
        raise CellError(str(exc)) from None
    return quantity.number, quantity


def _read_unit(value: object) -> Unit:
    try:
        return parse_unit(read_text(value))
    except UnitError as exc:
        raise CellError(str(exc)) from None


def _as_date(value: object) -> datetime.date:
    assert isinstance(value, datetime.date)
    return value


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) else None
