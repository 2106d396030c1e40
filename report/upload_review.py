"""An upload under review as tables: the check report and what would change if published."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metrics.problems import Problem
from metrics.scoring.changes import Changes
from report.wording import NONE

PROBLEM_COLUMNS = ("级别", "表", "行", "列", "问题")


def problems_frame(problems: Sequence[Problem], *, severity: bool = True) -> pd.DataFrame:
    """The validation report (errors first): 级别, 表, 行, 列, 问题 (without 级别 when
    ``severity`` is false: a stored version that cannot be shown has errors only)."""
    columns = list(PROBLEM_COLUMNS if severity else PROBLEM_COLUMNS[1:])
    rows = [
        {
            "级别": str(p.severity),
            "表": p.sheet or NONE,
            "行": p.row,
            "列": p.column or NONE,
            "问题": p.message,
        }
        for p in problems
    ]
    return pd.DataFrame(rows, columns=columns)


def task_changes_frame(changes: Changes) -> pd.DataFrame:
    """Tasks whose status changes: 任务, 原状态, 新状态, 改回未完成."""
    return pd.DataFrame(
        [
            {
                "任务": f"（{c.task_id}）{c.title}",
                "原状态": c.old_status,
                "新状态": c.new_status,
                "改回未完成": "是" if c.reopened else "",
            }
            for c in changes.tasks
        ]
    )


def indicator_changes_frame(changes: Changes) -> pd.DataFrame:
    """Indicators whose value or target changes: 指标, 项目, 原值, 新值, 变化."""
    return pd.DataFrame(
        [
            {
                "指标": f"{c.indicator_id} {c.name}",
                "项目": c.what,
                "原值": c.old,
                "新值": c.new,
                "变化": c.verdict,
            }
            for c in changes.indicators
        ]
    )


def added_and_removed(changes: Changes) -> list[tuple[str, tuple[str, ...]]]:
    """(heading, names) of the tasks and indicators added or removed, only those with any."""
    return [
        (title, items)
        for title, items in (
            ("新增任务", changes.tasks_added),
            ("删除任务", changes.tasks_removed),
            ("新增指标", changes.indicators_added),
            ("删除指标", changes.indicators_removed),
        )
        if items
    ]
