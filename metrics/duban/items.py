"""What a notice covers, from the supervision warnings: one task, or all of a unit's
coloured tasks; the notice's level is the warning's colour."""

from __future__ import annotations

from collections.abc import Mapping

from metrics.duban.model import DubanItem, Level
from metrics.model import Dataset
from metrics.rounds.units import all_units, tasks_by_unit, tasks_of_unit, unit_key
from metrics.supervision.model import TaskWarning


class NothingToSupervise(ValueError):
    """``str(error)`` says, in Chinese, why there is nothing to issue."""


def item(warning: TaskWarning) -> DubanItem:
    return DubanItem(warning.task_id, Level.of(warning.colour), (warning.text,))


def task_items(warnings: Mapping[int, TaskWarning], task_id: int) -> list[DubanItem]:
    found = warnings.get(task_id)
    if found is None:
        raise NothingToSupervise(
            f"任务（{task_id}）当前没有督办预警（红、黄、蓝色）：不需要签发督办单"
        )
    return [item(found)]


def unit_items(dataset: Dataset, warnings: Mapping[int, TaskWarning], unit: str) -> list[DubanItem]:
    """Every coloured task the unit leads or shares, most severe first."""
    ids = [t.id for t in tasks_of_unit(dataset, unit)]
    found = [item(warnings[i]) for i in ids if i in warnings]
    if not found:
        raise NothingToSupervise(f"“{unit}”的任务当前都没有督办预警：不需要签发督办单")
    return sorted(found, key=lambda i: (i.level.rank, i.task_id))


def items_by_unit(
    dataset: Dataset, warnings: Mapping[int, TaskWarning]
) -> dict[str, list[DubanItem]]:
    """Every unit with a coloured task → its items (``unit_items``), in order of first
    appearance; the units read once for all (``tasks_by_unit``), not once per unit."""
    tasks = tasks_by_unit(dataset)
    found: dict[str, list[DubanItem]] = {}
    for unit in all_units(dataset):
        items = [item(warnings[t.id]) for t in tasks.get(unit_key(unit), []) if t.id in warnings]
        if items:
            found[unit] = sorted(items, key=lambda i: (i.level.rank, i.task_id))
    return found
