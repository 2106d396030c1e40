"""目标性质: what the report calls a reference figure; read, refused with its place,
and worded everywhere as it is called."""

from __future__ import annotations

from pathlib import Path

from metrics.contract import TargetKind
from metrics.scoring.progress import score
from metrics.workbook.loader import load_workbook
from report.wording import target_cell, target_phrase
from tests.builders import indicator, valid_sheets, write_valid


def test_the_kind_is_read_and_worded(tmp_path: Path) -> None:
    sheets = valid_sheets()
    sheets["indicators"][1] = indicator(
        "B", 3, 单位="亿元", 基期值=0, 目标值=211, 目标日期="2021-12-31", 目标性质="规划"
    )
    result = load_workbook(write_valid(tmp_path / "k.xlsx", indicators=sheets["indicators"]))
    assert result.ok, result.problems
    assert result.dataset is not None
    scored = score(result.dataset)
    by_id = {ip.indicator.id: ip for ip in scored.indicators}
    assert by_id["A"].indicator.target_kind is TargetKind.GOAL  # empty: a goal
    assert by_id["B"].indicator.target_kind is TargetKind.PLAN
    assert target_phrase(by_id["B"]) == "规划211亿元（2021年12月31日前）"
    assert target_cell(by_id["B"]) == "规划211亿元（2021年12月31日前）"
    assert target_cell(by_id["A"]) == "54微克/立方米（2020年12月31日前）"


def test_an_unknown_kind_names_its_place(tmp_path: Path) -> None:
    sheets = valid_sheets()
    sheets["indicators"][0] = {**sheets["indicators"][0], "目标性质": "愿景"}
    result = load_workbook(write_valid(tmp_path / "k.xlsx", indicators=sheets["indicators"]))
    assert not result.ok
    (problem,) = [p for p in result.errors if p.column == "目标性质"]
    assert (problem.sheet, problem.row) == ("指标", 2)
    assert "无法识别“愿景”" in problem.message and "规划" in problem.message
