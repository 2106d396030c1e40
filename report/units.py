"""The unit ranking page's tables and words: completion by lead unit, red and yellow
tasks beside it, and the note on tasks without a 牵头单位."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metrics.scoring.progress import Scored
from metrics.scoring.rollup import UNASSIGNED_UNIT
from metrics.supervision.model import WarningColour
from metrics.supervision.ranking import UnitRank
from report.wording import percent

UNIT_WARNING_COLUMNS = (
    "排名",
    "牵头单位",
    f"{WarningColour.RED.symbol} 红色",
    f"{WarningColour.YELLOW.symbol} 黄色",
    "任务数",
    "已完成",
    "正在整改",
    "未启动",
    "超期",
    "完成率",
)


def unit_warning_table(ranking: Sequence[UnitRank]) -> pd.DataFrame:
    """``supervision.ranking.unit_ranking`` as a table: red and yellow tasks per unit
    beside the completion counts; units equal in red, yellow and rate share a rank."""
    rows = []
    for r in ranking:
        c = r.group.completion
        rows.append(
            dict(
                zip(
                    UNIT_WARNING_COLUMNS,
                    (
                        r.rank,
                        r.group.key,
                        r.red,
                        r.yellow,
                        c.total,
                        c.completed,
                        c.in_progress,
                        c.not_started,
                        c.overdue,
                        percent(c.rate),
                    ),
                    strict=True,
                )
            )
        )
    return pd.DataFrame(rows, columns=list(UNIT_WARNING_COLUMNS))


def unassigned_unit_note(scored: Scored) -> str:
    """One sentence for the unit ranking on tasks without a 牵头单位; "" if every task has one.

    When every open task lacks a lead unit, every named unit is at 100% and the ranking
    says more about which tasks name a unit than about the units: say so.
    """
    tasks = scored.tasks
    unassigned = [tp for tp in tasks if not tp.task.lead_unit]
    if not unassigned:
        return ""
    open_total = sum(1 for tp in tasks if not tp.complete)
    open_unassigned = sum(1 for tp in unassigned if not tp.complete)
    text = f"{len(tasks)}项任务中有{len(unassigned)}项未填写牵头单位，归入“{UNASSIGNED_UNIT}”"
    if not open_unassigned:
        return f"{text}，均已完成。"
    if open_unassigned < open_total:
        return f"{text}，其中{open_unassigned}项尚未完成（未完成的任务共{open_total}项）。"
    return (
        f"{text}；全部{open_total}项未完成的任务都没有填写牵头单位，因此填写了牵头单位的"
        "各单位完成率均为100%：这一排名反映的是牵头单位填写与否，不宜据此比较各单位的整改进度。"
    )
