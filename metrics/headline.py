"""The headline figures of the overview, and the report-style summary sentence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from metrics.progress import IndicatorStatus, Scored
from metrics.rollup import overall
from metrics.summary import rate_text


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
    indicators_met: int = 0
    indicators_with_target: int = 0

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate)

    @property
    def as_of_text(self) -> str:
        return chinese_date(self.as_of)

    @property
    def sentence(self) -> str:
        """ "截至2021年5月31日，35项整改任务已完成30项，正在整改5项，整改率85.7%。"."""
        parts = [f"截至{self.as_of_text}，{self.total}项整改任务已完成{self.completed}项"]
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
    )


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rate_delta(before: Headline, after: Headline) -> str | None:
    """ "+2.9个百分点" since the previous version; None when either rate is undefined."""
    if before.rate is None or after.rate is None:
        return None
    points = round((after.rate - before.rate) * 100, 1)
    return f"{points:+.1f}个百分点（较上一版本）"
