"""The supervision colours, a task's warning, and the facts of reporting rounds the
yellow and red rules read (all optional: without a store, only deadlines and
indicators colour tasks)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass


class WarningColour(enum.StrEnum):
    """督办三色, most urgent first. Never shown by colour alone: each has a symbol."""

    RED = "红"
    YELLOW = "黄"
    BLUE = "蓝"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        """ "红色"."""
        return f"{self.value}色"

    @property
    def tag(self) -> str:
        """ "● 红": symbol and word, for tables and plain text."""
        return f"{self.symbol} {self.value}"

    @property
    def severity(self) -> int:
        """0 for red (most urgent), 1 yellow, 2 blue."""
        return list(WarningColour).index(self)


_SYMBOLS = {WarningColour.RED: "●", WarningColour.YELLOW: "▲", WarningColour.BLUE: "■"}


@dataclass(frozen=True, slots=True)
class TaskWarning:
    """One open task's colour and the rule(s) that gave it, in words."""

    task_id: int
    colour: WarningColour
    reasons: tuple[str, ...]  # "已超过整改时限（2021年6月30日）", "进度滞后指标2个" …

    @property
    def text(self) -> str:
        """ "红色：已超过整改时限（2021年6月30日）；连续两轮黄色（…）"."""
        return f"{self.colour.label}：" + "；".join(self.reasons)


@dataclass(frozen=True, slots=True)
class RoundFacts:
    """What one reporting round says about units and tasks, for the yellow rules."""

    name: str  # "2021年6月进展"
    as_of: datetime.date  # the date the round reports on
    due: datetime.date  # units report by this day
    # Units (as the data writes them) that had not reported by ``due``, the due date
    # having passed: no submission dated (Beijing time) on or before it.
    late_units: frozenset[str] = frozenset()
    # Tasks whose latest office decision on a 销号 request (proposed 已完成) in the
    # round is 退回.
    returned_closes: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class RoundsFacts:
    """The rounds so far, oldest first; the last one is the latest round."""

    rounds: tuple[RoundFacts, ...] = ()

    @property
    def latest(self) -> RoundFacts | None:
        return self.rounds[-1] if self.rounds else None
