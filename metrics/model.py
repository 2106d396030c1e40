"""The domain model: what a validated workbook means, in English field names."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from metrics.contract import Direction, ExtensionDecision, ReportPart, TargetKind, TaskStatus
from metrics.values.qualifiers import ABOUT, Qualifier
from metrics.values.units import Unit


@dataclass(frozen=True, slots=True)
class Meta:
    title: str
    organisation: str
    as_of: datetime.date  # all time-based maths uses this, never the wall clock
    feedback_date: datetime.date  # start of the rectification period
    reported_total: int | None = None
    reported_completed: int | None = None
    # Who inspected and when (optional; the Word report's opening paragraph).
    inspection_team: str = ""
    inspection_start: datetime.date | None = None
    inspection_end: datetime.date | None = None
    # Supervision rules set in 概况 (None: the deployment's setting).
    blue_days: int | None = None  # 蓝色预警天数
    red_after_yellow_rounds: int | None = None  # 连续黄色转红轮数


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    category: str  # 方面
    problem: str  # 问题
    title: str  # 任务
    status: TaskStatus
    measures: str = ""
    lead_unit: str = ""
    responsible_units: str = ""
    responsible_leader: str = ""
    deadline: datetime.date | None = None
    completed_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    note: str = ""
    row: int = 0  # Excel row in 任务
    extension_to: datetime.date | None = None  # 申请延期至 (only with 申请延期)
    extension_decision: ExtensionDecision | None = None  # 延期决定; None: not filled in

    @property
    def complete(self) -> bool:
        """Complete under the default counting rule (see ``TaskStatus.complete``)."""
        return self.status.complete

    @property
    def extension_granted(self) -> bool:
        """A 申请延期 the office granted (同意) with a new date."""
        return (
            self.status is TaskStatus.EXTENSION_REQUESTED
            and self.extension_decision is ExtensionDecision.GRANTED
            and self.extension_to is not None
        )

    @property
    def effective_deadline(self) -> datetime.date | None:
        """The deadline overdue and warnings are computed against: 申请延期至 once the
        extension is granted, else 整改时限 as typed."""
        return self.extension_to if self.extension_granted else self.deadline


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    task_id: int
    name: str
    unit: Unit | None
    direction: Direction
    baseline: float | None = None
    baseline_date: datetime.date | None = None
    target: float | None = None
    target_date: datetime.date | None = None
    source: str = ""
    note: str = ""
    row: int = 0  # Excel row in 指标
    target_kind: TargetKind = TargetKind.GOAL  # what the report calls the target figure

    @property
    def unit_symbol(self) -> str:
        return self.unit.symbol if self.unit is not None else ""


class _ObservationFields(NamedTuple):
    indicator_id: str
    date: datetime.date
    value: float  # in the indicator's unit
    qualifier: Qualifier | None = None  # "2500余" -> 余 after the number; None: exact
    text: str = ""  # the cell as written
    note: str = ""
    row: int = 0  # Excel row in 数据


class Observation(_ObservationFields):
    """One figure of one indicator (a NamedTuple: 100,000 of them load fast).

    ``qualifier`` keeps the word written with the figure ("6200余", "约60", "60左右")
    and where it goes; ``approximate`` says whether there is one. For older callers,
    ``Observation(..., approximate=True)`` without a qualifier means "约" (``ABOUT``).
    """

    __slots__ = ()

    def __new__(
        cls,
        indicator_id: str,
        date: datetime.date,
        value: float,
        qualifier: Qualifier | None = None,
        text: str = "",
        note: str = "",
        row: int = 0,
        *,
        approximate: bool = False,
    ) -> Observation:
        if approximate and qualifier is None:
            qualifier = ABOUT
        # tuple.__new__ directly: one Python call per row on the loader's fast path.
        return tuple.__new__(cls, (indicator_id, date, value, qualifier, text, note, row))

    @property
    def approximate(self) -> bool:
        """Written with a qualifier word ("余", "约", "左右" ...): not an exact figure."""
        return self.qualifier is not None


@dataclass(frozen=True, slots=True)
class ProgressEntry:
    """One progress report of one task in one reporting round (a row of 进展)."""

    task_id: int
    round: str  # 轮次, e.g. "2021年6月进展"
    date: datetime.date  # the as-of date the entry reports on
    text: str  # 进展情况
    unit: str = ""  # 报送单位
    evidence: str = ""  # 佐证材料: file names separated by "、"
    note: str = ""
    row: int = 0  # Excel row in 进展


@dataclass(frozen=True, slots=True)
class ReportParagraph:
    """A paragraph of the Word report that is not about one task (a row of 报告段落):
    the work done (part 一), the next steps (part 三) or the closing lines."""

    part: ReportPart
    heading: str  # 小标题, "" for a paragraph without a number
    text: str  # 内容
    source: str = ""
    note: str = ""
    row: int = 0  # Excel row in 报告段落


@dataclass(frozen=True, slots=True)
class Dataset:
    """A validated workbook. Observations are sorted by (indicator, date, row).

    ``progress`` (the optional 进展 sheet) is in sheet order; ``progress_of`` gives one
    task's entries oldest first. ``paragraphs`` (the optional 报告段落 sheet) are in
    sheet order.
    """

    meta: Meta
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    observations: tuple[Observation, ...]
    progress: tuple[ProgressEntry, ...] = ()
    paragraphs: tuple[ReportParagraph, ...] = ()
    _by_task: Mapping[int, tuple[Indicator, ...]] = field(init=False, repr=False, compare=False)
    _history: Mapping[str, tuple[Observation, ...]] = field(init=False, repr=False, compare=False)
    _progress: Mapping[int, tuple[ProgressEntry, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_task: dict[int, list[Indicator]] = {}
        for indicator in self.indicators:
            by_task.setdefault(indicator.task_id, []).append(indicator)
        history: dict[str, list[Observation]] = {}
        for obs in self.observations:
            history.setdefault(obs.indicator_id, []).append(obs)
        for items in history.values():
            # Usually already in order (staff append rows): timsort is then linear.
            items.sort(key=_date_then_row)
        object.__setattr__(self, "_by_task", {k: tuple(v) for k, v in by_task.items()})
        object.__setattr__(self, "_history", {k: tuple(v) for k, v in history.items()})
        progress: dict[int, list[ProgressEntry]] = {}
        for entry in self.progress:
            progress.setdefault(entry.task_id, []).append(entry)
        object.__setattr__(
            self,
            "_progress",
            {k: tuple(sorted(v, key=_date_then_row)) for k, v in progress.items()},
        )

    def task(self, task_id: int) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def indicators_of(self, task_id: int) -> tuple[Indicator, ...]:
        return self._by_task.get(task_id, ())

    def history(self, indicator_id: str) -> tuple[Observation, ...]:
        """Observations of one indicator, oldest first."""
        return self._history.get(indicator_id, ())

    def progress_of(self, task_id: int) -> tuple[ProgressEntry, ...]:
        """The progress entries of one task, oldest first (by date, then Excel row)."""
        return self._progress.get(task_id, ())


_date_then_row = attrgetter("date", "row")
