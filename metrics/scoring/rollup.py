"""Roll-ups: completion by 方面, 问题, 牵头单位 and overall, and the counts beside a
rate as offices report them ("已完成30项，基本完成2项，正在整改3项，完成率85.7%")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from metrics.contract import TaskStatus
from metrics.scoring.counting import DEFAULT_COUNTING, Counting
from metrics.scoring.progress import IndicatorStatus, Scored, TaskColour, TaskProgress

UNASSIGNED_UNIT = "（未填写）"


@dataclass(frozen=True, slots=True)
class Completion:
    total: int
    completed: int  # 已完成 (+ 长期坚持 when it counts: ``Counting``)
    done: int  # 已完成
    ongoing: int  # 长期坚持
    in_progress: int  # 正在整改
    not_started: int  # 未启动
    overdue: int
    basically_done: int = 0  # 基本完成
    extension_requested: int = 0  # 申请延期
    ongoing_counted: bool = True  # 长期坚持 is among ``completed``

    @property
    def rate(self) -> float | None:
        """completed / total; None when there are no tasks."""
        return self.completed / self.total if self.total else None

    @property
    def unfinished(self) -> int:
        """Tasks not complete (the provincial reports' 未完成)."""
        return self.total - self.completed


# The word of each count beside a rate, in report order (已完成 first).
_TALLY_WORDS: tuple[tuple[TaskStatus | None, str], ...] = (
    (None, "已完成"),  # the complete ones, whatever statuses count
    (TaskStatus.ONGOING, "长期坚持"),  # only when it does not count as complete
    (TaskStatus.BASICALLY_DONE, "基本完成"),
    (TaskStatus.EXTENSION_REQUESTED, "申请延期"),
    (TaskStatus.IN_PROGRESS, "正在整改"),
    (TaskStatus.NOT_STARTED, "尚未启动"),
)


@dataclass(frozen=True, slots=True)
class TallyPart:
    word: str  # "已完成", "基本完成", "尚未启动" …
    count: int
    status: TaskStatus | None  # None: the complete tasks (已完成, with 长期坚持 if it counts)


@dataclass(frozen=True, slots=True)
class Tally:
    """The counts beside a rate, statuses with no task left out."""

    parts: tuple[TallyPart, ...]
    total: int
    rate: float | None

    def text(self, measure: str = "项", rate_label: str = "完成率") -> str:
        """ "已完成30项，基本完成2项，正在整改3项，完成率85.7%" (no task: "完成率—")."""
        listed = [f"{p.word}{p.count}{measure}" for p in self.parts]
        rate = "—" if self.rate is None else f"{self.rate * 100:.1f}%"
        return "，".join([*listed, f"{rate_label}{rate}"])


def tally(c: Completion) -> Tally:
    """The counts of ``c`` as offices report them beside the rate."""
    counts: dict[TaskStatus | None, int] = {
        None: c.completed,
        TaskStatus.ONGOING: 0 if c.ongoing_counted else c.ongoing,
        TaskStatus.BASICALLY_DONE: c.basically_done,
        TaskStatus.EXTENSION_REQUESTED: c.extension_requested,
        TaskStatus.IN_PROGRESS: c.in_progress,
        TaskStatus.NOT_STARTED: c.not_started,
    }
    parts = tuple(
        TallyPart(word, counts[status], status) for status, word in _TALLY_WORDS if counts[status]
    )
    return Tally(parts, c.total, c.rate)


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


def completion(tasks: Iterable[TaskProgress], counting: Counting = DEFAULT_COUNTING) -> Completion:
    """The counts of ``tasks``; whether 长期坚持 is complete comes from the scored tasks
    (``counting`` only says how to word it when there are none)."""
    items = list(tasks)
    statuses = Counter(tp.task.status for tp in items)
    ongoing = [tp for tp in items if tp.task.status is TaskStatus.ONGOING]
    return Completion(
        total=len(items),
        completed=sum(1 for tp in items if tp.complete),
        done=statuses[TaskStatus.DONE],
        ongoing=statuses[TaskStatus.ONGOING],
        in_progress=statuses[TaskStatus.IN_PROGRESS],
        not_started=statuses[TaskStatus.NOT_STARTED],
        overdue=sum(1 for tp in items if tp.overdue),
        basically_done=statuses[TaskStatus.BASICALLY_DONE],
        extension_requested=statuses[TaskStatus.EXTENSION_REQUESTED],
        ongoing_counted=ongoing[0].complete if ongoing else counting.ongoing_as_done,
    )


def overall(scored: Scored) -> Overall:
    statuses = Counter(ip.status for ip in scored.indicators)
    colours = Counter(tp.colour for tp in scored.tasks)
    return Overall(
        completion(scored.tasks, scored.counting),
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
                completion(tasks, scored.counting),
                tuple(tp.task.id for tp in tasks),
                {s: statuses[s] for s in IndicatorStatus},
                parent_key,
            )
        )
    return groups
