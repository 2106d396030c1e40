"""Units in a version's data: the names in 牵头单位 and 责任单位, and what each reports on.

A unit reports on the tasks it leads or shares (its name in 牵头单位 or among the
责任单位) and on the indicators of those tasks.

A task's units are read from its two texts once per process (``_named``: a bounded memo
of a pure function, as ``briefing.deck_text.text_ems``): at city scale (697 tasks, 40
units) a page asks for every unit's tasks, and splitting and normalising every task's
names again for each unit cost more than a page's whole rerun should.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from metrics.model import Dataset, Task

# 责任单位 lists names separated by 、，,；; or whitespace-free slashes.
_SEPARATORS = re.compile(r"[、，,；;/\n]+")

# (key, name as written) of each unit of a task, lead unit first, no repeats.
_Named = tuple[tuple[str, str], ...]


def unit_key(name: str) -> str:
    """The form a unit name is compared in (NFKC, no spaces)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def split_units(text: str) -> list[str]:
    """ "区委组织部、区纪委监委" → ["区委组织部", "区纪委监委"] (order kept, no repeats)."""
    seen: dict[str, str] = {}
    for part in _SEPARATORS.split(text or ""):
        cleaned = part.strip()
        if cleaned:
            seen.setdefault(unit_key(cleaned), cleaned)
    return list(seen.values())


@functools.lru_cache(maxsize=8192)
def _named(lead: str, responsible: str) -> tuple[_Named, frozenset[str]]:
    """The units of a task's 牵头单位 and 责任单位 texts as (key, name) pairs, lead unit
    first, each once; and their keys."""
    seen: dict[str, str] = {}
    for text in (lead, responsible):
        for part in _SEPARATORS.split(text or ""):
            cleaned = part.strip()
            if cleaned:
                seen.setdefault(unit_key(cleaned), cleaned)
    return tuple(seen.items()), frozenset(seen)


def _units(task: Task) -> tuple[_Named, frozenset[str]]:
    return _named(task.lead_unit, task.responsible_units)


def units_of_task(task: Task) -> list[str]:
    """The lead unit first, then the responsible units."""
    return [name for _, name in _units(task)[0]]


def all_units(dataset: Dataset) -> list[str]:
    """Every unit named in the data, in order of first appearance."""
    seen: dict[str, str] = {}
    for task in dataset.tasks:
        for key, name in _units(task)[0]:
            seen.setdefault(key, name)
    return list(seen.values())


def find_unit(dataset: Dataset, name: str) -> str | None:
    """The unit as the data writes it, for a name typed by someone (None: not in the data)."""
    wanted = unit_key(name)
    return next((u for u in all_units(dataset) if unit_key(u) == wanted), None)


def tasks_of_unit(dataset: Dataset, unit: str) -> list[Task]:
    wanted = unit_key(unit)
    return [t for t in dataset.tasks if wanted in _units(t)[1]]


def tasks_by_unit(dataset: Dataset) -> dict[str, list[Task]]:
    """``unit_key(unit)`` → ``tasks_of_unit(dataset, unit)``, for every unit at once."""
    found: dict[str, list[Task]] = {}
    for task in dataset.tasks:
        for key in _units(task)[1]:
            found.setdefault(key, []).append(task)
    return found
