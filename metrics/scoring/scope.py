"""Which tasks a briefing covers: everything, one 方面, or chosen tasks.

Written on the command line as ``all``, ``方面:2`` (the second 方面, or a name
fragment such as ``方面:生态``) or ``任务:1,9,10``; ``category:`` and ``tasks:`` are
accepted too. The export page builds a ``Scope`` from its widgets directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from metrics.scoring.progress import Scored, TaskProgress


class ScopeError(ValueError):
    """``str(error)`` is a Chinese message saying what was wrong with the scope."""


@dataclass(frozen=True, slots=True)
class Scope:
    category: str | None = None  # a 方面's full name, as in the workbook
    task_ids: tuple[int, ...] = ()  # chosen tasks (ignored when empty)

    @property
    def is_everything(self) -> bool:
        return self.category is None and not self.task_ids

    def label(self) -> str:
        """Words for titles and file names: "全部任务", a 方面's name, "任务1、9"."""
        if self.category is not None:
            return self.category
        if self.task_ids:
            return "任务" + "、".join(str(i) for i in self.task_ids)
        return "全部任务"

    def select(self, scored: Scored) -> tuple[TaskProgress, ...]:
        """The scope's tasks, in workbook order."""
        if self.category is not None:
            return tuple(tp for tp in scored.tasks if tp.task.category == self.category)
        if self.task_ids:
            wanted = set(self.task_ids)
            return tuple(tp for tp in scored.tasks if tp.task.id in wanted)
        return scored.tasks

    def apply(self, scored: Scored) -> Scored:
        """The scored data cut to this scope: headline figures, roll-ups and the
        summary paragraph computed from it describe the chosen tasks only."""
        return scored if self.is_everything else replace(scored, tasks=self.select(scored))


EVERYTHING = Scope()

_PREFIX = re.compile(r"^\s*(方面|category|任务|tasks?)\s*[:：=]\s*(.*)$", re.IGNORECASE)


def categories(scored: Scored) -> tuple[str, ...]:
    """The 方面 names in workbook order."""
    return tuple(dict.fromkeys(tp.task.category for tp in scored.tasks))


def parse_scope(text: str, scored: Scored) -> Scope:
    """``all`` / ``方面:2`` / ``方面:名称片段`` / ``任务:1,9,10`` against this data."""
    raw = text.strip()
    if raw.lower() in ("", "all", "全部"):
        return EVERYTHING
    match = _PREFIX.match(raw)
    if match is None:
        raise ScopeError(f"范围“{text}”无法识别：请写 all、方面:2 或 任务:1,9,10")
    kind, value = match.group(1).lower(), match.group(2).strip()
    if kind in ("方面", "category"):
        return Scope(category=_category(value, scored))
    return Scope(task_ids=_task_ids(value, scored))


def _category(value: str, scored: Scored) -> str:
    names = categories(scored)
    if _is_number(value):
        number = int(value)
        if 1 <= number <= len(names):
            return names[number - 1]
        raise ScopeError(f"没有第 {number} 个方面：数据中共有 {len(names)} 个方面")
    found = [name for name in names if value and value in name]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ScopeError(f"没有名称包含“{value}”的方面")
    raise ScopeError(f"名称包含“{value}”的方面不止一个：请写序号，如 方面:1")


def _task_ids(value: str, scored: Scored) -> tuple[int, ...]:
    known = {tp.task.id for tp in scored.tasks}
    ids: list[int] = []
    for part in re.split(r"[,，、\s]+", value):
        if not part:
            continue
        if not _is_number(part):
            raise ScopeError(f"任务编号“{part}”不是数字：请写 1、9、10 这样的数字")
        number = int(part)
        if number not in known:
            raise ScopeError(f"没有编号为 {number} 的任务")
        if number not in ids:
            ids.append(number)
    if not ids:
        raise ScopeError("请至少写一个任务编号，如 任务:1,9,10")
    return tuple(ids)


def _is_number(text: str) -> bool:
    """Plain ASCII digits, at most 9 of them (``str.isdigit`` also accepts "²" and "٣",
    which ``int`` then refuses or reads unexpectedly)."""
    return text.isascii() and text.isdecimal() and len(text) <= 9
