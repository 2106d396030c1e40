"""Supervision notices: their level, what they cover and how they are recorded."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from metrics.supervision.model import WarningColour


class Level(enum.StrEnum):
    """The notice's level: the colour of the warning it answers, as recorded ("红色";
    most severe first). Symbol and order are the warning colour's."""

    RED = "红色"
    YELLOW = "黄色"
    BLUE = "蓝色"

    @classmethod
    def of(cls, colour: WarningColour) -> Level:
        return cls(colour.label)

    @property
    def colour(self) -> WarningColour:
        return WarningColour(self.value[0])

    @property
    def rank(self) -> int:
        return self.colour.severity

    @property
    def symbol(self) -> str:
        """Never colour alone: a symbol and a word (as the dashboard's warnings)."""
        return self.colour.symbol

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.value}督办"


def most_severe(levels: list[Level]) -> Level:
    return min(levels, key=lambda level: level.rank)


@dataclass(frozen=True, slots=True)
class DubanItem:
    """One task in a notice, with its level and the rule(s) that gave it."""

    task_id: int
    level: Level
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DubanNotice:
    """A recorded 督办单. ``code`` is its number as written ("惠整督〔2021〕3号")."""

    id: int
    year: int
    number: int
    code: str
    level: Level
    unit: str
    items: tuple[DubanItem, ...]
    requirements: str
    respond_by: datetime.date
    issued_by: str
    issued_at: str  # ISO, UTC
    version_id: int

    @property
    def task_ids(self) -> tuple[int, ...]:
        return tuple(item.task_id for item in self.items)
