"""Units in a version's data: the names in 牵头单位 and 责任单位, and what each reports on.

A unit reports on the tasks it leads or shares (its name in 牵头单位 or among the
责任单位) and on the indicators of those tasks.
"""

from __future__ import annotations

import re
import unicodedata

from metrics.model import Dataset, Task

# 责任单位 lists names separated by 、，,；; or whitespace-free slashes.
_SEPARATORS = re.compile(r"[、，,；;/\n]+")


def unit_key(name: str) -> str:
    """The form a unit name is compared in (NFKC, no spaces)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def split_units(text: str) -> list[str]:
    """ "区委组织部、区纪委监委" → ["区委组织部", "区纪委监委"] (order kept, no repeats)."""
    seen: dict[str, str] = {}
    for part in _SEPARATORS.split(text or ""):
        cleaned = part.strip()
        if cleaned and unit_key(cleaned) not in seen:
            seen[unit_key(cleaned)] = cleaned
    return list(seen.values())


def units_of_task(task: Task) -> list[str]:
    """The lead unit first, then the responsible units."""
    names = split_units(task.lead_unit) + split_units(task.responsible_units)
    return split_units("、".join(names))


def all_units(dataset: Dataset) -> list[str]:
    """Every unit named in the data, in order of first appearance."""
    return split_units("、".join("、".join(units_of_task(t)) for t in dataset.tasks))


def find_unit(dataset: Dataset, name: str) -> str | None:
    """The unit as the data writes it, for a name typed by someone (None: not in the data)."""
    wanted = unit_key(name)
    return next((u for u in all_units(dataset) if unit_key(u) == wanted), None)


def tasks_of_unit(dataset: Dataset, unit: str) -> list[Task]:
    wanted = unit_key(unit)
    return [t for t in dataset.tasks if wanted in {unit_key(u) for u in units_of_task(t)}]
