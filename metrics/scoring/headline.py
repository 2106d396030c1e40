"""The headline figures of the overview, and the report-style summary sentence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from metrics.scoring.progress import IndicatorStatus, Scored
from metrics.scoring.rollup import Tally, overall, tally
from metrics.scoring.summary import rate_text


@dataclass(frozen=True, slots=True)
class Headline:
    title: str
    organisation: str
    as_of: datetime.date
    total: int
    completed: int
    in_progress: int
    not_started: int
    rate: float | None
    overdue: int = 0
    indicators_met: int = 0  # targets reached (已达标)
    indicators_with_target: int = 0  # every indicator with a target, with data or not
    # Targets with at least one figure: what 已达标 is counted among ("2 / 5 个").
    indicators_with_data: int = 0
    # Targets without any figure yet (无数据), and how many of them are not yet due
    # (target date after the as-of date): mostly plans and forecasts.
    targets_without_data: int = 0
    targets_not_yet_due: int = 0
    # The counts beside the rate (基本完成, 申请延期 … too); None: the four fields above.
    tally: Tally | None = None

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate)

    @property
    def as_of_text(self) -> str:
        return chinese_date(self.as_of)

    @property
    def met_text(self) -> str:
        """ "2 / 5 个": targets met among the targets that have data."""
        return f"{self.indicators_met} / {self.indicators_with_data} 个"

    @property
    def without_data_text(self) -> str:
        """ "另有12个目标尚无数据（其中9个为目标日期未到的计划数）"; "" if none."""
        waiting, not_due = self.targets_without_data, self.targets_not_yet_due
        if not waiting:
            return ""
        text = f"另有{waiting}个目标尚无数据"
        if not_due == waiting:
            return f"{text}（均为目标日期未到的计划数）"
        if not_due:
            return f"{text}（其中{not_due}个为目标日期未到的计划数）"
        return text

    @property
    def sentence(self) -> str:
        """ "截至2021年5月31日，35项整改任务已完成30项，正在整改5项，整改率85.7%。";
        基本完成, 申请延期 (and 长期坚持 where it does not count as complete) are listed
        beside the others, statuses without a task left out."""
        parts = [f"截至{self.as_of_text}，{self.total}项整改任务已完成{self.completed}项"]
        if self.tally is not None:
            parts += [f"{p.word}{p.count}项" for p in self.tally.parts if p.status is not None]
        else:
            if self.in_progress:
                parts.append(f"正在整改{self.in_progress}项")
            if self.not_started:
                parts.append(f"尚未启动{self.not_started}项")
        parts.append(f"整改率{self.rate_text}")
        return "，".join(parts) + "。"


def headline(scored: Scored) -> Headline:
    meta = scored.meta
    whole = overall(scored)
    c = whole.completion
    without_data = [ip for ip in scored.indicators if ip.status is IndicatorStatus.NO_DATA]
    return Headline(
        title=meta.title,
        organisation=meta.organisation,
        as_of=meta.as_of,
        total=c.total,
        completed=c.completed,
        in_progress=c.in_progress,
        not_started=c.not_started,
        rate=c.rate,
        overdue=c.overdue,
        indicators_met=whole.indicator_statuses[IndicatorStatus.MET],
        indicators_with_target=whole.indicators_with_target,
        indicators_with_data=whole.indicators_with_target - len(without_data),
        targets_without_data=len(without_data),
        targets_not_yet_due=sum(
            1
            for ip in without_data
            if ip.indicator.target_date is not None and ip.indicator.target_date > meta.as_of
        ),
        tally=tally(c),
    )


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rate_delta(before: Headline, after: Headline) -> str | None:
    """ "+2.9个百分点（较上一版本）"; None when either rate is undefined."""
    return points_delta(before.rate, after.rate, "上一版本")


def points_delta(before: float | None, after: float | None, then: str) -> str | None:
    """A rate's change for a card, "+2.9个百分点（较上期）" or "持平（较上期）" (``then``:
    "上期", "上一版本"); None when either rate is undefined."""
    if before is None or after is None:
        return None
    points = round((after - before) * 100, 1)
    if points == 0:
        return f"持平（较{then}）"  # no arrow: "+0.0" would read as a rise
    return f"{points:+.1f}个百分点（较{then}）"
