"""The overview's headline figures: 指标已达标 counts targets met among targets with data."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from metrics.scoring.headline import Headline, headline, rate_delta
from metrics.scoring.progress import Scored, score
from metrics.workbook.loader import load_workbook
from tests.builders import indicator, observation, write_valid


def test_bundled_headline_counts_met_among_targets_with_data(scored: Scored) -> None:
    figures = headline(scored)
    assert (figures.indicators_met, figures.indicators_with_data) == (2, 5)
    assert figures.met_text == "2 / 5 个"
    # 18 reference figures: 5 with data, 13 without, 10 of those are plans and
    # expectations not yet due (the 十四五 roads, the 2021 and 2022 school figures).
    assert figures.indicators_with_target == 18
    assert (figures.targets_without_data, figures.targets_not_yet_due) == (13, 10)
    assert figures.without_data_text == "另有13个目标尚无数据（其中10个为目标日期未到的计划数）"
    assert "目标" not in figures.sentence  # the sentence is about tasks only


def _figures(**counts: Any) -> Headline:
    """Figures with ``counts`` (int fields such as ``targets_without_data``) set."""
    return Headline(
        title="t",
        organisation="o",
        as_of=datetime.date(2021, 5, 31),
        total=3,
        completed=2,
        in_progress=1,
        not_started=0,
        rate=2 / 3,
        **counts,
    )


def test_without_data_wording() -> None:
    assert _figures().without_data_text == ""
    assert _figures(targets_without_data=3).without_data_text == "另有3个目标尚无数据"
    assert (
        _figures(targets_without_data=3, targets_not_yet_due=3).without_data_text
        == "另有3个目标尚无数据（均为目标日期未到的计划数）"
    )
    assert _figures(indicators_met=1, indicators_with_data=4).met_text == "1 / 4 个"


def test_targets_without_data_split_by_due_date(tmp_path: Path) -> None:
    path = write_valid(
        tmp_path / "targets.xlsx",
        indicators=[
            indicator("MET", 1, 目标值=5, 目标日期="2021-12-31"),
            indicator("LATE", 1, 目标值=5, 目标日期="2021-04-30"),  # due, still no data
            indicator("PLAN", 3, 目标值=5, 目标日期="2022-12-31"),  # a plan
            indicator("NODATE", 3, 目标值=5),  # a standing floor, no date
            indicator("SEEN", 3, 方向="仅监测"),
        ],
        observations=[observation("MET", "2021-05-31", 6), observation("SEEN", "2021-05-31", 1)],
    )
    dataset = load_workbook(path).dataset
    assert dataset is not None
    figures = headline(score(dataset))
    assert figures.met_text == "1 / 1 个"
    assert figures.indicators_with_target == 4
    assert (figures.targets_without_data, figures.targets_not_yet_due) == (3, 1)
    assert figures.without_data_text == "另有3个目标尚无数据（其中1个为目标日期未到的计划数）"


def test_an_unchanged_rate_reads_as_unchanged_not_as_a_rise(scored: Scored) -> None:
    figures = headline(scored)
    assert rate_delta(figures, figures) == "持平（较上一版本）"
