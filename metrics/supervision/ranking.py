"""Units ranked by their tasks' supervision colours: fewest red first, then fewest
yellow, then the completion ranking of ``rollup.by_lead_unit`` (rate, completed, name)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from metrics.scoring.progress import Scored
from metrics.scoring.rollup import Group, by_lead_unit
from metrics.supervision.model import TaskWarning, WarningColour


@dataclass(frozen=True, slots=True)
class UnitRank:
    rank: int  # 1 = best; units equal in red, yellow and rate share a rank
    group: Group  # the unit's completion (``group.key`` is the 牵头单位)
    red: int
    yellow: int
    blue: int


def unit_ranking(scored: Scored, warnings: Mapping[int, TaskWarning]) -> list[UnitRank]:
    """Every 牵头单位, best first: fewer red, then fewer yellow, then higher completion
    rate, more completed, name."""
    groups = by_lead_unit(scored)  # already by rate, completed, name: a stable sort keeps it
    counted = []
    for group in groups:
        colours = [warnings[t].colour for t in group.task_ids if t in warnings]
        counted.append(
            (
                group,
                colours.count(WarningColour.RED),
                colours.count(WarningColour.YELLOW),
                colours.count(WarningColour.BLUE),
            )
        )
    counted.sort(key=lambda item: (item[1], item[2]))
    ranked: list[UnitRank] = []
    previous: tuple[int, int, float | None] | None = None
    rank = 0
    for position, (group, red, yellow, blue) in enumerate(counted, start=1):
        key = (red, yellow, group.completion.rate)
        if key != previous:
            rank, previous = position, key
        ranked.append(UnitRank(rank, group, red, yellow, blue))
    return ranked
