"""Tests for metrics.workbook.template and its parts (bundled workbook, blank template)."""

from __future__ import annotations

import datetime
import io
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine

from metrics.contract import (
    CONTRACT_SHEETS,
    INDICATORS,
    INSTRUCTIONS_SHEET,
    META,
    META_KEYS,
    OBSERVATIONS,
    PROGRESS,
    REPORT_TEXT,
    TASKS,
    Direction,
    SheetSpec,
    TargetKind,
    TaskStatus,
)
from metrics.workbook.template import (
    CREATOR,
    DATE_FORMAT,
    FIXED_TIMESTAMP,
    SHEET_ORDER,
    VALIDATION_LAST_ROW,
    WorkbookValueError,
    template_bytes,
    workbook_bytes,
    write_template,
    write_workbook,
)
from metrics.workbook.workbook_diff import diff_workbooks, read_cell_values

AS_OF = datetime.date(2021, 5, 31)
FEEDBACK = datetime.date(2021, 2, 4)

TASK_ROWS: tuple[Mapping[str, object], ...] = (
    {
        "id": 1,
        "category": "(一)学习贯彻……",
        "problem": "1.理论指导实践有差距",
        "title": "理论学习表面化",
        "measures": "一是……；二是……",
        "lead_unit": "区委",
        "responsible_units": "区委、区纪委监委",
        "responsible_leader": "张三",
        "deadline": datetime.date(2021, 6, 30),
        "status": "已完成",
        "completed_on": datetime.date(2021, 5, 10),
        "closed_on": datetime.date(2021, 5, 20),
        "note": "按报告总数推断",
    },
    {
        "id": "(9)",  # the loader accepts "(9)": written as text
        "category": "(二)……",
        "problem": "2.……",
        "title": "回迁安置进展缓慢",
        "status": TaskStatus.IN_PROGRESS,  # enum members are written as their value
        "deadline": None,
    },
)
INDICATOR_ROWS: tuple[Mapping[str, object], ...] = (
    {
        "id": "T01-01",
        "task_id": 1,
        "name": "学习次数",
        "unit": "次",
        "direction": "越大越好",
        "baseline": 0,
        "baseline_date": FEEDBACK,
        "target": 30.5,
        "target_date": datetime.date(2021, 12, 31),
        "source": "2020年9月至今,30次……",
        "note": "目标按全年推算",
    },
    {
        "id": "T09-01",
        "task_id": 9,
        "name": "回迁率",
        "unit": "%",
        "direction": Direction.MONITOR_ONLY,
    },
)
OBSERVATION_ROWS: tuple[Mapping[str, object], ...] = (
    {"indicator_id": "T01-01", "date": AS_OF, "value": 30, "note": "累计数"},
    {"indicator_id": "T01-01", "date": datetime.date(2021, 4, 30), "value": 12.5},
    {"indicator_id": "T09-01", "date": AS_OF, "value": "67.7%"},
    {"indicator_id": "T09-01", "date": AS_OF, "value": "2500余"},
    {"indicator_id": "T09-01", "date": AS_OF, "value": "67.7"},
    {"indicator_id": "T09-01", "date": AS_OF, "value": "=1+1"},
    {"indicator_id": "T09-01", "date": AS_OF, "value": "#N/A"},
)
PROGRESS_ROWS: tuple[Mapping[str, object], ...] = (
    {
        "task_id": 1,
        "round": "2021年5月进展",
        "date": datetime.date(2021, 5, 20),
        "text": "一是组织专题学习；二是……",
        "unit": "区委办",
        "evidence": "学习记录.pdf、签到表.jpg",
        "note": "=不是公式",
    },
    {"task_id": "(9)", "round": "2021年5月进展", "date": AS_OF, "text": "回迁67.7%"},
)
META_VALUES: Mapping[str, object] = {
    "title": "中共惠济区委关于巡视整改进展情况的通报",
    "organisation": "中共惠济区委",
    "as_of": AS_OF,
    "feedback_date": FEEDBACK,
    "reported_total": 35,
    "reported_completed": 30,
}
META_NOTES: Mapping[str, str] = {"as_of": "报告称“截至目前”，取 2021年5月31日。"}


def _col(spec: SheetSpec, field: str) -> int:
    """1-based column number of ``field`` in ``spec``."""
    return spec.columns.index(spec.column(field)) + 1


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("writer") / "bundled.xlsx"
    write_workbook(
        path,
        tasks=TASK_ROWS,
        indicators=INDICATOR_ROWS,
        observations=OBSERVATION_ROWS,
        progress=PROGRESS_ROWS,
        meta=META_VALUES,
        meta_notes=META_NOTES,
    )
    return path


@pytest.fixture(scope="module")
def book(written: Path) -> Any:
    return openpyxl.load_workbook(written)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("writer") / "template.xlsx"
    write_template(path)
    return path


# ---------------------------------------------------------------------------
# Shape


def test_sheet_order(book: Any) -> None:
    assert book.sheetnames == list(SHEET_ORDER)
    expected = (
        META.name,
        TASKS.name,
        INDICATORS.name,
        OBSERVATIONS.name,
        PROGRESS.name,
        REPORT_TEXT.name,
        INSTRUCTIONS_SHEET,
    )
    assert expected == SHEET_ORDER
    assert book.active.title == META.name  # staff land on 概况


@pytest.mark.parametrize("spec", CONTRACT_SHEETS, ids=lambda s: s.name)
def test_headers_follow_the_contract(book: Any, spec: SheetSpec) -> None:
    worksheet = book[spec.name]
    headers = [cell.value for cell in worksheet[1]]
    assert headers == list(spec.headers)
    for cell in worksheet[1]:
        assert cell.font.bold
        assert cell.fill.fill_type == "solid"
        assert cell.alignment.wrap_text


@pytest.mark.parametrize("spec", CONTRACT_SHEETS, ids=lambda s: s.name)
def test_frozen_header_and_widths(book: Any, spec: SheetSpec) -> None:
    worksheet = book[spec.name]
    assert worksheet.freeze_panes == "A2"
    for index, column in enumerate(spec.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        assert worksheet.column_dimensions[letter].width == column.width


@pytest.mark.parametrize("spec", (TASKS, INDICATORS, OBSERVATIONS, PROGRESS), ids=lambda s: s.name)
def test_auto_filter_on_data_sheets(book: Any, spec: SheetSpec) -> None:
    ref = book[spec.name].auto_filter.ref
    assert ref is not None and ref.startswith("A1:")
    last = openpyxl.utils.get_column_letter(len(spec.columns))
    assert ref.split(":")[1].rstrip("0123456789") == last


def test_no_auto_filter_on_meta(book: Any) -> None:
    assert not book[META.name].auto_filter.ref


def _validations(worksheet: Any) -> dict[str, Any]:
    return {str(dv.sqref): dv for dv in worksheet.data_validations.dataValidation}


@pytest.mark.parametrize(
    ("spec", "field", "choices"),
    [
        (TASKS, "status", [s.value for s in TaskStatus]),
        (TASKS, "extension_decision", ["同意", "不同意", "待定"]),
        (INDICATORS, "direction", [d.value for d in Direction]),
        (INDICATORS, "target_kind", [k.value for k in TargetKind]),
    ],
    ids=["状态", "延期决定", "方向", "目标性质"],
)
@pytest.mark.parametrize("which", ["bundled", "template"])
def test_drop_down_lists(
    written: Path,
    template: Path,
    which: str,
    spec: SheetSpec,
    field: str,
    choices: list[str],
) -> None:
    path = written if which == "bundled" else template
    worksheet = openpyxl.load_workbook(path)[spec.name]
    letter = openpyxl.utils.get_column_letter(_col(spec, field))
    validations = _validations(worksheet)
    cells = f"{letter}2:{letter}{VALIDATION_LAST_ROW}"
    assert cells in validations
    dv = validations[cells]
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(choices) + '"'
    assert dv.allow_blank
    assert dv.showErrorMessage and dv.errorStyle == "stop"
    assert dv.error == "请从下拉列表中选择：" + "、".join(choices)
    assert dv.showInputMessage and dv.prompt
    assert len(dv.errorTitle) <= 32 and len(dv.promptTitle) <= 32  # Excel's limits


def test_status_error_message_is_the_documented_one(book: Any) -> None:
    column = _col(TASKS, "status")
    (dv,) = (
        dv
        for dv in _validations(book[TASKS.name]).values()
        if str(dv.sqref).startswith(chr(ord("A") + column - 1) + "2:")
    )
    assert dv.error == "请从下拉列表中选择：已完成、基本完成、正在整改、申请延期、长期坚持、未启动"


def test_no_other_validations(book: Any) -> None:
    for name in (META.name, OBSERVATIONS.name, PROGRESS.name, INSTRUCTIONS_SHEET):
        assert not book[name].data_validations.dataValidation


# ---------------------------------------------------------------------------
# Values


def test_task_rows(book: Any) -> None:
    worksheet = book[TASKS.name]
    first = {c.field: worksheet.cell(2, i).value for i, c in enumerate(TASKS.columns, 1)}
    expected = {
        field: (
            datetime.datetime.combine(value, datetime.time())
            if isinstance(value, datetime.date)
            else value
        )
        for field, value in TASK_ROWS[0].items()
    }
    # The optional extension columns at the end are empty for this task.
    assert first == {"extension_to": None, "extension_decision": None, **expected}
    assert worksheet.cell(3, _col(TASKS, "id")).value == "(9)"
    assert worksheet.cell(3, _col(TASKS, "status")).value == "正在整改"
    assert worksheet.cell(3, _col(TASKS, "deadline")).value is None
    assert worksheet.max_row == 3


@pytest.mark.parametrize(
    ("spec", "row", "field"),
    [
        (TASKS, 2, "deadline"),
        (TASKS, 2, "completed_on"),
        (TASKS, 2, "closed_on"),
        (INDICATORS, 2, "baseline_date"),
        (INDICATORS, 2, "target_date"),
        (OBSERVATIONS, 2, "date"),
        (OBSERVATIONS, 3, "date"),
        (PROGRESS, 2, "date"),
        (PROGRESS, 3, "date"),
    ],
)
def test_dates_are_real_dates(book: Any, spec: SheetSpec, row: int, field: str) -> None:
    cell = book[spec.name].cell(row, _col(spec, field))
    assert cell.is_date
    assert isinstance(cell.value, datetime.datetime)
    assert cell.number_format == DATE_FORMAT


def test_date_columns_are_formatted_for_new_entries(template: Path) -> None:
    worksheet = openpyxl.load_workbook(template)[TASKS.name]
    letter = openpyxl.utils.get_column_letter(_col(TASKS, "deadline"))
    assert worksheet.column_dimensions[letter].number_format == DATE_FORMAT


def test_numbers_stay_numbers(book: Any) -> None:
    indicators = book[INDICATORS.name]
    assert indicators.cell(2, _col(INDICATORS, "task_id")).value == 1
    assert indicators.cell(2, _col(INDICATORS, "baseline")).value == 0
    assert indicators.cell(2, _col(INDICATORS, "target")).value == 30.5
    data = book[OBSERVATIONS.name]
    value = _col(OBSERVATIONS, "value")
    assert data.cell(2, value).data_type == "n" and data.cell(2, value).value == 30
    assert data.cell(3, value).data_type == "n" and data.cell(3, value).value == 12.5


def test_strings_stay_strings(book: Any) -> None:
    data = book[OBSERVATIONS.name]
    value = _col(OBSERVATIONS, "value")
    cells = [data.cell(row, value) for row in range(4, 9)]
    assert [c.value for c in cells] == ["67.7%", "2500余", "67.7", "=1+1", "#N/A"]
    assert all(c.data_type == "s" for c in cells)  # no formula, no error value


def test_calamine_sees_text_not_formulas(written: Path) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(str(written))
    rows = workbook.get_sheet_by_name(OBSERVATIONS.name).to_python()
    assert [row[2] for row in rows[1:]] == [30, 12.5, "67.7%", "2500余", "67.7", "=1+1", "#N/A"]


def test_long_text_wraps_and_everything_is_top_aligned(book: Any) -> None:
    tasks = book[TASKS.name]
    for field in ("measures", "note", "title"):
        cell = tasks.cell(2, _col(TASKS, field))
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top", field
    assert book[INDICATORS.name].cell(2, _col(INDICATORS, "source")).alignment.wrap_text
    short = tasks.cell(2, _col(TASKS, "status"))
    assert not short.alignment.wrap_text and short.alignment.vertical == "top"


def test_meta_sheet(book: Any) -> None:
    worksheet = book[META.name]
    assert worksheet.freeze_panes == "A2"
    rows = list(worksheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [key.label for key in META_KEYS]
    by_field = {key.field: row for key, row in zip(META_KEYS, rows, strict=True)}
    assert by_field["title"][1] == META_VALUES["title"]
    assert by_field["as_of"][1] == datetime.datetime(2021, 5, 31)
    assert by_field["reported_total"][1] == 35
    assert by_field["as_of"][2] == META_NOTES["as_of"]  # the note wins over the hint
    hint = next(key.hint for key in META_KEYS if key.field == "feedback_date")
    assert by_field["feedback_date"][2] == hint
    as_of_row = 2 + [key.field for key in META_KEYS].index("as_of")
    assert worksheet.cell(as_of_row, 2).is_date
    assert worksheet.cell(as_of_row, 2).number_format == DATE_FORMAT


def test_meta_date_may_be_given_as_text(tmp_path: Path) -> None:
    data = workbook_bytes(meta={"as_of": "2021年5月31日"})
    worksheet = openpyxl.load_workbook(io.BytesIO(data))[META.name]
    as_of_row = 2 + [key.field for key in META_KEYS].index("as_of")
    assert worksheet.cell(as_of_row, 2).value == datetime.datetime(2021, 5, 31)


def test_properties_are_fixed(book: Any) -> None:
    assert book.properties.creator == CREATOR
    assert book.properties.created == FIXED_TIMESTAMP
    assert book.properties.modified == FIXED_TIMESTAMP


def test_output_is_deterministic() -> None:
    kwargs: dict[str, Any] = {
        "tasks": TASK_ROWS,
        "indicators": INDICATOR_ROWS,
        "observations": OBSERVATION_ROWS,
        "meta": META_VALUES,
    }
    first = workbook_bytes(**kwargs)
    assert workbook_bytes(**kwargs) == first
    assert template_bytes() == template_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2021, 5, 31, 0, 0, 0)}


def test_write_to_file_object(written: Path) -> None:
    buffer = io.BytesIO()
    write_workbook(
        buffer,
        tasks=TASK_ROWS,
        indicators=INDICATOR_ROWS,
        observations=OBSERVATION_ROWS,
        progress=PROGRESS_ROWS,
        meta=META_VALUES,
        meta_notes=META_NOTES,
    )
    assert buffer.getvalue() == written.read_bytes()


# ---------------------------------------------------------------------------
# The template


def test_template(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == list(SHEET_ORDER)
    for spec in (TASKS, INDICATORS, OBSERVATIONS, PROGRESS):
        worksheet = book[spec.name]
        assert [c.value for c in worksheet[1]] == list(spec.headers)
        assert worksheet.max_row == 1, spec.name
        assert worksheet.freeze_panes == "A2"
    meta = book[META.name]
    rows = list(meta.iter_rows(values_only=True))
    assert rows[0] == META.headers
    assert [row[0] for row in rows[1:]] == [key.label for key in META_KEYS]
    assert all(row[1] is None for row in rows[1:])
    assert [row[2] for row in rows[1:]] == [key.hint or None for key in META_KEYS]
    assert template.read_bytes() == template_bytes()


@pytest.mark.parametrize("which", ["bundled", "template"])
def test_calamine_reads_the_same_headers(written: Path, template: Path, which: str) -> None:
    path = written if which == "bundled" else template
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == list(SHEET_ORDER)
    for spec in CONTRACT_SHEETS:
        rows = workbook.get_sheet_by_name(spec.name).to_python()
        assert tuple(rows[0]) == spec.headers


# ---------------------------------------------------------------------------
# The 说明 sheet


def _instruction_text(book: Any) -> list[str]:
    worksheet = book[INSTRUCTIONS_SHEET]
    return [str(v) for row in worksheet.iter_rows(values_only=True) for v in row if v]


def test_instructions_document_the_contract(book: Any) -> None:
    cells = _instruction_text(book)
    text = "\n".join(cells)
    assert cells[0] == "整改进展看板 数据填写说明"
    for spec in (TASKS, INDICATORS, OBSERVATIONS, PROGRESS, REPORT_TEXT):
        assert spec.description in text
        for column in spec.columns:
            assert column.header in cells
            if column.hint:
                assert column.hint in cells
    for key in META_KEYS:
        assert key.label in cells
    for member in (*TaskStatus, *Direction):
        assert member.value in cells
    assert "、".join(SHEET_ORDER) in text  # the sheet order is documented
    for phrase in ("67.7%", "9.62万", "2500余", "2021/5/31", "2021年5月31日", "截至日期"):
        assert phrase in text
    assert "逐行追加" in text
    assert "可选的“进展”“报告段落”表" in text  # the optional sheet is said to be optional


def test_instructions_are_the_same_in_template(book: Any, template: Path) -> None:
    assert _instruction_text(book) == _instruction_text(openpyxl.load_workbook(template))


# ---------------------------------------------------------------------------
# Refused values


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tasks": [{"id": 1, "colour": "red"}]}, "unknown field"),
        ({"observations": [{"indicator_id": "A", "date": "2021-02-30"}]}, "not a date"),
        ({"observations": [{"indicator_id": "A", "date": 44347}]}, "not a date"),
        ({"observations": [{"indicator_id": "A", "value": True}]}, "logical"),
        ({"observations": [{"indicator_id": "A", "value": math.nan}]}, "finite"),
        ({"observations": [{"indicator_id": "A", "value": math.inf}]}, "finite"),
        ({"observations": [{"indicator_id": "A", "value": [1, 2]}]}, "type list"),
        ({"indicators": [{"id": "A", "target": AS_OF}]}, "date"),
        ({"tasks": [{"id": 1, "note": "a\x01b"}]}, "control characters"),
        ({"meta": {"as_off": AS_OF}}, "unknown key"),
        ({"meta_notes": {"titel": "x"}}, "unknown key"),
    ],
)
def test_refused_values(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(WorkbookValueError, match=message):
        workbook_bytes(**kwargs)


def test_blank_strings_are_empty_cells() -> None:
    data = workbook_bytes(tasks=[{"id": 1, "note": "   ", "deadline": ""}])
    worksheet = openpyxl.load_workbook(io.BytesIO(data))[TASKS.name]
    assert worksheet.cell(2, _col(TASKS, "note")).value is None
    assert worksheet.cell(2, _col(TASKS, "deadline")).value is None


def test_failed_write_leaves_existing_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(WorkbookValueError):
        write_workbook(target, tasks=[{"bogus": 1}])
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


# ---------------------------------------------------------------------------
# Reading back and comparing


def test_read_cell_values(written: Path) -> None:
    values = read_cell_values(written)
    assert list(values) == list(SHEET_ORDER)
    assert values[TASKS.name][0] == TASKS.headers
    assert values[OBSERVATIONS.name][3] == ("T09-01", datetime.datetime(2021, 5, 31), "67.7%")
    assert read_cell_values(written.read_bytes()) == values


def test_diff_workbooks() -> None:
    base = {"任务": (("编号", "状态"), (9, "已完成")), "说明": (("x",),)}
    assert diff_workbooks(base, base) == []
    changed = {"任务": (("编号", "状态"), ("9", "已完成", "extra")), "说明": (("x",),)}
    lines = diff_workbooks(base, changed, expected_label="committed", actual_label="generated")
    assert lines == [
        "任务!A2: committed number 9 != generated text '9'",
        "任务!C2: committed (empty) != generated text 'extra'",
    ]
    reordered = {"说明": base["说明"], "任务": base["任务"]}
    assert diff_workbooks(base, reordered)[0].startswith("sheets differ")


def test_diff_workbooks_limits_output() -> None:
    left = {"数据": tuple((n,) for n in range(50))}
    right = {"数据": tuple((n + 1,) for n in range(50))}
    lines = diff_workbooks(left, right, limit=5)
    assert len(lines) == 6
    assert lines[-1] == "数据: … and 45 more differences"


# ---------------------------------------------------------------------------
# The loader reads what the writer writes


def test_loader_round_trip() -> None:
    from metrics.workbook.loader import load_workbook

    data = workbook_bytes(
        tasks=TASK_ROWS,
        indicators=INDICATOR_ROWS,
        observations=OBSERVATION_ROWS[:3],  # the rest are deliberately odd text
        progress=PROGRESS_ROWS,
        meta={**META_VALUES, "reported_total": 2, "reported_completed": 1},
        meta_notes=META_NOTES,
    )
    result = load_workbook(data)
    problems = [str(p) for p in result.problems]
    assert result.dataset is not None, problems
    dataset = result.dataset
    assert dataset.meta.as_of == AS_OF
    assert dataset.meta.title == META_VALUES["title"]
    assert dataset.meta.reported_total == 2
    assert [task.id for task in dataset.tasks] == [1, 9]
    assert dataset.tasks[0].deadline == datetime.date(2021, 6, 30)
    assert [i.id for i in dataset.indicators] == ["T01-01", "T09-01"]
    assert [o.value for o in dataset.observations] == [30, 12.5, 67.7]
    assert [(e.task_id, e.round, e.date, e.text) for e in dataset.progress] == [
        (1, "2021年5月进展", datetime.date(2021, 5, 20), "一是组织专题学习；二是……"),
        (9, "2021年5月进展", AS_OF, "回迁67.7%"),
    ]
    first = dataset.progress_of(1)[0]
    assert (first.unit, first.evidence, first.note) == (
        "区委办",
        "学习记录.pdf、签到表.jpg",
        "=不是公式",
    )


def test_progress_rows(book: Any) -> None:
    worksheet = book[PROGRESS.name]
    assert worksheet.cell(2, _col(PROGRESS, "task_id")).value == 1
    assert worksheet.cell(3, _col(PROGRESS, "task_id")).value == "(9)"
    note = worksheet.cell(2, _col(PROGRESS, "note"))
    assert (note.value, note.data_type) == ("=不是公式", "s")  # text, never a formula
    text = worksheet.cell(2, _col(PROGRESS, "text"))
    assert text.alignment.wrap_text and text.alignment.vertical == "top"
    assert worksheet.max_row == 3


def test_template_progress_sheet_has_only_headers(template: Path) -> None:
    values = read_cell_values(template)
    assert values[PROGRESS.name] == (PROGRESS.headers,)
    names = list(values)
    assert names.index(PROGRESS.name) == names.index(OBSERVATIONS.name) + 1
    assert names[-1] == INSTRUCTIONS_SHEET
