"""What changes if a new workbook is published, against the current version."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.contract import Direction
from metrics.scoring.progress import IndicatorProgress, Scored
from metrics.scoring.rollup import overall
from metrics.values.formatting import format_number


@dataclass(frozen=True, slots=True)
class TaskChange:
    task_id: int
    title: str
    old_status: str
    new_status: str
    reopened: bool  # was complete, is not any more


@dataclass(frozen=True, slots=True)
class IndicatorChange:
    indicator_id: str
    name: str
    what: str  # "数值" or "目标"
    old: str
    new: str
    verdict: str  # "改善" / "变差" / "—"


@dataclass(frozen=True, slots=True)
class Changes:
    old_rate: float | None
    new_rate: float | None
    tasks: tuple[TaskChange, ...]
    indicators: tuple[IndicatorChange, ...]
    tasks_added: tuple[str, ...]
    tasks_removed: tuple[str, ...]
    indicators_added: tuple[str, ...]
    indicators_removed: tuple[str, ...]

    @property
    def reopened(self) -> tuple[TaskChange, ...]:
        return tuple(c for c in self.tasks if c.reopened)

    def counts(self) -> dict[str, int]:
        """How much changed, kept with a published version for the history page."""
        return {
            "status_changes": len(self.tasks),
            "reopened": len(self.reopened),
            "indicator_changes": len(self.indicators),
            "added": len(self.tasks_added) + len(self.indicators_added),
            "removed": len(self.tasks_removed) + len(self.indicators_removed),
        }

    @property
    def empty(self) -> bool:
        return not (
            self.tasks
            or self.indicators
            or self.tasks_added
            or self.tasks_removed
            or self.indicators_added
            or self.indicators_removed
        )


def compare(old: Scored, new: Scored) -> Changes:
    old_tasks = {tp.task.id: tp for tp in old.tasks}
    new_tasks = {tp.task.id: tp for tp in new.tasks}
    task_changes = tuple(
        TaskChange(
            task_id,
            new_tasks[task_id].task.title,
            str(old_tasks[task_id].task.status),
            str(new_tasks[task_id].task.status),
            old_tasks[task_id].complete and not new_tasks[task_id].complete,
        )
        for task_id in new_tasks
        if task_id in old_tasks
        and old_tasks[task_id].task.status is not new_tasks[task_id].task.status
    )
    old_ind = {ip.indicator.id: ip for ip in old.indicators}
    new_ind = {ip.indicator.id: ip for ip in new.indicators}
    indicator_changes: list[IndicatorChange] = []
    for ind_id, ip in new_ind.items():
        before = old_ind.get(ind_id)
        if before is not None:
            indicator_changes.extend(_indicator_changes(before, ip))
    return Changes(
        old_rate=overall(old).completion.rate,
        new_rate=overall(new).completion.rate,
        tasks=task_changes,
        indicators=tuple(indicator_changes),
        tasks_added=tuple(
            f"（{i}）{new_tasks[i].task.title}" for i in new_tasks if i not in old_tasks
        ),
        tasks_removed=tuple(
            f"（{i}）{old_tasks[i].task.title}" for i in old_tasks if i not in new_tasks
        ),
        indicators_added=tuple(
            f"{i} {new_ind[i].indicator.name}" for i in new_ind if i not in old_ind
        ),
        indicators_removed=tuple(
            f"{i} {old_ind[i].indicator.name}" for i in old_ind if i not in new_ind
        ),
    )


def _indicator_changes(old: IndicatorProgress, new: IndicatorProgress) -> list[IndicatorChange]:
    ind = new.indicator
    unit = ind.unit
    found = []
    if old.value != new.value:
        found.append(
            IndicatorChange(
                ind.id,
                ind.name,
                "数值",
                _shown(old.value, unit, old),
                _shown(new.value, unit, new),
                _verdict(ind.direction, old.value, new.value),
            )
        )
    if old.indicator.target != ind.target:
        found.append(
            IndicatorChange(
                ind.id,
                ind.name,
                "目标",
                "—" if old.indicator.target is None else format_number(old.indicator.target, unit),
                "—" if ind.target is None else format_number(ind.target, unit),
                "—",
            )
        )
    return found


def _shown(value: float | None, unit: object, ip: IndicatorProgress) -> str:
    if value is None or ip.latest is None:
        return "—"
    return format_number(value, ip.indicator.unit, ip.latest.qualifier, ip.latest.text)


def _verdict(direction: Direction, old: float | None, new: float | None) -> str:
    if old is None or new is None or direction is Direction.MONITOR_ONLY or old == new:
        return "—"
    better = new > old if direction is Direction.HIGHER_IS_BETTER else new < old
    return "改善" if better else "变差"
