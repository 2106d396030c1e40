"""What changes between two versions of the workbook."""

from __future__ import annotations

from pathlib import Path

from metrics.scoring.changes import compare
from metrics.scoring.progress import Scored, score
from metrics.workbook.loader import load_workbook
from tests.builders import indicator, meta, observation, task, valid_sheets, write_valid


def scored(path: Path) -> Scored:
    dataset = load_workbook(path).dataset
    assert dataset is not None
    return score(dataset)


def test_no_changes(tmp_path: Path) -> None:
    a = scored(write_valid(tmp_path / "a.xlsx"))
    changes = compare(a, a)
    assert changes.empty and changes.old_rate == changes.new_rate


def test_status_value_target_and_membership_changes(tmp_path: Path) -> None:
    old = scored(write_valid(tmp_path / "old.xlsx"))
    sheets = valid_sheets()
    new = scored(
        write_valid(
            tmp_path / "new.xlsx",
            tasks=[
                task(1, "正在整改"),  # reopened
                task(2, "长期坚持", 方面="（二）方面乙", 问题="1.问题乙"),
                task(3, "已完成"),  # finished
                task(4, "正在整改"),  # added
            ],
            indicators=[
                *sheets["indicators"][:2],
                indicator("D", 4),
            ],
            observations=[
                observation("A", "2021-05-31", 50),  # PM2.5 down: better
                observation("B", "2021-04-30", "87.6"),
            ],
            meta=meta(报告任务数=4, 报告已完成数=2),
        )
    )
    changes = compare(old, new)
    assert [(c.task_id, c.old_status, c.new_status, c.reopened) for c in changes.tasks] == [
        (1, "已完成", "正在整改", True),
        (3, "正在整改", "已完成", False),
    ]
    assert [c.task_id for c in changes.reopened] == [1]
    assert [(c.indicator_id, c.what, c.old, c.new, c.verdict) for c in changes.indicators] == [
        ("A", "数值", "52微克/立方米", "50微克/立方米", "改善"),
    ]
    assert changes.tasks_added == ("（4）任务4",)
    assert changes.indicators_added == ("D 指标D",)
    assert changes.indicators_removed == ("C 指标C",)
    assert changes.old_rate == 2 / 3 and changes.new_rate == 2 / 4
