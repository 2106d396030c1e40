"""What changed between two versions of the data: the content of a periodic bulletin.

Built on ``changes.compare`` (the same comparison the store records with every publish),
and adds what a bulletin reports beyond it: which tasks were newly completed and which
reopened, how each moved indicator stands against its target and the time elapsed
(序时进度) then and now, and which tasks became overdue.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.scoring.changes import Changes, IndicatorChange, TaskChange, compare
from metrics.scoring.headline import Headline, headline
from metrics.scoring.progress import IndicatorProgress, Scored, TaskProgress


@dataclass(frozen=True, slots=True)
class IndicatorMove:
    """One recorded change of an indicator, with its standing before and after."""

    change: IndicatorChange
    before: IndicatorProgress
    after: IndicatorProgress


@dataclass(frozen=True, slots=True)
class Bulletin:
    before: Headline
    after: Headline
    changes: Changes
    completed: tuple[TaskChange, ...]  # not complete before, complete now
    reopened: tuple[TaskChange, ...]  # complete before, not any more
    other_status: tuple[TaskChange, ...]  # e.g. 未启动 → 整改中
    moves: tuple[IndicatorMove, ...]
    newly_overdue: tuple[TaskProgress, ...]  # overdue now, not overdue (or absent) before
    no_longer_overdue: tuple[TaskProgress, ...]  # overdue before, not now (still present)

    @property
    def empty(self) -> bool:
        return self.changes.empty and not self.newly_overdue and not self.no_longer_overdue


def bulletin(old: Scored, new: Scored) -> Bulletin:
    changes = compare(old, new)
    old_tasks = {tp.task.id: tp for tp in old.tasks}
    new_tasks = {tp.task.id: tp for tp in new.tasks}
    completed = tuple(
        c
        for c in changes.tasks
        if new_tasks[c.task_id].complete and not old_tasks[c.task_id].complete
    )
    other = tuple(c for c in changes.tasks if c not in completed and not c.reopened)
    old_ind = {ip.indicator.id: ip for ip in old.indicators}
    new_ind = {ip.indicator.id: ip for ip in new.indicators}
    moves = tuple(
        IndicatorMove(change, old_ind[change.indicator_id], new_ind[change.indicator_id])
        for change in changes.indicators
    )
    newly_overdue = tuple(
        tp
        for tp in new.tasks
        if tp.overdue and not (tp.task.id in old_tasks and old_tasks[tp.task.id].overdue)
    )
    no_longer = tuple(
        new_tasks[task_id]
        for task_id, tp in old_tasks.items()
        if tp.overdue and task_id in new_tasks and not new_tasks[task_id].overdue
    )
    return Bulletin(
        before=headline(old),
        after=headline(new),
        changes=changes,
        completed=completed,
        reopened=changes.reopened,
        other_status=other,
        moves=moves,
        newly_overdue=newly_overdue,
        no_longer_overdue=no_longer,
    )
