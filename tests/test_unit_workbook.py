"""A unit's workbook for a round: written for one unit, filled in as staff would (openpyxl
standing in for Excel), read back through the same hostile-file intake as any upload."""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from metrics.contract import TaskStatus
from metrics.intake.checks import IntakeRefused, check_package
from metrics.intake.limits import IntakeLimits
from metrics.intake.transport import decode_sheets, encode_sheets
from metrics.model import Dataset
from metrics.rounds.model import Draft, Round, TaskReport
from metrics.rounds.settings import MAX_PROGRESS_CHARS
from metrics.rounds.unit_intake import (
    SHEETS,
    UnitWorkbookResult,
    interpret_unit_workbook,
    read_unit_workbook,
)
from metrics.rounds.unit_workbook import unit_workbook_bytes, unit_workbook_name
from metrics.workbook.loader import load_workbook
from metrics.workbook.ooxml import CellIssue
from metrics.workbook.reader import RawSheet, RawWorkbook, read_workbook
from tests.hostile import catalogue, rezip
from tests.rounds_data import AS_OF, DUE, EDU, HOUSING, PARTY, round_workbook

ROUND = Round(7, "2021年6月进展", AS_OF, DUE, 1, False, "整改办张三", "2021-07-01T02:00:00+00:00")
HTML = b"<html><body><table><tr><td>1</td></tr></table></body></html>"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    loaded = load_workbook(round_workbook(tmp_path_factory.mktemp("round") / "round.xlsx"))
    assert loaded.dataset is not None
    return loaded.dataset


def opened(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def edited(data: bytes, edit: Callable[[Workbook], None]) -> bytes:
    """The workbook after a change made as in Excel (openpyxl ignores the protection)."""
    book = opened(data)
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def in_process(data: bytes, dataset: Dataset, unit: str = EDU) -> UnitWorkbookResult:
    """What the child does (rows read, sent as JSON), then the parent's interpretation,
    without a process per case."""
    answer = decode_sheets(encode_sheets(read_workbook(data, SHEETS)))
    assert isinstance(answer, RawWorkbook)
    return interpret_unit_workbook(answer, dataset, ROUND, unit)


def filled(book: Workbook) -> None:
    tasks, indicators = book["任务"], book["指标"]
    tasks["G2"] = "已完成"
    tasks["H2"] = datetime.date(2021, 6, 28)
    tasks["I2"] = "  新增学位 1.5 万个，已通过验收。  "
    tasks["I3"] = "配套学校已开工"
    indicators["G2"] = "1.5万"
    indicators["G3"] = 2  # Excel turned it into a number


# -- the written workbook -------------------------------------------------------------------


def test_the_workbook_holds_only_the_units_tasks_and_indicators(dataset: Dataset) -> None:
    book = opened(unit_workbook_bytes(dataset, ROUND, EDU))
    assert book.sheetnames == ["说明", "任务", "指标", "_meta"]
    tasks, indicators = book["任务"], book["指标"]
    headers = "任务编号 方面 问题 任务 牵头单位 当前状态 申报状态 完成日期 本期进展 申请延期至"
    assert " ".join(str(c.value) for c in tasks[1]) == headers
    assert [r[0] for r in tasks.iter_rows(min_row=2, values_only=True)] == [1, 3]
    assert tasks["D3"].value == "安置区配套学校" and tasks["E3"].value == HOUSING
    assert tasks["F2"].value == tasks["G2"].value == "正在整改"  # pre-filled: unchanged
    headers = "指标编号 任务编号 指标名称 单位 上期数值 上期日期 本期数值 备注"
    assert " ".join(str(c.value) for c in indicators[1]) == headers
    rows = list(indicators.iter_rows(min_row=2, max_col=7, values_only=True))
    assert rows == [
        ("T01-01", 1, "新增小学学位", "个", "13050个", datetime.datetime(2021, 5, 31), None),
        ("T03-01", 3, "配套学校开工数", "所", None, None, None),
    ]
    instructions = "\n".join(str(c.value) for row in book["说明"].iter_rows() for c in row)
    for words in ("2021年6月进展", "2021-06-30", "2021-07-05", EDU, "已完成”即申请销号", "9.62万"):
        assert words in instructions


def test_sheets_are_protected_with_only_the_white_cells_open(dataset: Dataset) -> None:
    book = opened(unit_workbook_bytes(dataset, ROUND, EDU))
    assert book.security is not None and book.security.lockStructure
    for name in book.sheetnames:
        assert book[name].protection.sheet, name
        assert not book[name].protection.password, "a guard against slips, no password"
    tasks, indicators = book["任务"], book["指标"]
    for sheet, open_columns in ((tasks, "GHIJ"), (indicators, "G")):
        assert sheet.freeze_panes == "B2"
        for row in sheet.iter_rows(min_row=2):
            for index, cell in enumerate(row, start=1):
                fillable = get_column_letter(index) in open_columns
                assert cell.protection.locked is not fillable, cell.coordinate
                colour = cell.fill.fgColor.rgb
                assert colour == ("00FFFFFF" if fillable else "00E7E6E6"), cell.coordinate
        assert all(c.protection.locked for c in sheet[1])  # the header
    assert indicators["G2"].number_format == "@"  # typed text stays text
    assert tasks.column_dimensions["I"].width == 60
    (dropdown,) = [v for v in tasks.data_validations.dataValidation if v.type == "list"]
    assert dropdown.formula1 == '"' + ",".join(s.value for s in TaskStatus) + '"'
    assert str(dropdown.sqref) == "G2:G3"
    meta = book["_meta"]
    assert meta.sheet_state == "hidden"
    assert [(r[0], r[1]) for r in meta.iter_rows(max_row=3, values_only=True)] == [
        ("轮次编号", 7),
        ("单位", EDU),
        ("轮次名称", "2021年6月进展"),
    ]


def test_the_file_is_deterministic_and_named_for_the_unit(dataset: Dataset) -> None:
    assert unit_workbook_bytes(dataset, ROUND, EDU) == unit_workbook_bytes(dataset, ROUND, EDU)
    assert unit_workbook_name(EDU, ROUND) == "区教育局-2021年6月进展.xlsx"
    odd = Round(8, ' 6月/7月:"进展"? ', AS_OF, DUE, 1, False, "", "")
    assert unit_workbook_name("区教育局\\<局>", odd) == "区教育局_局-6月_7月_进展.xlsx"


def test_drafts_are_pre_filled_and_read_back_unchanged(dataset: Dataset) -> None:
    report = TaskReport(
        1,
        TaskStatus.DONE,
        "已完成验收",
        MappingProxyType({"T01-01": "1.5万"}),
        datetime.date(2021, 6, 28),
    )
    draft = Draft(7, EDU, report, 3, "教育局小赵", "2021-07-01T02:00:00+00:00")
    data = unit_workbook_bytes(dataset, ROUND, EDU, {1: draft})
    book = opened(data)
    assert [book["任务"][f"{c}2"].value for c in "GHI"] == [
        "已完成",
        datetime.datetime(2021, 6, 28),
        "已完成验收",
    ]
    assert book["指标"]["G2"].value == "1.5万"
    assert in_process(data, dataset).reports == (report,)


def test_control_characters_in_the_data_are_dropped_from_cells(dataset: Dataset) -> None:
    first = replace(dataset.tasks[0], title="公办教育\x01发展滞后")
    odd = Dataset(dataset.meta, (first, *dataset.tasks[1:]), dataset.indicators, ())
    report = TaskReport(1, None, "第一段\x0b第二段")
    draft = Draft(7, EDU, report, 1, "教育局小赵", "2021-07-01T02:00:00+00:00")
    data = unit_workbook_bytes(odd, ROUND, EDU, {1: draft})
    assert opened(data)["任务"]["D2"].value == "公办教育发展滞后"
    result = in_process(data, odd)
    assert result.ok and result.reports == (TaskReport(1, None, "第一段第二段"),)


# -- reading a returned file -----------------------------------------------------------------


def test_an_untouched_workbook_reports_nothing(dataset: Dataset) -> None:
    result = read_unit_workbook(unit_workbook_bytes(dataset, ROUND, EDU), dataset, ROUND, EDU)
    assert result.ok and result.reports == () and result.problems == ()


def test_a_filled_workbook_reads_back_as_task_reports(dataset: Dataset) -> None:
    data = edited(unit_workbook_bytes(dataset, ROUND, EDU), filled)
    result = read_unit_workbook(data, dataset, ROUND, EDU, limits=IntakeLimits())
    assert result.ok, [str(p) for p in result.problems]
    assert result.problems == ()
    assert result.reports == (
        TaskReport(
            1,
            TaskStatus.DONE,
            "新增学位 1.5 万个，已通过验收。",
            MappingProxyType({"T01-01": "1.5万"}),
            datetime.date(2021, 6, 28),
        ),
        # 申报状态 left at the current status: unchanged (None); the number cell as text
        TaskReport(3, None, "配套学校已开工", MappingProxyType({"T03-01": "2"})),
    )


def _row(sheet: str, values: list[object]) -> Callable[[Workbook], None]:
    return lambda book: book[sheet].append(values)


def _set(sheet: str, **cells: str | int | datetime.date | None) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        for where, value in cells.items():
            book[sheet][where] = value

    return edit


def _duplicate(sheet: str) -> Callable[[Workbook], None]:
    return lambda book: book[sheet].append([c.value for c in book[sheet][2]])


def _drop(sheet: str) -> Callable[[Workbook], None]:
    return lambda book: book.remove(book[sheet])


TASK, IND = "任务", "指标"
LONG = "进" * (MAX_PROGRESS_CHARS + 1)
REFUSALS: list[tuple[str, Callable[[Workbook], None], tuple[str, int | None, str | None], str]] = [
    (
        "another unit's task",
        _set(TASK, A3=2, D3="回迁安置进展缓慢"),
        (TASK, 3, "任务编号"),
        "第 3 行的任务（2）不是区教育局牵头或参与的任务：请删除这一行，不要在单位工作簿中添加任务",
    ),
    (
        "an added task",
        _row(TASK, [9, "", "", "新任务"]),
        (TASK, 4, "任务编号"),
        "（9）不在当前数据中",
    ),
    (
        "a changed task name",
        _set(TASK, D2="公办"),
        (TASK, 2, "任务"),
        "任务（1）的名称被改成了“公办”",
    ),
    ("a duplicated task", _duplicate(TASK), (TASK, 4, "任务编号"), "在第 2 行已有一行"),
    ("an unreadable task number", _set(TASK, A3="三"), (TASK, 3, "任务编号"), "任务编号："),
    ("an unreadable status", _set(TASK, G2="完成了"), (TASK, 2, "申报状态"), "无法识别的状态"),
    ("a bad completion date", _set(TASK, H2="六月底"), (TASK, 2, "完成日期"), "完成日期："),
    ("a date but not done", _set(TASK, H3="2021-06-28"), (TASK, 3, "完成日期"), "不用填完成日期"),
    ("progress too long", _set(TASK, I2=LONG), (TASK, 2, "本期进展"), "有 5001 个字，最多 5000 个"),
    (
        "another unit's indicator",
        _set(IND, A3="T02-01", C3="回迁率"),
        (IND, 3, "指标编号"),
        "第 3 行的指标 T02-01 不属于区教育局牵头或参与的任务：请删除这一行",
    ),
    ("an added indicator", _row(IND, ["T01-09", 1, "新"]), (IND, 4, "指标编号"), "不在当前数据中"),
    ("a changed indicator name", _set(IND, C2="学位"), (IND, 2, "指标名称"), "名称被改成了“学位”"),
    ("an indicator moved", _set(IND, B2=3), (IND, 2, "任务编号"), "任务编号已锁定"),
    ("a duplicated indicator", _duplicate(IND), (IND, 4, "指标编号"), "在第 2 行已有一行"),
    ("no number", _set(IND, G2="很多"), (IND, 2, "本期数值"), "本期数值：无法识别的数值“很多”"),
    ("wrong unit", _set(IND, G2="3亿元"), (IND, 2, "本期数值"), "本期数值：单位“亿元”不能换算"),
    ("a formula", _set(IND, G2="=1/0"), (IND, 2, "本期数值"), "没有保存计算结果的公式"),
    ("a missing sheet", _drop(IND), (IND, None, None), "缺少工作表“指标”"),
    ("a renamed column", _set(TASK, G1="状态"), (TASK, 1, "申报状态"), "缺少“申报状态”列"),
    (
        "a header deleted",
        _set(IND, A1=None),
        (IND, None, None),
        "找不到表头（第 1 行应有“指标编号”",
    ),
    (
        "another round",
        _set("_meta", B1=6, B3="2021年5月进展"),
        ("_meta", 1, "轮次编号"),
        "这是轮次“2021年5月进展”（编号 6）的工作簿，当前轮次是“2021年6月进展”（编号 7）",
    ),
]


@pytest.mark.parametrize(
    ("edit", "where", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_each_refusal_names_sheet_row_and_column(
    dataset: Dataset,
    edit: Callable[[Workbook], None],
    where: tuple[str, int | None, str | None],
    words: str,
) -> None:
    base = edited(unit_workbook_bytes(dataset, ROUND, EDU), filled)
    result = in_process(edited(base, edit), dataset)
    assert not result.ok and result.reports == ()
    found = [p for p in result.errors if (p.sheet, p.row, p.column) == where]
    assert found, [str(p) for p in result.problems]
    assert any(words in p.message for p in found), [p.message for p in found]


def test_a_closed_task_cannot_be_reopened(dataset: Dataset) -> None:
    data = edited(unit_workbook_bytes(dataset, ROUND, PARTY), _set("任务", G2="正在整改"))
    (error,) = in_process(data, dataset, PARTY).errors
    assert (error.sheet, error.row, error.column) == ("任务", 2, "申报状态")
    assert "已销号（已完成）：单位不能改回“正在整改”" in error.message


def test_a_file_without_meta_is_read_with_a_warning(dataset: Dataset) -> None:
    def copied_elsewhere(book: Workbook) -> None:
        filled(book)
        book.remove(book["_meta"])

    data = edited(unit_workbook_bytes(dataset, ROUND, EDU), copied_elsewhere)
    result = in_process(data, dataset)
    assert result.ok and [r.task_id for r in result.reports] == [1, 3]
    (warning,) = result.problems
    assert warning.sheet == "_meta" and not warning.is_error
    assert "如果是把表格复制到了新文件" in warning.message


def test_rows_missing_from_the_file_are_named(dataset: Dataset) -> None:
    def without_task_3(book: Workbook) -> None:
        book["任务"].delete_rows(3)
        book["指标"].delete_rows(3)

    result = in_process(edited(unit_workbook_bytes(dataset, ROUND, EDU), without_task_3), dataset)
    assert result.ok
    assert [(p.sheet, p.message.split("：")[0]) for p in result.problems] == [
        ("任务", "本单位的任务（3）不在表中"),
        ("指标", "本单位的指标 T03-01 不在表中"),
    ]


def test_another_units_workbook_is_refused(dataset: Dataset) -> None:
    data = edited(unit_workbook_bytes(dataset, ROUND, HOUSING), _set("任务", G2="已完成"))
    result = read_unit_workbook(data, dataset, ROUND, EDU, limits=IntakeLimits())
    assert not result.ok and result.reports == ()
    first = result.errors[0]
    assert (first.sheet, first.row, first.column) == ("_meta", 2, "单位")
    assert first.message.startswith("这是“区住建局”的工作簿，不是“区教育局”的")
    # the real check, whatever _meta says: the rows are not 区教育局's
    assert any(p.sheet == "任务" and "不是区教育局牵头或参与" in p.message for p in result.errors)


# -- hostile files -----------------------------------------------------------------------------


def intake_message(data: bytes) -> str | None:
    try:
        check_package(data, IntakeLimits())
    except IntakeRefused as exc:
        return str(exc)
    return None


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # the catalogue
def test_hostile_files_are_refused_with_the_intakes_message(
    dataset: Dataset, tmp_path: Path
) -> None:
    own = unit_workbook_bytes(dataset, ROUND, EDU)
    bomb = rezip(own, add={"xl/media/p.xml": b" " * 5_000_000})
    for data, words in ((HTML, "网页（HTML）文件"), (bomb, "压缩炸弹")):
        result = read_unit_workbook(data, dataset, ROUND, EDU, limits=IntakeLimits())
        assert result.reports == ()
        (error,) = result.problems
        assert error.message == intake_message(data) and words in error.message
    for hostile in catalogue(tmp_path):
        result = read_unit_workbook(hostile.data, dataset, ROUND, EDU, limits=IntakeLimits())
        assert not result.ok and result.reports == (), hostile.name
        expected = intake_message(hostile.data)
        if expected is not None:
            assert result.errors[0].message == expected, hostile.name


def test_the_child_is_capped_in_time_and_memory(dataset: Dataset) -> None:
    data = unit_workbook_bytes(dataset, ROUND, EDU)
    slow = read_unit_workbook(data, dataset, ROUND, EDU, limits=IntakeLimits(parse_seconds=0.001))
    assert slow.reports == () and "秒仍未完成" in slow.errors[0].message
    small = IntakeLimits(parse_memory_bytes=1024 * 1024)
    starved = read_unit_workbook(data, dataset, ROUND, EDU, limits=small)
    assert starved.reports == () and "异常退出" in starved.errors[0].message
    assert read_unit_workbook(data, dataset, ROUND, EDU, limits=IntakeLimits()).ok


def test_the_rows_travel_as_json_safe_values() -> None:
    moment = datetime.datetime(2021, 6, 30, 8, 5)
    rows = [[1.0, "a", True, ""], [moment, moment.replace(hour=0, minute=0), math.inf]]
    rows.append([datetime.date(2021, 6, 1), datetime.time(8, 0), None])
    issue = CellIssue("任务 ", 3, 2, "error", "#N/A")
    raw = RawWorkbook({"任务": RawSheet("任务 ", rows, hidden=True)}, True, (issue,))
    again = decode_sheets(encode_sheets(raw))
    assert isinstance(again, RawWorkbook) and again.date1904 and again.cell_issues == (issue,)
    assert again.sheets["任务"] == RawSheet(
        "任务 ",
        (
            (1.0, "a", True, ""),
            ("2021-06-30 08:05:00", "2021-06-30", "inf"),
            ("2021-06-01", "08:00:00", None),
        ),
        hidden=True,
    )
    assert decode_sheets(encode_sheets("无法读取")) == "无法读取"
    assert decode_sheets(b"") is None and decode_sheets(b"garbage") is None
    assert decode_sheets(b'{"format": "other"}') is None
