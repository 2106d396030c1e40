"""Roll-ups: completion by 方面, 问题, 牵头单位 and overall."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from metrics.contract import TaskStatus
from metrics.scoring.progress import IndicatorStatus, Scored, TaskColour, TaskProgress

UNASSIGNED_UNIT = "（未填写）"


@dataclass(frozen=True, slots=True)
class Completion:
    total: int
    completed: int  # 已完成 + 长期坚持
    done: int  # 已完成
    ongoing: int  # 长期坚持
    in_progress: int  # 正在整改
    not_started: int  # 未启动
    overdue: int

    @property
    def rate(self) -> float | None:
        """completed / total; None when there are no tasks."""
        return self.completed / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Group:
    key: str  # 方面, 问题 or 牵头单位 text
    completion: Completion
    task_ids: tuple[int, ...]
    indicator_statuses: dict[IndicatorStatus, int]
    parent: str = ""  # the 方面 of a 问题; "" otherwise


@dataclass(frozen=True, slots=True)
class Overall:
    completion: Completion
    indicator_statuses: dict[IndicatorStatus, int]  # every status, zero included
    colours: dict[TaskColour, int]  # every colour, zero included

    @property
    def indicators_total(self) -> int:
        return sum(self.indicator_statuses.values())

    @property
    def indicators_with_target(self) -> int:
        return self.indicators_total - self.indicator_statuses[IndicatorStatus.NO_TARGET]


def completion(tasks: Iterable[TaskProgress]) -> Completion:
    items = list(tasks)
    statuses = Counter(tp.task.status for tp in items)
    return Completion(
        total=len(items),
        completed=sum(1 for tp in items if tp.complete),
        done=statuses[TaskStatus.DONE],
        ongoing=statuses[TaskStatus.ONGOING],
        in_progress=statuses[TaskStatus.IN_PROGRESS],
        not_started=statuses[TaskStatus.NOT_STARTED],
        overdue=sum(1 for tp in items if tp.overdue),
    )


def overall(scored: Scored) -> Overall:
    statuses = Counter(ip.status for ip in scored.indicators)
    colours = Counter(tp.colour for tp in scored.tasks)
    return Overall(
        completion(scored.tasks),
        {s: statuses[s] for s in IndicatorStatus},
        {c: colours[c] for c in TaskColour},
    )


def by_category(scored: Scored) -> list[Group]:
    """Per 方面, in workbook order."""
    return _group(scored, lambda tp: tp.task.category)


def by_problem(scored: Scored) -> list[Group]:
    """Per 问题 (within its 方面), in workbook order; key is the 问题 text."""
    return _group(scored, lambda tp: tp.task.problem, lambda tp: tp.task.category)


def by_lead_unit(scored: Scored) -> list[Group]:
    """Per 牵头单位, ranked: rate high to low, then more completed, then name."""
    groups = _group(scored, lambda tp: tp.task.lead_unit or UNASSIGNED_UNIT)
    return sorted(
        groups,
        key=lambda g: (-(g.completion.rate or 0.0), -g.completion.completed, g.key),
    )


def _group(
    scored: Scored,
    key: Callable[[TaskProgress], str],
    parent: Callable[[TaskProgress], str] | None = None,
) -> list[Group]:
    members: dict[tuple[str, str], list[TaskProgress]] = {}
    for tp in scored.tasks:
        members.setdefault((parent(tp) if parent else "", key(tp)), []).append(tp)
    groups = []
    for (parent_key, name), tasks in members.items():
        statuses = Counter(ip.status for tp in tasks for ip in tp.indicators)
        groups.append(
            Group(
                name,
                completion(tasks),
                tuple(tp.task.id for tp in tasks),
                {s: statuses[s] for s in IndicatorStatus},
                parent_key,
            )
        )
    return groups
