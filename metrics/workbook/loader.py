"""Load a workbook: read it, validate every rule, and build the ``Dataset``.

``load_workbook`` never raises on bad input. It returns every problem found at
once (errors block publishing, warnings do not), each with sheet, Excel row,
column header and a Chinese message, and a ``Dataset`` only when there is no error.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from metrics.contract import (
    CONTRACT_SHEETS,
    DATA_SHEETS,
    INDICATORS,
    META,
    META_KEYS,
    OBSERVATIONS,
    OPTIONAL_SHEETS,
    PROGRESS,
    REPORT_TEXT,
    TASKS,
    Direction,
    SheetSpec,
    TargetKind,
    normalise_header,
)
from metrics.model import (
    Dataset,
    Indicator,
    Meta,
    Observation,
    ProgressEntry,
    ReportParagraph,
    Task,
)
from metrics.problems import Problem, ProblemLog
from metrics.values.cells import (
    CellError,
    read_text,
)
from metrics.workbook.cell_readers import CellReader
from metrics.workbook.cross_checks import USES_TASK_TABLE, check_meta_rules, check_reported_counts
from metrics.workbook.observation_rows import ObservationRows
from metrics.workbook.ooxml import column_letter
from metrics.workbook.progress_rows import ProgressRows
from metrics.workbook.reader import RawWorkbook, Source, WorkbookReadError, read_workbook
from metrics.workbook.report_text_rows import ReportTextRows
from metrics.workbook.table import Record, Table, locate_table
from metrics.workbook.task_rows import TaskRows

MAX_CELL_CHARS = 32_767  # Excel's own limit


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
    with no_gc_pauses():
        try:
            raw = read_workbook(source, [spec.name for spec in CONTRACT_SHEETS])
        except WorkbookReadError as exc:
            log.error("", None, None, str(exc))
            return LoadResult(None, log.result())
        return _Loader(raw, log).run()


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
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
        self.cells = CellReader(log, self.broken, raw.date1904)

    # -- driver ------------------------------------------------------------------------

    def run(self) -> LoadResult:
        tables = {spec.name: self._table(spec) for spec in DATA_SHEETS}
        tables.update({spec.name: self._optional_table(spec) for spec in OPTIONAL_SHEETS})
        self._report_cell_issues(tables)
        self._report_overlong_cells()
        meta = self._meta(tables[META.name])
        tasks = self._tasks(tables[TASKS.name], meta)
        indicators = self._indicators(tables[INDICATORS.name], tasks is not None)
        observations = self._observations(tables[OBSERVATIONS.name], indicators, meta)
        progress = self._progress(tables[PROGRESS.name], tasks is not None, meta)
        paragraphs = self._paragraphs(tables[REPORT_TEXT.name])
        if meta is not None and tasks is not None:
            check_reported_counts(self.log, meta, tasks, self.meta_rows)
        if self.log.has_errors or meta is None or tasks is None:
            return LoadResult(None, self.log.result())
        dataset = Dataset(
            meta,
            tuple(tasks.values()),
            tuple(indicators.values()),
            tuple(observations),
            tuple(progress),
            tuple(paragraphs),
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

    def _optional_table(self, spec: SheetSpec) -> Table | None:
        """An optional sheet: absent (or left entirely blank) is no problem; when it has
        content, its header and required columns are checked like a data sheet's."""
        sheet = self.raw.sheets.get(spec.name)
        if sheet is None or not any(v != "" and v is not None for row in sheet.rows for v in row):
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
            spec = next(s for s in CONTRACT_SHEETS if s.name == name)
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
        limit = MAX_CELL_CHARS
        for name, sheet in self.raw.sheets.items():
            # One flat pass finds whether the sheet has any: almost never.
            if not [v for row in sheet.rows for v in row if type(v) is str and len(v) > limit]:
                continue
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
                parsed[key.field] = self.cells.read_meta(key.kind, raw)
            except CellError as exc:
                self.log.error(META.name, row, "内容", f"“{key.label}”：{exc}")
                ok = False
        ok = check_meta_rules(self.log, parsed, rows) and ok
        if not ok:
            return None
        return Meta(
            title=str(parsed["title"]),
            organisation=str(parsed["organisation"]),
            as_of=_as_date(parsed["as_of"]),
            feedback_date=_as_date(parsed["feedback_date"]),
            reported_total=_as_int(parsed.get("reported_total")),
            reported_completed=_as_int(parsed.get("reported_completed")),
            inspection_team=str(parsed.get("inspection_team") or "").strip(),
            inspection_start=_as_optional_date(parsed.get("inspection_start")),
            inspection_end=_as_optional_date(parsed.get("inspection_end")),
            blue_days=_as_int(parsed.get("blue_days")),
            red_after_yellow_rounds=_as_int(parsed.get("red_after_yellow_rounds")),
        )

    # -- 任务 ------------------------------------------------------------------------------

    def _tasks(self, table: Table | None, meta: Meta | None) -> dict[int, Task] | None:
        if table is None:
            return None
        rows = TaskRows(self.cells, meta)
        tasks = rows.read(table, self.raw.sheets[TASKS.name].rows)
        self.task_ids = rows.task_ids
        return tasks

    # -- 指标 ------------------------------------------------------------------------------

    def _indicators(self, table: Table | None, have_tasks: bool) -> dict[str, Indicator]:
        spec = INDICATORS
        indicators: dict[str, Indicator] = {}
        first_row: dict[str, int] = {}
        cell = self.cells.read
        for record in self._records(spec, table):
            ok, ind_id = cell(spec, record, "id", required=True)
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
            good, task_id = cell(spec, record, "task_id", required=True)
            ok = ok and good
            if task_id is not None and have_tasks and task_id not in self.task_ids:
                self.log.error(
                    spec.name,
                    record.row,
                    "任务编号",
                    f"任务编号 {task_id} 在工作表“任务”中不存在：请填写已有任务的编号",
                )
                ok = False
            good, name = cell(spec, record, "name", required=True)
            ok = ok and good
            good, unit = cell(spec, record, "unit", required=False)
            ok = ok and good
            if good and unit is None:
                self.log.warning(
                    spec.name, record.row, "单位", "未填写单位：图表和数值将不显示单位"
                )
            good, direction = cell(spec, record, "direction", required=True)
            ok = ok and good
            numbers: dict[str, float | None] = {}
            for field in ("baseline", "target"):
                good, pair = cell(spec, record, field, required=False, unit=unit)
                ok = ok and good
                numbers[field] = pair[0] if pair is not None else None
            dates: dict[str, datetime.date | None] = {}
            for field in ("baseline_date", "target_date"):
                good, day = cell(spec, record, field, required=False)
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
            kind = self._target_kind(spec, record)
            ok = ok and kind is not None
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
                target_kind=kind or TargetKind.GOAL,
            )
        return indicators

    def _target_kind(self, spec: SheetSpec, record: Record) -> TargetKind | None:
        """目标性质: empty is 目标; anything else is one of the TargetKind words."""
        written = read_text(record.values.get("target_kind"))
        if not written:
            return TargetKind.GOAL
        try:
            return TargetKind(written)
        except ValueError:
            choices = " / ".join(k.value for k in TargetKind)
            self.log.error(
                spec.name, record.row, "目标性质", f"无法识别“{written}”：请填写 {choices}，或留空"
            )
            return None

    # -- 数据 ------------------------------------------------------------------------------

    def _observations(
        self, table: Table | None, indicators: dict[str, Indicator], meta: Meta | None
    ) -> list[Observation]:
        if table is None:
            return []
        rows = ObservationRows(self.cells, self.failed_indicators, indicators, meta)
        return rows.read(table, self.raw.sheets[OBSERVATIONS.name].rows)

    # -- 进展 ------------------------------------------------------------------------------

    def _progress(
        self, table: Table | None, have_tasks: bool, meta: Meta | None
    ) -> list[ProgressEntry]:
        if table is None:
            return []
        rows = ProgressRows(self.cells, self.task_ids if have_tasks else None, meta)
        return rows.read(table, self.raw.sheets[PROGRESS.name].rows)

    # -- 报告段落 ----------------------------------------------------------------------------

    def _paragraphs(self, table: Table | None) -> list[ReportParagraph]:
        if table is None:
            return []
        return ReportTextRows(self.cells).read(table, self.raw.sheets[REPORT_TEXT.name].rows)


def reported_count_warnings(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """The warnings that a 概况 count disagrees with the task table (shown prominently
    when reviewing an upload: the dashboard will not show the count staff typed)."""
    return tuple(
        p
        for p in problems
        if not p.is_error and p.sheet == META.name and USES_TASK_TABLE in p.message
    )


def _as_date(value: object) -> datetime.date:
    assert isinstance(value, datetime.date)
    return value


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _as_optional_date(value: object) -> datetime.date | None:
    return value if isinstance(value, datetime.date) else None
