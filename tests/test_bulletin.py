"""``metrics.scoring.bulletin``: what a bulletin reports between two versions, from the
recorded comparison (``changes.compare``) plus overdue changes."""

from __future__ import annotations

import datetime
from pathlib import Path

from metrics.scoring.bulletin import bulletin
from metrics.scoring.progress import Scored, score
from metrics.workbook.loader import load_workbook
from tests.builders import indicator, meta, observation, task, valid_sheets, write_valid


def scored(path: Path, **changes: object) -> Scored:
    result = load_workbook(write_valid(path, **changes))  # type: ignore[arg-type]
    assert result.dataset is not None, [str(p) for p in result.errors]
    return score(result.dataset)


def test_completed_reopened_started_and_overdue(tmp_path: Path) -> None:
    before = scored(
        tmp_path / "a.xlsx",
        tasks=[
            task(1, "已完成"),
            task(2, "未启动"),
            task(3, "正在整改", 整改时限=datetime.date(2021, 6, 30)),
            task(4, "正在整改", 整改时限=datetime.date(2021, 5, 1)),  # overdue
            task(5, "正在整改", 整改时限=datetime.date(2021, 4, 1)),  # overdue, done later
        ],
        meta=meta(报告任务数=None, 报告已完成数=None),
    )
    after = scored(
        tmp_path / "b.xlsx",
        tasks=[
            task(1, "正在整改"),  # reopened
            task(2, "正在整改"),  # started
            task(3, "正在整改", 整改时限=datetime.date(2021, 5, 15)),  # now overdue
            task(4, "正在整改", 整改时限=datetime.date(2021, 5, 1)),  # still overdue
            task(5, "已完成", 整改时限=datetime.date(2021, 4, 1)),  # completed
        ],
        meta=meta(报告任务数=None, 报告已完成数=None),
    )
    content = bulletin(before, after)
    assert [c.task_id for c in content.completed] == [5]
    assert [c.task_id for c in content.reopened] == [1]
    assert [(c.task_id, c.old_status, c.new_status) for c in content.other_status] == [
        (2, "未启动", "正在整改")
    ]
    assert [tp.task.id for tp in content.newly_overdue] == [3]
    assert [tp.task.id for tp in content.no_longer_overdue] == [5]
    assert (content.before.completed, content.after.completed) == (1, 1)
    assert not content.empty


def test_indicator_moves_keep_both_standings(tmp_path: Path) -> None:
    sheets = valid_sheets()
    before = scored(tmp_path / "a.xlsx")
    moved = [dict(o) for o in sheets["observations"]]
    moved[1]["数值"] = "120"  # B: 87.6 → 120 亿元 toward 211
    after = scored(tmp_path / "b.xlsx", observations=moved)
    content = bulletin(before, after)
    (move,) = content.moves
    assert move.change.indicator_id == "B" and move.change.verdict == "改善"
    assert move.before.value == 87.6 and move.after.value == 120
    assert move.after.progress is not None and move.before.progress is not None
    assert move.after.progress > move.before.progress


def test_the_same_version_twice_is_empty(tmp_path: Path) -> None:
    same = scored(tmp_path / "a.xlsx")
    content = bulletin(same, same)
    assert content.empty and not content.moves and not content.completed


def test_added_tasks_are_not_newly_completed(tmp_path: Path) -> None:
    before = scored(tmp_path / "a.xlsx")
    sheets = valid_sheets()
    tasks = [*sheets["tasks"], task(4, "已完成")]
    after = scored(
        tmp_path / "b.xlsx",
        tasks=tasks,
        indicators=[*sheets["indicators"], indicator("D", 4, 单位="%", 方向="仅监测")],
        observations=[*sheets["observations"], observation("D", "2021-05-31", "5%")],
        meta=meta(报告任务数=4, 报告已完成数=3),
    )
    content = bulletin(before, after)
    assert content.completed == () and content.changes.tasks_added == ("（4）任务4",)
