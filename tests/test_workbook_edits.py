"""metrics.workbook.edits: accepted changes applied in place to the office's own workbook."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table

from metrics.contract import PROGRESS, TaskStatus
from metrics.model import Dataset, ProgressEntry
from metrics.workbook.edits import (
    EditError,
    NewObservation,
    NewProgress,
    TaskEdit,
    WorkbookEdits,
    apply_edits,
)
from metrics.workbook.loader import load_workbook
from metrics.workbook.template import DATE_FORMAT
from tests.builders import TASK_HEADERS, write_valid

JUNE = datetime.date(2021, 6, 30)
MAY_20 = datetime.date(2021, 5, 20)


def dataset(data: bytes) -> Dataset:
    result = load_workbook(data)
    assert result.errors == (), [str(p) for p in result.errors]
    assert result.dataset is not None
    return result.dataset


def book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def bundled(bundled_workbook: Path) -> bytes:
    return bundled_workbook.read_bytes()


def staff_tweaks(wb: Workbook) -> None:
    """What an office does to its workbook: title rows, own columns, notes, a summary."""
    tasks = wb["任务"]
    tasks.insert_rows(1, amount=2)
    tasks["A1"] = "惠济区巡视整改任务台账（内部）"
    extra = len(TASK_HEADERS) + 1
    tasks.cell(3, extra, "经办人")
    for row, name in ((4, "张三"), (5, "李四"), (6, "王五")):
        tasks.cell(row, extra, name)
    tasks["B4"].comment = Comment("方面按通报原文", "办公室")
    tasks["C5"].font = openpyxl.styles.Font(bold=True, color="FF0000")
    data = wb["数据"]
    data.insert_rows(1)
    data["A1"] = "指标数据（每月追加）"
    data["E2"] = "核对人"
    data["E3"] = "赵六"
    data["E10"] = "填表人：张三"  # a footer below the data, in the office's own column
    meta = wb["概况"]
    meta.insert_cols(1)
    summary = wb.create_sheet("汇总")
    summary["A1"] = "已完成"
    summary["B1"] = '=COUNTIF(任务!J:J,"已完成")'


@pytest.fixture
def staff(tmp_path: Path) -> bytes:
    """The small valid workbook of tests.builders with the office's own changes, and the
    任务 columns in another order (状态 before 任务)."""
    headers = list(TASK_HEADERS)
    headers.remove("状态")
    headers.insert(2, "状态")

    def tweak(wb: Workbook) -> None:
        tasks = wb["任务"]
        rows = [[c.value for c in row] for row in tasks.iter_rows()]
        tasks.delete_rows(1, tasks.max_row)
        for row in rows:
            by_header = dict(zip(TASK_HEADERS, row, strict=False))
            if row[0] == "编号":
                tasks.append(headers)
            else:
                tasks.append([by_header.get(h) for h in headers])
        staff_tweaks(wb)

    return write_valid(tmp_path / "staff.xlsx", tweak=tweak).read_bytes()


# -- nothing to change ----------------------------------------------------------------


@pytest.mark.parametrize("which", ["bundled", "staff"])
def test_no_edits_give_an_equal_dataset(which: str, bundled: bytes, staff: bytes) -> None:
    base = bundled if which == "bundled" else staff
    result = apply_edits(base, WorkbookEdits())
    assert load_workbook(result).problems == load_workbook(base).problems
    assert dataset(result) == dataset(base)


# -- 任务 -----------------------------------------------------------------------------


def test_status_change_of_one_task_in_the_bundled_workbook(bundled: bytes) -> None:
    edits = WorkbookEdits(tasks=(TaskEdit(9, TaskStatus.DONE, completed_on=JUNE, closed_on=JUNE),))
    before, after = dataset(bundled), dataset(apply_edits(bundled, edits))
    task = after.task(9)
    assert task is not None
    assert (task.status, task.completed_on, task.closed_on) == (TaskStatus.DONE, JUNE, JUNE)
    assert [t for t in after.tasks if t.id != 9] == [t for t in before.tasks if t.id != 9]
    assert after.indicators == before.indicators and after.observations == before.observations


def test_status_change_keeps_the_office_s_workbook(staff: bytes) -> None:
    edits = WorkbookEdits(
        tasks=(TaskEdit(3, TaskStatus.DONE, completed_on=MAY_20, closed_on=MAY_20),)
    )
    result = apply_edits(staff, edits)
    before, after = dataset(staff), dataset(result)
    edited = after.task(3)
    assert edited is not None and edited.row == 6
    assert (edited.status, edited.completed_on, edited.closed_on) == (
        TaskStatus.DONE,
        MAY_20,
        MAY_20,
    )
    assert after.tasks[:2] == before.tasks[:2]
    tasks = book(result)["任务"]
    extra = len(TASK_HEADERS) + 1
    assert [tasks.cell(row, extra).value for row in (3, 4, 5, 6)] == [
        "经办人",
        "张三",
        "李四",
        "王五",
    ]
    assert tasks["A1"].value == "惠济区巡视整改任务台账（内部）"
    assert tasks["B4"].comment is not None and tasks["B4"].comment.text == "方面按通报原文"
    assert tasks["C5"].font.bold
    completed = tasks.cell(6, TASK_HEADERS.index("完成日期") + 1)
    assert completed.is_date and completed.number_format == DATE_FORMAT
    assert book(result)["汇总"]["B1"].value == '=COUNTIF(任务!J:J,"已完成")'  # kept


def test_a_task_id_written_in_brackets_is_found(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb["任务"]["A3"] = "（2）"

    base = write_valid(tmp_path / "x.xlsx", tweak=tweak).read_bytes()
    result = apply_edits(base, WorkbookEdits(tasks=(TaskEdit(2, TaskStatus.DONE),)))
    task = dataset(result).task(2)
    assert task is not None and task.status is TaskStatus.DONE
    assert book(result)["任务"]["A3"].value == "（2）"


# -- 概况 -----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["bundled", "staff"])
def test_as_of_updated(which: str, bundled: bytes, staff: bytes) -> None:
    base = bundled if which == "bundled" else staff
    result = apply_edits(base, WorkbookEdits(as_of=JUNE))
    assert dataset(result).meta.as_of == JUNE
    assert dataclasses.replace(dataset(result).meta, as_of=dataset(base).meta.as_of) == (
        dataset(base).meta
    )


# -- 数据 -----------------------------------------------------------------------------


def test_observations_appended_and_read_back(staff: bytes) -> None:
    edits = WorkbookEdits(
        observations=(
            NewObservation("B", MAY_20, "90.5", note="5月数"),
            NewObservation("C", MAY_20, "2500余"),
            NewObservation(" Ｃ ", datetime.date(2021, 5, 25), "-3"),  # id as staff type it
        )
    )
    result = apply_edits(staff, edits)
    data = dataset(result)
    b = data.history("B")[-1]
    assert (b.date, b.value, b.qualifier, b.note) == (MAY_20, 90.5, None, "5月数")
    c = {o.date: o for o in data.history("C")}
    approx, minus = c[MAY_20], c[datetime.date(2021, 5, 25)]
    assert approx.qualifier is not None
    assert (approx.value, approx.text, approx.qualifier.word) == (2500, "2500余", "余")
    assert minus.value == -3
    # below the footer row 10 (the office's own column), contract columns only
    sheet = book(result)["数据"]
    assert (b.row, approx.row, minus.row) == (11, 12, 13)
    assert sheet["C11"].value == 90.5 and sheet["C11"].data_type == "n"
    assert sheet["C12"].value == "2500余" and sheet["C12"].data_type == "s"
    assert sheet["C13"].value == -3 and sheet["C13"].data_type == "n"
    assert sheet["B11"].is_date and sheet["B11"].number_format == DATE_FORMAT
    assert sheet["A13"].value == "C"
    assert [sheet.cell(row, 5).value for row in (11, 12, 13)] == [None, None, None]


def test_observations_on_the_bundled_workbook(bundled: bytes) -> None:
    edits = WorkbookEdits(
        as_of=JUNE,
        observations=(
            NewObservation("T09-06", JUNE, "9.8万"),
            NewObservation("T09-07", JUNE, "70.1%"),
        ),
    )
    result = apply_edits(bundled, edits)
    data = dataset(result)
    assert [o.value for o in data.history("T09-06")] == [9.62, pytest.approx(9.8)]
    assert data.history("T09-07")[-1].value == pytest.approx(70.1)
    before, after = book(bundled)["数据"], book(result)["数据"]
    assert after.max_row == before.max_row + 2
    # the template's auto-filter takes in the new rows
    assert after.auto_filter.ref == before.auto_filter.ref.replace(
        str(before.max_row), str(after.max_row)
    )


def test_an_excel_table_takes_in_the_new_rows(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb["数据"].add_table(Table(displayName="数据表", ref="A1:D4"))

    base = write_valid(tmp_path / "x.xlsx", tweak=tweak).read_bytes()
    edits = WorkbookEdits(observations=(NewObservation("A", MAY_20, "50"),))
    result = apply_edits(base, edits)
    assert book(result)["数据"].tables["数据表"].ref == "A1:D5"
    assert dataset(result).history("A")[-1].value == 50


# -- 进展 -----------------------------------------------------------------------------


def test_progress_sheet_created_when_missing(staff: bytes) -> None:
    new = NewProgress(3, "2021年5月进展", MAY_20, "一是……", "区住建局", "照片.jpg、台账.xlsx")
    result = apply_edits(staff, WorkbookEdits(progress=(new,)))
    names = book(result).sheetnames
    assert names.index("进展") == names.index("数据") + 1
    assert names.index("进展") < names.index("说明")
    sheet = book(result)["进展"]
    assert [c.value for c in sheet[1]] == list(PROGRESS.headers)
    assert sheet["A1"].font.bold and sheet["A1"].fill.fill_type == "solid"
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].is_date and sheet["C2"].number_format == DATE_FORMAT
    assert sheet["D2"].alignment.wrap_text
    assert dataset(result).progress == (
        ProgressEntry(
            3, "2021年5月进展", MAY_20, "一是……", "区住建局", "照片.jpg、台账.xlsx", "", 2
        ),
    )


def test_progress_appended_to_the_bundled_workbook(bundled: bytes) -> None:
    first = NewProgress(9, "2021年6月进展", JUNE, "新开工安置房30万平方米", "区住建局")
    once = apply_edits(bundled, WorkbookEdits(as_of=JUNE, progress=(first,)))
    second = NewProgress(9, "2021年7月进展", datetime.date(2021, 7, 31), "回迁率70%", "区住建局")
    twice = apply_edits(once, WorkbookEdits(as_of=datetime.date(2021, 7, 31), progress=(second,)))
    entries = dataset(twice).progress_of(9)
    assert [(e.round, e.text, e.row) for e in entries] == [
        ("2021年6月进展", "新开工安置房30万平方米", 2),
        ("2021年7月进展", "回迁率70%", 3),
    ]
    assert book(twice).sheetnames.count("进展") == 1


def test_progress_written_into_a_blank_progress_sheet(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb.create_sheet("进展")

    base = write_valid(tmp_path / "x.xlsx", tweak=tweak).read_bytes()
    new = NewProgress(2, "2021年5月进展", MAY_20, "长期坚持")
    result = apply_edits(base, WorkbookEdits(progress=(new,)))
    assert book(result).sheetnames.count("进展") == 1
    assert [(e.task_id, e.row) for e in dataset(result).progress] == [(2, 2)]


def test_progress_in_an_existing_sheet_with_moved_header(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        sheet = wb.create_sheet("进展")
        sheet.append(["各单位进展台账"])
        sheet.append(["轮次", "任务编号", "报送单位", "进展情况", "日期", "审核人"])  # no 佐证/备注
        sheet.append(["2021年4月进展", 1, "区委办", "已学习", datetime.date(2021, 4, 30), "钱七"])

    base = write_valid(tmp_path / "x.xlsx", tweak=tweak).read_bytes()
    new = NewProgress(1, "2021年5月进展", MAY_20, "再学习", "区委办", evidence="记录.pdf")
    result = apply_edits(base, WorkbookEdits(progress=(new,)))
    entries = dataset(result).progress_of(1)
    assert [(e.round, e.evidence, e.row) for e in entries] == [
        ("2021年4月进展", "", 3),
        ("2021年5月进展", "记录.pdf", 4),
    ]
    sheet = book(result)["进展"]
    assert sheet["G2"].value == "佐证材料"  # the optional column, added after the office's own
    assert sheet["F3"].value == "钱七" and sheet["F4"].value is None


def test_formula_looking_text_is_written_as_text(staff: bytes) -> None:
    texts = ("=1+1", "+86 371", "-已完成", "@SUM(A1)")
    edits = WorkbookEdits(
        observations=(NewObservation("C", MAY_20, "67.7%", note='=HYPERLINK("x")'),),
        progress=tuple(NewProgress(3, t, MAY_20, t, unit=t, note="#N/A") for t in texts),
    )
    result = apply_edits(staff, edits)
    data = dataset(result)
    assert [(e.round, e.text, e.unit, e.note) for e in data.progress] == [
        (t, t, t, "#N/A") for t in texts
    ]
    assert max(data.history("C"), key=lambda o: o.row).note == '=HYPERLINK("x")'
    sheet = book(result)["进展"]
    for letter in "BDEG":  # 轮次, 进展情况, 报送单位, 备注
        cells = [sheet[f"{letter}{row}"] for row in range(2, 2 + len(texts))]
        assert all(cell.data_type == "s" for cell in cells), letter
    assert book(result)["数据"]["D11"].data_type == "s"  # below the footer row 10


# -- formulas the loader reads ---------------------------------------------------------


def _with_cached_value(data: bytes, formula: str, value: str) -> bytes:
    """openpyxl saves no cached value: add one, as Excel would."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(
                    rb"<f>" + re.escape(formula.encode()) + rb"</f>(<v>\s*</v>|<v\s*/>)?",
                    b"<f>" + formula.encode() + b"</f><v>" + value.encode() + b"</v>",
                    part,
                )
            target.writestr(info, part)
    return out.getvalue()


def test_formulas_in_contract_columns_become_their_values(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb["概况"]["B6"] = "=1+2"  # 报告任务数
        wb["任务"]["P2"] = "=2*3"  # the office's own column

    written = write_valid(tmp_path / "x.xlsx", tweak=tweak).read_bytes()
    base = _with_cached_value(_with_cached_value(written, "1+2", "3"), "2*3", "6")
    assert load_workbook(base).problems == ()
    result = apply_edits(base, WorkbookEdits(as_of=JUNE))
    assert dataset(result).meta.reported_total == 3
    assert book(result)["概况"]["B6"].value == 3
    assert book(result)["任务"]["P2"].value == "=2*3"


# -- refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edits", "words"),
    [
        (
            WorkbookEdits(tasks=(TaskEdit(99, TaskStatus.DONE),)),
            "任务编号 99 在工作表“任务”中不存在",
        ),
        (
            WorkbookEdits(observations=(NewObservation("NOPE", MAY_20, "1"),)),
            "指标编号“NOPE”在工作表“指标”中不存在",
        ),
        (
            WorkbookEdits(progress=(NewProgress(99, "2021年5月进展", MAY_20, "x"),)),
            "任务编号 99 在工作表“任务”中不存在",
        ),
        # a change that would make the workbook wrong: 销号 of a task still 正在整改
        (WorkbookEdits(tasks=(TaskEdit(3, closed_on=MAY_20),)), "销号日期"),
        # a figure the loader cannot read
        (WorkbookEdits(observations=(NewObservation("C", MAY_20, "三五家"),)), "数值"),
        (WorkbookEdits(progress=(NewProgress(3, "2021年5月进展", MAY_20, "  "),)), "进展情况"),
        (WorkbookEdits(progress=(NewProgress(3, "r", MAY_20, "a\x01b"),)), "控制字符"),
    ],
)
def test_refused(staff: bytes, edits: WorkbookEdits, words: str) -> None:
    with pytest.raises(EditError, match=words) as info:
        apply_edits(staff, edits)
    assert re.search(r"[\u4e00-\u9fff]", str(info.value))


def test_not_a_workbook() -> None:
    with pytest.raises(EditError, match="无法读取该文件"):
        apply_edits(b"not a workbook", WorkbookEdits())


def test_an_edited_workbook_passes_the_intake(bundled: bytes) -> None:
    """The merged version is published like an upload: package checks, child parse."""
    from metrics.intake.limits import IntakeLimits
    from metrics.intake.untrusted import load_untrusted

    new = NewProgress(9, "2021年6月进展", JUNE, "回迁率70%", "区住建局", "台账.xlsx")
    result = apply_edits(bundled, WorkbookEdits(as_of=JUNE, progress=(new,)))
    checked = load_untrusted(result, IntakeLimits())
    assert checked.errors == ()
    assert checked.dataset == dataset(result)
    assert checked.dataset is not None and checked.dataset.progress_of(9)[0].evidence == "台账.xlsx"
