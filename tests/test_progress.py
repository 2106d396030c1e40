"""Progress maths on hand-built domain objects (no workbook involved)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from metrics.contract import Direction, TaskStatus
from metrics.model import Dataset, Indicator, Meta, Observation, Task
from metrics.scoring.progress import (
    IndicatorStatus,
    TaskColour,
    Trend,
    score,
    score_indicator,
    score_task,
)
from metrics.scoring.rollup import UNASSIGNED_UNIT, by_category, by_lead_unit, by_problem, overall
from metrics.values.units import parse_unit

D = datetime.date
META = Meta("t", "o", as_of=D(2021, 5, 31), feedback_date=D(2021, 2, 4))


def ind(direction: Direction = Direction.HIGHER_IS_BETTER, **kw: Any) -> Indicator:
    fields: dict[str, Any] = {"id": "X", "task_id": 1, "name": "n", "unit": parse_unit("个")}
    fields.update(kw)
    return Indicator(direction=direction, **fields)


def obs(day: datetime.date, value: float) -> Observation:
    return Observation("X", day, value)


def test_lower_is_better_met_at_target() -> None:
    pm = ind(Direction.LOWER_IS_BETTER, target=54.0, target_date=D(2020, 12, 31))
    result = score_indicator(pm, (obs(D(2020, 12, 31), 52.0),), META)
    assert result.status is IndicatorStatus.MET
    assert result.progress == 1.0
    assert result.value == 52.0


def test_lower_is_better_not_met_uses_earlier_value_as_baseline() -> None:
    pm = ind(Direction.LOWER_IS_BETTER, target=54.0, target_date=D(2021, 12, 31))
    history = (obs(D(2021, 1, 31), 64.0), obs(D(2021, 4, 30), 60.0))
    result = score_indicator(pm, history, META)
    # progress (60-64)/(54-64) = 0.4
    assert result.progress == pytest.approx(0.4)
    assert result.baseline == 64.0
    assert result.trend is Trend.IMPROVING


def test_investment_ahead_of_the_calendar() -> None:
    """87.6 of 211 (41.5%) by 30 April, with about 33% of the year gone: on track."""
    money = ind(
        unit=parse_unit("亿元"),
        baseline=0.0,
        baseline_date=D(2021, 1, 1),
        target=211.0,
        target_date=D(2021, 12, 31),
    )
    result = score_indicator(money, (obs(D(2021, 4, 30), 87.6),), META)
    assert result.progress == pytest.approx(87.6 / 211)
    assert result.expected == pytest.approx(119 / 364)
    assert result.status is IndicatorStatus.ON_TRACK


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (50.0, IndicatorStatus.ON_TRACK),  # ratio 1.0
        (47.5, IndicatorStatus.ON_TRACK),  # ratio 0.95: the boundary is on track
        (47.0, IndicatorStatus.BEHIND),  # ratio 0.94
        (30.0, IndicatorStatus.BEHIND),  # ratio 0.60
        (29.0, IndicatorStatus.FAR_BEHIND),  # ratio 0.58
        (-10.0, IndicatorStatus.FAR_BEHIND),  # worse than baseline: progress clamped to 0
        (100.0, IndicatorStatus.MET),
    ],
)
def test_open_sdg_thresholds(value: float, status: IndicatorStatus) -> None:
    # Half of the period elapsed at the observation date: expected 0.5.
    x = ind(baseline=0.0, baseline_date=D(2021, 1, 1), target=100.0, target_date=D(2021, 1, 21))
    result = score_indicator(x, (obs(D(2021, 1, 11), value),), META)
    assert result.expected == pytest.approx(0.5)
    assert result.status is status


def test_expected_is_capped_at_the_as_of_date_and_at_one() -> None:
    x = ind(baseline=0.0, baseline_date=D(2021, 1, 1), target=10.0, target_date=D(2021, 3, 1))
    result = score_indicator(x, (obs(D(2021, 5, 31), 5.0),), META)
    assert result.expected == 1.0
    assert result.status is IndicatorStatus.FAR_BEHIND


def test_higher_is_better_defaults_to_zero_baseline_from_feedback_date() -> None:
    schools = ind(target=35.0, target_date=D(2021, 12, 31))
    result = score_indicator(schools, (obs(D(2021, 5, 31), 11.0),), META)
    assert result.baseline == 0.0 and result.baseline_date == META.feedback_date
    assert result.progress == pytest.approx(11 / 35)


def test_no_target_date_cannot_be_assessed() -> None:
    schools = ind(target=35.0)
    result = score_indicator(schools, (obs(D(2021, 5, 31), 11.0),), META)
    assert result.status is IndicatorStatus.NOT_ASSESSABLE
    assert result.progress == pytest.approx(11 / 35)
    assert "目标日期" in result.reason


def test_lower_is_better_single_value_has_no_baseline() -> None:
    x = ind(Direction.LOWER_IS_BETTER, target=10.0, target_date=D(2021, 12, 31))
    result = score_indicator(x, (obs(D(2021, 5, 31), 20.0),), META)
    assert result.status is IndicatorStatus.NOT_ASSESSABLE
    assert "基期值" in result.reason


def test_monitor_only_and_missing_data() -> None:
    rate = ind(Direction.MONITOR_ONLY)
    history = (obs(D(2021, 4, 30), 70.0), obs(D(2021, 5, 31), 67.7))
    monitored = score_indicator(rate, history, META)
    assert monitored.status is IndicatorStatus.NO_TARGET
    assert monitored.trend is Trend.FALLING
    planned = score_indicator(ind(target=6.0, target_date=D(2021, 12, 31)), (), META)
    assert planned.status is IndicatorStatus.NO_DATA and planned.value is None


def test_trend_steady_and_worsening() -> None:
    x = ind()
    assert score_indicator(x, (obs(D(2021, 1, 1), 5), obs(D(2021, 2, 1), 5)), META).trend is (
        Trend.STEADY
    )
    assert score_indicator(x, (obs(D(2021, 1, 1), 5), obs(D(2021, 2, 1), 4)), META).trend is (
        Trend.WORSENING
    )


def make_task(status: TaskStatus, deadline: datetime.date | None = None, **kw: Any) -> Task:
    return Task(1, "c", "p", "t", status, deadline=deadline, **kw)


@pytest.mark.parametrize(
    ("status", "deadline", "colour", "overdue"),
    [
        (TaskStatus.DONE, D(2021, 1, 1), TaskColour.DONE, False),
        (TaskStatus.ONGOING, None, TaskColour.DONE, False),
        (TaskStatus.IN_PROGRESS, D(2021, 5, 30), TaskColour.RED, True),
        (TaskStatus.IN_PROGRESS, D(2021, 5, 31), TaskColour.YELLOW, False),
        (TaskStatus.IN_PROGRESS, D(2021, 6, 30), TaskColour.YELLOW, False),
        (TaskStatus.NOT_STARTED, D(2021, 7, 1), TaskColour.GREEN, False),
        (TaskStatus.IN_PROGRESS, None, TaskColour.GREY, False),
    ],
)
def test_task_colours(
    status: TaskStatus, deadline: datetime.date | None, colour: TaskColour, overdue: bool
) -> None:
    result = score_task(make_task(status, deadline), (), D(2021, 5, 31))
    assert (result.colour, result.overdue) == (colour, overdue)


def test_lagging_indicator_colours_an_open_task() -> None:
    x = ind(baseline=0.0, baseline_date=D(2021, 1, 1), target=100.0, target_date=D(2021, 1, 21))
    far = score_indicator(x, (obs(D(2021, 1, 11), 10.0),), META)
    behind = score_indicator(x, (obs(D(2021, 1, 11), 40.0),), META)
    open_task = make_task(TaskStatus.IN_PROGRESS, D(2021, 12, 31))
    assert score_task(open_task, (far,), META.as_of).colour is TaskColour.RED
    assert score_task(open_task, (behind,), META.as_of).colour is TaskColour.YELLOW
    done = make_task(TaskStatus.DONE)
    assert score_task(done, (far,), META.as_of).colour is TaskColour.DONE


def test_rollups() -> None:
    tasks = (
        Task(1, "A", "a1", "t1", TaskStatus.DONE, lead_unit="甲"),
        Task(2, "A", "a1", "t2", TaskStatus.IN_PROGRESS, lead_unit="乙"),
        Task(3, "A", "a2", "t3", TaskStatus.ONGOING, lead_unit="乙"),
        Task(4, "B", "b1", "t4", TaskStatus.NOT_STARTED, deadline=D(2021, 1, 1)),
    )
    data = Dataset(META, tasks, (ind(task_id=2, target=5.0),), ())
    scored = score(data)
    whole = overall(scored)
    c = whole.completion
    assert (c.total, c.completed, c.done, c.ongoing, c.in_progress, c.not_started) == (
        4,
        2,
        1,
        1,
        1,
        1,
    )
    assert c.rate == 0.5 and c.overdue == 1
    assert whole.indicator_statuses[IndicatorStatus.NO_DATA] == 1
    assert whole.colours[TaskColour.RED] == 1
    assert [(g.key, g.completion.total) for g in by_category(scored)] == [("A", 3), ("B", 1)]
    assert [g.key for g in by_problem(scored)] == ["a1", "a2", "b1"]
    ranking = by_lead_unit(scored)
    assert [(g.key, g.completion.rate) for g in ranking] == [
        ("甲", 1.0),
        ("乙", 0.5),
        (UNASSIGNED_UNIT, 0.0),
    ]


def test_same_problem_name_under_two_categories_stays_apart() -> None:
    tasks = (
        Task(1, "A", "1.同名", "t1", TaskStatus.DONE),
        Task(2, "B", "1.同名", "t2", TaskStatus.DONE),
    )
    scored = score(Dataset(META, tasks, (), ()))
    assert [g.task_ids for g in by_problem(scored)] == [(1,), (2,)]


def test_empty_dataset_has_no_rate() -> None:
    assert overall(score(Dataset(META, (), (), ()))).completion.rate is None
