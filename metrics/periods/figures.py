"""The figures compared with 上期: the completion rate and the counts beside it as
offices report them (已完成, 基本完成, 申请延期, 未完成) and the 督办 colour counts."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from metrics.periods.basis import Basis
from metrics.scoring.progress import Scored
from metrics.scoring.rollup import overall
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.supervision.rules import colour_counts


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    as_of: datetime.date
    total: int
    completed: int  # as the deployment counts (``metrics.scoring.counting``)
    rate: float | None
    basically_done: int
    extension_requested: int
    unfinished: int
    colours: Mapping[WarningColour, int]  # every colour, zero included


@dataclass(frozen=True, slots=True)
class Comparison:
    """The data shown (``after``) against 上期 (``before``)."""

    basis: Basis
    before: PeriodFigures
    after: PeriodFigures


def period_figures(scored: Scored, warnings: Mapping[int, TaskWarning]) -> PeriodFigures:
    """The figures of ``scored`` with its colours (``metrics.supervision.rules.colours``)."""
    c = overall(scored).completion
    return PeriodFigures(
        as_of=scored.meta.as_of,
        total=c.total,
        completed=c.completed,
        rate=c.rate,
        basically_done=c.basically_done,
        extension_requested=c.extension_requested,
        unfinished=c.unfinished,
        colours=MappingProxyType(colour_counts(dict(warnings))),
    )
