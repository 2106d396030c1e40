"""Progress maths: where each indicator and task stands on the as-of date.

Formulas (also in the README, section 进度计算):

- progress   p = (v - b) / (t - b), clamped to [0, 1]; v latest value, b baseline,
  t target. Direction is honoured because (t - b) carries the sign: for 越小越好
  both numerator and denominator are negative when things improve.
- expected   e = (d - baseline_date) / (target_date - baseline_date), clamped to
  [0, 1] (序时进度: the share of the period that has elapsed), where d is the date
  the latest figure is as of, capped at the as-of date: a figure for 30 April is
  compared with the time elapsed by 30 April, not by the as-of date.
- status     已达标 when the target is reached (v >= t, or v <= t for 越小越好);
  otherwise by r = p / e: r >= 0.95 正常推进, 0.60 <= r < 0.95 进度滞后,
  r < 0.60 严重滞后 (thresholds modelled on Open SDG); e == 0 counts as on track.
- baseline   基期值 if given; otherwise 0 for 越大越好 (cumulative counts start from
  zero); otherwise the earliest earlier observation. Baseline date: 基期日期, else
  巡视反馈日期 from 概况.
- deadline   a task's effective deadline: 申请延期至 once the extension is granted
  (延期决定 同意), else 整改时限; complete per the deployment's ``Counting``.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from metrics.contract import BEHIND_RATIO, DUE_SOON_DAYS, ON_TRACK_RATIO, Direction
from metrics.model import Dataset, Indicator, Meta, Observation, Task
from metrics.scoring.counting import DEFAULT_COUNTING, Counting

_EPSILON = 1e-9


class IndicatorStatus(enum.StrEnum):
    MET = "已达标"
    ON_TRACK = "正常推进"
    BEHIND = "进度滞后"
    FAR_BEHIND = "严重滞后"
    NOT_ASSESSABLE = "无法评估"
    NO_TARGET = "无目标"
    NO_DATA = "无数据"


class Trend(enum.StrEnum):
    IMPROVING = "改善"
    WORSENING = "恶化"
    RISING = "上升"
    FALLING = "下降"
    STEADY = "持平"


class TaskColour(enum.StrEnum):
    DONE = "完成"
    GREEN = "绿"
    YELLOW = "黄"
    RED = "红"
    GREY = "灰"


@dataclass(frozen=True, slots=True)
class IndicatorProgress:
    indicator: Indicator
    history: tuple[Observation, ...]  # oldest first
    latest: Observation | None
    baseline: float | None
    baseline_date: datetime.date | None
    progress: float | None  # 0..1 toward the target
    expected: float | None  # 0..1 share of the period elapsed
    status: IndicatorStatus
    reason: str  # Chinese: why this status
    trend: Trend | None

    @property
    def value(self) -> float | None:
        return self.latest.value if self.latest is not None else None


@dataclass(frozen=True, slots=True)
class TaskProgress:
    task: Task
    indicators: tuple[IndicatorProgress, ...]
    overdue: bool
    days_left: int | None  # days from as-of date to the effective deadline (negative: past)
    colour: TaskColour
    reason: str  # Chinese: why this colour
    complete: bool  # under the deployment's counting rule (``Counting``)


@dataclass(frozen=True, slots=True)
class Scored:
    """A dataset with every task and indicator scored at ``dataset.meta.as_of``."""

    dataset: Dataset
    tasks: tuple[TaskProgress, ...]
    counting: Counting = DEFAULT_COUNTING

    @property
    def meta(self) -> Meta:
        return self.dataset.meta

    @property
    def indicators(self) -> tuple[IndicatorProgress, ...]:
        return tuple(ip for tp in self.tasks for ip in tp.indicators)

    def task(self, task_id: int) -> TaskProgress | None:
        return next((tp for tp in self.tasks if tp.task.id == task_id), None)


def score(dataset: Dataset, counting: Counting | None = None) -> Scored:
    """Every task and indicator at the as-of date; ``counting`` None: the deployment's
    setting (``ZHENGGAI_COUNT_ONGOING_AS_DONE``)."""
    counting = counting if counting is not None else Counting.logged_from_env()
    meta = dataset.meta
    tasks = []
    for task in dataset.tasks:
        indicators = tuple(
            score_indicator(ind, dataset.history(ind.id), meta)
            for ind in dataset.indicators_of(task.id)
        )
        tasks.append(score_task(task, indicators, meta.as_of, counting))
    return Scored(dataset, tuple(tasks), counting)


def score_indicator(
    indicator: Indicator, history: tuple[Observation, ...], meta: Meta
) -> IndicatorProgress:
    latest = history[-1] if history else None
    trend = _trend(indicator.direction, history)
    baseline, baseline_date = _baseline(indicator, history, meta)

    def result(
        status: IndicatorStatus,
        reason: str,
        progress: float | None = None,
        expected: float | None = None,
    ) -> IndicatorProgress:
        return IndicatorProgress(
            indicator,
            history,
            latest,
            baseline,
            baseline_date,
            progress,
            expected,
            status,
            reason,
            trend,
        )

    target = indicator.target
    if indicator.direction is Direction.MONITOR_ONLY or target is None:
        why = "仅监测指标" if indicator.direction is Direction.MONITOR_ONLY else "未设目标值"
        return result(IndicatorStatus.NO_TARGET, why)
    if latest is None:
        return result(IndicatorStatus.NO_DATA, "尚无数据")
    expected = None
    if indicator.target_date is not None and baseline_date is not None:
        # Expected progress is taken at the date the latest figure is as of (capped at
        # the as-of date): "41.5% done by 30 April" is compared with 33% of the year gone.
        at = min(latest.date, meta.as_of)
        expected = _expected(baseline_date, indicator.target_date, at)
    if _met(indicator.direction, latest.value, target):
        return result(IndicatorStatus.MET, "已达到目标值", 1.0, expected)
    if baseline is None:
        return result(
            IndicatorStatus.NOT_ASSESSABLE,
            "未填写基期值，且没有更早的数据，无法计算进度",
            None,
            expected,
        )
    progress = _progress(latest.value, baseline, target)
    if expected is None:
        return result(IndicatorStatus.NOT_ASSESSABLE, "未填写目标日期，无法计算序时进度", progress)
    status, reason = _compare(progress, expected)
    return result(status, reason, progress, expected)


def score_task(
    task: Task,
    indicators: tuple[IndicatorProgress, ...],
    as_of: datetime.date,
    counting: Counting = DEFAULT_COUNTING,
) -> TaskProgress:
    deadline = task.effective_deadline
    days_left = (deadline - as_of).days if deadline is not None else None
    complete = counting.counts(task.status)
    overdue = not complete and days_left is not None and days_left < 0
    statuses = {ip.status for ip in indicators}
    which = "延期后的整改时限" if task.extension_granted else "整改时限"
    if complete:
        colour, reason = TaskColour.DONE, f"状态为{task.status}"
    elif overdue:
        colour, reason = TaskColour.RED, f"已超过{which} {-(days_left or 0)} 天"
    elif IndicatorStatus.FAR_BEHIND in statuses:
        colour, reason = TaskColour.RED, "有指标严重滞后"
    elif days_left is not None and days_left <= DUE_SOON_DAYS:
        colour, reason = TaskColour.YELLOW, f"距{which}还有 {days_left} 天"
    elif IndicatorStatus.BEHIND in statuses:
        colour, reason = TaskColour.YELLOW, "有指标进度滞后"
    elif days_left is not None:
        colour, reason = TaskColour.GREEN, f"距{which}还有 {days_left} 天"
    else:
        colour, reason = TaskColour.GREY, "未填写整改时限"
    return TaskProgress(task, indicators, overdue, days_left, colour, reason, complete)


def _met(direction: Direction, value: float, target: float) -> bool:
    if direction is Direction.LOWER_IS_BETTER:
        return value <= target + _EPSILON
    return value >= target - _EPSILON


def _baseline(
    indicator: Indicator, history: tuple[Observation, ...], meta: Meta
) -> tuple[float | None, datetime.date | None]:
    """Baseline value and date (see module docstring)."""
    date = indicator.baseline_date or meta.feedback_date
    if indicator.baseline is not None:
        return indicator.baseline, date
    if indicator.direction is Direction.HIGHER_IS_BETTER:
        return 0.0, date
    if len(history) >= 2:
        return history[0].value, indicator.baseline_date or history[0].date
    return None, date


def _progress(value: float, baseline: float, target: float) -> float:
    span = target - baseline
    if abs(span) < _EPSILON:
        return 1.0
    return min(1.0, max(0.0, (value - baseline) / span))


def _expected(start: datetime.date, end: datetime.date, as_of: datetime.date) -> float:
    total = (end - start).days
    if total <= 0:
        return 1.0 if as_of >= end else 0.0
    return min(1.0, max(0.0, (as_of - start).days / total))


def _compare(progress: float, expected: float) -> tuple[IndicatorStatus, str]:
    shown = f"完成进度 {progress:.1%}，序时进度 {expected:.1%}"
    if expected < _EPSILON:
        return IndicatorStatus.ON_TRACK, f"{shown}（考核期尚未开始）"
    ratio = progress / expected
    if ratio >= ON_TRACK_RATIO:
        return IndicatorStatus.ON_TRACK, shown
    if ratio >= BEHIND_RATIO:
        return IndicatorStatus.BEHIND, shown
    return IndicatorStatus.FAR_BEHIND, shown


def _trend(direction: Direction, history: tuple[Observation, ...]) -> Trend | None:
    if len(history) < 2:
        return None
    delta = history[-1].value - history[-2].value
    if abs(delta) <= _EPSILON * max(1.0, abs(history[-2].value)):
        return Trend.STEADY
    if direction is Direction.MONITOR_ONLY:
        return Trend.RISING if delta > 0 else Trend.FALLING
    better = delta > 0 if direction is Direction.HIGHER_IS_BETTER else delta < 0
    return Trend.IMPROVING if better else Trend.WORSENING
