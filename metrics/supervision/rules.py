"""督办三色 by rule: each open task is red, yellow, blue or uncoloured, with the rule(s)
that gave its colour in words. Complete tasks (as the deployment counts them) get none.

- 红 (red): past its effective deadline (申请延期至 once granted, else 整改时限), or
  yellow in the latest N rounds in a row (``red_after_yellow_rounds``, default 2).
- 黄 (yellow): an indicator 进度滞后 or 严重滞后; a unit of the task (lead or
  responsible) did not report the latest round by its due date; the task's 销号
  request was returned in the latest round.
- 蓝 (blue): due within ``blue_days`` days of the as-of date (0 = due that day).

"Yellow in N rounds in a row" needs no stored colours: the latest round's yellow is
today's; each earlier round's is recomputed from recorded data: its late units and
returned 销号 requests (``RoundFacts``), and the task's indicators scored at that
round's as-of date from the 数据 rows dated up to it.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from metrics.rounds.units import unit_key, units_of_task
from metrics.scoring.counting import DEFAULT_COUNTING, Counting
from metrics.scoring.progress import (
    IndicatorProgress,
    IndicatorStatus,
    Scored,
    TaskProgress,
    score_indicator,
)
from metrics.supervision.model import RoundFacts, RoundsFacts, TaskWarning, WarningColour
from metrics.supervision.settings import SupervisionSettings

_BEHIND = frozenset({IndicatorStatus.BEHIND, IndicatorStatus.FAR_BEHIND})
_NUMERALS = "零一两三四五六七八九十"


def colours(
    scored: Scored,
    facts: RoundsFacts | None = None,
    settings: SupervisionSettings | None = None,
) -> dict[int, TaskWarning]:
    """task id → its warning, for every open task that has a colour (absent: none).

    ``facts`` None: no rounds (yellow only from indicators, red only from deadlines).
    ``settings`` None: the deployment's (``SupervisionSettings.logged_from_env``); the
    workbook's 概况 keys override either."""
    rules = effective_settings(scored, settings)
    facts = facts if facts is not None else RoundsFacts()
    found: dict[int, TaskWarning] = {}
    for tp in scored.tasks:
        if tp.complete:
            continue
        task = tp.task
        red: list[str] = []
        if tp.overdue:
            red.append(f"已超过{_deadline_words(task.extension_granted)}（{_deadline_text(tp)}）")
        latest = facts.latest
        yellow = _yellow(task.id, units_of_task(task), tp.indicators, latest, rules)
        run = rules.red_after_yellow_rounds
        if yellow and run and latest is not None and len(facts.rounds) >= run:
            earlier = facts.rounds[-run:-1]
            if all(
                _yellow(task.id, units_of_task(task), _indicators_at(scored, task.id, r), r, rules)
                for r in earlier
            ):
                names = "、".join(f"“{r.name}”" for r in facts.rounds[-run:])
                red.append(f"连续{_count_words(run)}轮黄色（{names}）")
        if red:
            found[task.id] = TaskWarning(task.id, WarningColour.RED, tuple(red))
        elif yellow:
            found[task.id] = TaskWarning(task.id, WarningColour.YELLOW, tuple(yellow))
        elif rules.blue_days and tp.days_left is not None and 0 <= tp.days_left <= rules.blue_days:
            found[task.id] = TaskWarning(task.id, WarningColour.BLUE, (_blue_reason(tp),))
    return found


def effective_settings(
    scored: Scored, settings: SupervisionSettings | None = None
) -> SupervisionSettings:
    """The rules that apply to ``scored``: ``settings`` (None: the deployment's) with
    the workbook's 概况 keys over them."""
    base = settings if settings is not None else SupervisionSettings.logged_from_env()
    return base.with_meta(scored.meta)


def active_rules(
    settings: SupervisionSettings, counting: Counting = DEFAULT_COUNTING
) -> tuple[str, ...]:
    """The rules in force, one line per colour ("红色：已超过整改时限，或连续两轮黄色"),
    then which tasks get no colour."""
    red = ["已超过整改时限（申请延期获同意的，按延期后的时限）"]
    if settings.red_after_yellow_rounds:
        run = _count_words(settings.red_after_yellow_rounds)
        red.append(f"连续{run}轮黄色{_from(settings.red_rounds_from)}")
    yellow = []
    if settings.yellow_behind:
        yellow.append("有指标进度滞后（慢于序时进度）")
    if settings.yellow_late_report:
        yellow.append("责任单位逾期未报送最近一轮进展")
    if settings.yellow_returned_close:
        yellow.append("销号申请在最近一轮被退回")
    blue = (
        f"距整改时限{settings.blue_days}天以内（含当天）{_from(settings.blue_days_from)}"
        if settings.blue_days
        else "不启用"
    )
    return (
        f"{WarningColour.RED.label}：" + "，或".join(red),
        f"{WarningColour.YELLOW.label}：" + ("，或".join(yellow) if yellow else "不启用"),
        f"{WarningColour.BLUE.label}：{blue}",
        ("已完成、长期坚持" if counting.ongoing_as_done else "已完成")
        + "的任务不标颜色；一项任务只标最紧急的一种颜色（红、黄、蓝依次）",
    )


def colour_counts(warnings: dict[int, TaskWarning]) -> dict[WarningColour, int]:
    """Every colour, zero included, with how many tasks have it."""
    counts = dict.fromkeys(WarningColour, 0)
    for warning in warnings.values():
        counts[warning.colour] += 1
    return counts


# -- the rules -------------------------------------------------------------------------------


def _yellow(
    task_id: int,
    units: list[str],
    indicators: tuple[IndicatorProgress, ...],
    round_: RoundFacts | None,
    rules: SupervisionSettings,
) -> list[str]:
    """The yellow rules that hold for a task in one round (``round_`` None: no rounds)."""
    reasons: list[str] = []
    behind = sum(1 for ip in indicators if ip.status in _BEHIND)
    if rules.yellow_behind and behind:
        reasons.append(f"进度滞后指标{behind}个")
    if round_ is None:
        return reasons
    if rules.yellow_late_report:
        late_keys = {unit_key(u) for u in round_.late_units}
        late = [u for u in units if unit_key(u) in late_keys]
        if late:
            reasons.append(f"{'、'.join(late)}未按时报送“{round_.name}”（截止{_day(round_.due)}）")
    if rules.yellow_returned_close and task_id in round_.returned_closes:
        reasons.append(f"销号申请在“{round_.name}”被退回")
    return reasons


def _indicators_at(
    scored: Scored, task_id: int, round_: RoundFacts
) -> tuple[IndicatorProgress, ...]:
    """The task's indicators as they stood at the round's as-of date: scored from the
    figures dated up to it."""
    dataset = scored.dataset
    meta = replace(dataset.meta, as_of=round_.as_of)
    return tuple(
        score_indicator(
            indicator,
            tuple(o for o in dataset.history(indicator.id) if o.date <= round_.as_of),
            meta,
        )
        for indicator in dataset.indicators_of(task_id)
    )


def _blue_reason(tp: TaskProgress) -> str:
    which = _deadline_words(tp.task.extension_granted)
    if tp.days_left == 0:
        return f"截至日期已到{which}（{_deadline_text(tp)}）"
    return f"距{which}（{_deadline_text(tp)}）还有{tp.days_left}天"


def _deadline_words(extended: bool) -> str:
    return "延期后的整改时限" if extended else "整改时限"


def _deadline_text(tp: TaskProgress) -> str:
    task = tp.task
    deadline = task.effective_deadline
    assert deadline is not None
    if task.extension_granted and task.deadline is not None:
        return f"{_day(deadline)}，原整改时限{_day(task.deadline)}"
    return _day(deadline)


def _from(source: str) -> str:
    return f"（“{source}”设定）" if source else ""


def _count_words(number: int) -> str:
    """2 → "两", 12 → "十二" (the rule's round counts are 2 to 12)."""
    if number < 11:
        return _NUMERALS[number]
    return "十" + _NUMERALS[number - 10] if number < 20 else str(number)


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
