"""The board and the 催报 list as the office sees and downloads them; round settings."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest

from metrics.rounds.board import build_board
from metrics.rounds.model import TaskReport
from metrics.rounds.settings import RoundSettings
from report.rounds import board_frame, chase_xlsx
from tests.rounds_data import AS_OF, DUE, EDU, EDU_REPORTER, OFFICE, Clock, round_store, service_for


def test_board_frame_and_chase_workbook(tmp_path: Path) -> None:
    clock = Clock(datetime.datetime(2021, 7, 9, 2, 0, tzinfo=datetime.UTC))
    service = service_for(round_store(tmp_path / "store", tmp_path), clock)
    round_id = service.open_round(OFFICE, name="=六月", as_of=AS_OF, due=DUE).id
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
    service.submit(EDU_REPORTER, round_id, EDU)
    board = build_board(service.db, service.dataset(), service.round(round_id), clock())
    frame = board_frame(board)
    assert list(frame.columns) == [
        "单位",
        "状态",
        "负责任务",
        "已报任务",
        "报送次数",
        "最近活动",
        "逾期",
    ]
    rows = {row["单位"]: row for row in frame.to_dict("records")}
    assert rows[EDU]["状态"] == "● 已报送" and rows[EDU]["逾期"] == ""
    assert rows[EDU]["已报任务"] == "1/2"  # (1) reported, (3) not
    assert rows[EDU]["最近活动"].endswith("教育局小赵 报送")
    assert rows["区委"]["逾期"] == "逾期 4 天" and rows["区委"]["状态"] == "○ 未填报"
    book = openpyxl.load_workbook(io.BytesIO(chase_xlsx(board)))
    sheet = book["催报名单"]
    assert sheet["A1"].value == "“=六月”逾期未报送单位（报送截止 2021-07-05）"
    lines = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    assert lines[0] == ("单位", "状态", "逾期天数", "任务编号", "任务")
    assert ("区委", "未填报", 4, 4, "理论学习表面化") in lines
    assert all(line[0] != EDU for line in lines[1:])  # reported: not chased
    # One row per late unit and task: 区住建局 leads (2) and (3).
    assert [line[3] for line in lines if line[0] == "区住建局"] == [2, 3]


def test_round_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHENGGAI_CLOSE_MIN_EVIDENCE", raising=False)
    monkeypatch.delenv("ZHENGGAI_UNIT_APPROVAL", raising=False)
    assert RoundSettings.from_env() == (RoundSettings(1, False), [])
    monkeypatch.setenv("ZHENGGAI_CLOSE_MIN_EVIDENCE", "2")
    monkeypatch.setenv("ZHENGGAI_UNIT_APPROVAL", "1")
    assert RoundSettings.from_env() == (RoundSettings(2, True), [])
    monkeypatch.setenv("ZHENGGAI_CLOSE_MIN_EVIDENCE", "两份")
    monkeypatch.setenv("ZHENGGAI_UNIT_APPROVAL", "maybe")
    settings, problems = RoundSettings.from_env()
    assert settings == RoundSettings(1, False)
    assert "ZHENGGAI_CLOSE_MIN_EVIDENCE" in problems[0] and "默认值 1" in problems[0]
    assert "ZHENGGAI_UNIT_APPROVAL" in problems[1]
