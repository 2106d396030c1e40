"""The loader never raises: odd real files and random garbage end as Chinese problems."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.workbook.workbook import Workbook

from metrics.workbook.loader import load_workbook
from tests.builders import observation, valid_sheets, write_valid

REAL = Path(__file__).parent / "data" / "real"
REAL_FILES = sorted(p for p in REAL.glob("*.xlsx"))


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_odd_files_are_refused_with_a_message(path: Path) -> None:
    """None of these follows our contract: each must be refused in words, never crash."""
    result = load_workbook(path)
    assert not result.ok
    assert result.errors
    for problem in result.problems:
        assert problem.message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message), problem.message


def test_encrypted_workbook_is_named_as_unreadable() -> None:
    result = load_workbook(REAL / "calamine__pass_protected.xlsx")
    assert result.errors[0].sheet == ""
    assert "xlsx" in result.errors[0].message.lower()


def test_1904_date_system(tmp_path: Path) -> None:
    """Real dates and serial numbers typed into date columns of a Mac (1904) workbook."""

    def tweak(wb: Workbook) -> None:
        wb.epoch = CALENDAR_MAC_1904

    obs = [
        observation("A", datetime.date(2020, 12, 31), 52.0),
        observation("B", 43950, "87.6"),  # serial 43950 in the 1904 system = 2024-04-30
    ]
    result = load_workbook(write_valid(tmp_path / "mac.xlsx", observations=obs, tweak=tweak))
    assert result.dataset is not None, [str(p) for p in result.problems]
    assert result.dataset.history("A")[0].date == datetime.date(2020, 12, 31)
    assert result.dataset.history("B")[0].date == datetime.date(2024, 4, 30)


CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)),
    st.sampled_from(["#DIV/0!", "=1/0", "（9）", "67.7%", "2500余", "2021年5月31日", " "]),
)
TARGETS = st.sampled_from(
    [("任务", r, c) for r in range(1, 5) for c in range(1, 14)]
    + [("指标", r, c) for r in range(1, 5) for c in range(1, 12)]
    + [("数据", r, c) for r in range(1, 5) for c in range(1, 5)]
    + [("概况", r, c) for r in range(1, 8) for c in range(1, 3)]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=st.lists(st.tuples(TARGETS, CELL_VALUES), min_size=1, max_size=6))
def test_random_cell_garbage_never_raises(
    tmp_path: Path,
    changes: list[tuple[tuple[str, int, int], str | float | datetime.date | None]],
) -> None:
    def tweak(wb: Workbook) -> None:
        for (sheet, row, col), value in changes:
            if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
                value = value.encode("unicode_escape").decode()  # openpyxl refuses these
            wb[sheet].cell(row=row, column=col, value=value)

    path = write_valid(tmp_path / "fuzz.xlsx", tweak=tweak)
    result = load_workbook(path)
    assert result.ok == (result.dataset is not None)
    assert result.ok == (not result.errors)
    for problem in result.problems:
        assert problem.message
        assert problem.sheet in ("", "任务", "指标", "数据", "概况")
        assert problem.row is None or problem.row >= 1


def test_out_of_range_date_cell_is_a_message_not_a_panic(tmp_path: Path) -> None:
    """calamine panics (BaseException) on a date-formatted cell holding -1e15."""

    def tweak(wb: Workbook) -> None:
        cell = wb["数据"]["B2"]
        cell.value = -1e15
        cell.number_format = "yyyy-mm-dd"

    result = load_workbook(write_valid(tmp_path / "x.xlsx", tweak=tweak))
    assert not result.ok
    assert "无法读取工作表“数据”" in result.errors[0].message


def test_valid_sheets_builder_is_valid(tmp_path: Path) -> None:
    """Guards the fuzz test above: without garbage the workbook is publishable."""
    wb_kwargs = valid_sheets()
    assert wb_kwargs["tasks"]
    assert load_workbook(write_valid(tmp_path / "ok.xlsx")).ok
    assert openpyxl.load_workbook(tmp_path / "ok.xlsx").sheetnames[:4] == [
        "任务",
        "指标",
        "数据",
        "概况",
    ]
