"""The optional 进展 sheet: read when present, no problem when absent, each mistake with
sheet, Excel row, column and a fix."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl.workbook.workbook import Workbook

from metrics.contract import (
    CONTRACT_SHEETS,
    DATA_SHEETS,
    OPTIONAL_SHEETS,
    PROGRESS,
    normalise_header,
)
from metrics.intake.limits import IntakeLimits
from metrics.intake.untrusted import load_untrusted
from metrics.model import Dataset, ProgressEntry
from metrics.problems import Problem, Severity
from metrics.scoring.progress import score
from metrics.scoring.summary import summarise
from metrics.workbook.loader import LoadResult, load_workbook
from tests.builders import task, valid_sheets, write_valid

HEADERS = list(PROGRESS.headers)
Row = dict[str, object]


def entry(task_id: object = 3, date: object = "2021-05-20", **cells: object) -> Row:
    row: Row = {
        "任务编号": task_id,
        "轮次": "2021年5月进展",
        "日期": date,
        "进展情况": "一是……二是……",
        "报送单位": "区住建局",
    }
    row.update(cells)
    return row


def with_progress(
    path: Path,
    rows: Sequence[Row],
    *,
    headers: Sequence[str] = HEADERS,
    above: Sequence[Sequence[object]] = (),
    extra_column: str | None = None,
    tasks: Sequence[Row] | None = None,
) -> Path:
    """The valid workbook of ``tests.builders`` plus a 进展 sheet (after 数据)."""

    def tweak(wb: Workbook) -> None:
        ws = wb.create_sheet(PROGRESS.name, wb.sheetnames.index("数据") + 1)
        for line in above:
            ws.append(list(line))
        ws.append([*headers, *([extra_column] if extra_column else [])])
        for row in rows:
            cells = [row.get(normalise_header(header)) for header in headers]
            ws.append([*cells, *([row.get(extra_column)] if extra_column else [])])

    if tasks is not None:
        return write_valid(path, tasks=tasks, tweak=tweak)
    return write_valid(path, tweak=tweak)


def load(path: Path) -> LoadResult:
    return load_workbook(path)


def only(result: LoadResult, severity: Severity = Severity.ERROR) -> Problem:
    found = [p for p in result.problems if p.severity is severity]
    assert len(found) == 1, [str(p) for p in result.problems]
    return found[0]


def where(problem: Problem) -> tuple[str, int | None, str | None]:
    return problem.sheet, problem.row, problem.column


# -- the contract ------------------------------------------------------------------------


def test_progress_is_an_optional_sheet() -> None:
    assert PROGRESS.name == "进展"
    assert PROGRESS not in DATA_SHEETS  # DATA_SHEETS stays "the sheets a workbook must have"
    assert PROGRESS in OPTIONAL_SHEETS
    assert CONTRACT_SHEETS == DATA_SHEETS + OPTIONAL_SHEETS
    assert PROGRESS.headers == (
        "任务编号",
        "轮次",
        "日期",
        "进展情况",
        "报送单位",
        "佐证材料",
        "备注",
    )
    required = {c.header for c in PROGRESS.columns if c.required}
    assert required == {"任务编号", "轮次", "日期", "进展情况", "报送单位"}
    assert PROGRESS.column("task_id").kind == "task_id"
    assert PROGRESS.column("date").kind == "date"


# -- absent, blank, present ------------------------------------------------------------


def test_workbook_without_progress_loads_as_before(tmp_path: Path) -> None:
    result = load(write_valid(tmp_path / "old.xlsx"))
    assert result.problems == ()
    assert result.dataset is not None
    assert result.dataset.progress == ()
    assert result.dataset.progress_of(3) == ()


def test_blank_progress_sheet_is_like_no_sheet(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb.create_sheet(PROGRESS.name)

    result = load_workbook(write_valid(tmp_path / "blank.xlsx", tweak=tweak))
    assert result.problems == ()
    assert result.dataset is not None and result.dataset.progress == ()


def test_header_only_progress_sheet(tmp_path: Path) -> None:
    result = load(with_progress(tmp_path / "x.xlsx", []))
    assert result.problems == ()
    assert result.dataset is not None and result.dataset.progress == ()


def test_progress_entries_are_read(tmp_path: Path) -> None:
    rows = [
        entry(3, "2021-05-20", 佐证材料="照片.jpg、台账.xlsx", 备注="按月报送"),
        entry("（1）", datetime.date(2021, 4, 30), 轮次="2021年4月进展", 报送单位=None),
        entry(3, "2021年4月30日", 轮次="2021年4月进展", 进展情况="+开工27.76万平方米"),
    ]
    result = load(with_progress(tmp_path / "x.xlsx", rows))
    assert result.problems == (), [str(p) for p in result.problems]
    data = result.dataset
    assert data is not None
    assert [(e.task_id, e.row) for e in data.progress] == [(3, 2), (1, 3), (3, 4)]
    assert data.progress[0] == ProgressEntry(
        task_id=3,
        round="2021年5月进展",
        date=datetime.date(2021, 5, 20),
        text="一是……二是……",
        unit="区住建局",
        evidence="照片.jpg、台账.xlsx",
        note="按月报送",
        row=2,
    )
    assert data.progress[1].unit == ""  # 报送单位 may be left empty
    assert data.progress[2].text == "+开工27.76万平方米"
    # oldest first, by date then row
    assert [e.row for e in data.progress_of(3)] == [4, 2]
    assert data.progress_of(2) == ()


def test_moved_header_extra_columns_and_reordered_columns(tmp_path: Path) -> None:
    headers = ["进展情况", " 任务编号 ", "日期", "轮次*", "报送单位"]  # no optional columns
    path = with_progress(
        tmp_path / "x.xlsx",
        [entry(2), {}, entry(3, "2021-13-01")],
        headers=headers,
        above=[["2021年各单位整改进展台账"], []],
        extra_column="经办人",
    )
    result = load(path)
    problem = only(result)
    assert where(problem) == ("进展", 6, "日期")
    assert "月份" in problem.message


def test_same_dataset_by_bytes_and_through_the_intake(tmp_path: Path) -> None:
    path = with_progress(tmp_path / "x.xlsx", [entry(3), entry(1, "2021-03-31")])
    direct = load(path)
    assert direct.dataset is not None and len(direct.dataset.progress) == 2
    checked = load_untrusted(path.read_bytes(), IntakeLimits())
    assert checked.dataset == direct.dataset  # the child's answer carries the entries


# -- errors and warnings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (entry(99), "任务编号", "任务编号 99 在工作表“任务”中不存在：请填写已有任务的编号"),
        (entry("第三项"), "任务编号", "不是任务编号"),
        (entry(None), "任务编号", "未填写“任务编号”：请填写"),
        (entry(3, 进展情况=None), "进展情况", "未填写“进展情况”：请填写本轮的整改进展"),
        (entry(3, 进展情况="   "), "进展情况", "未填写“进展情况”"),
        (entry(3, 轮次=None), "轮次", "未填写“轮次”：请填写报送轮次"),
        (entry(3, None), "日期", "未填写“日期”：请填写"),
        (entry(3, "2021-02-30"), "日期", "2021年2月只有 28 天"),
        (entry(3, "下个月"), "日期", "无法识别的日期“下个月”：请填写日期"),
    ],
)
def test_errors_name_sheet_row_and_column(
    tmp_path: Path, row: Row, column: str, words: str
) -> None:
    result = load(with_progress(tmp_path / "x.xlsx", [entry(1), row]))
    problem = only(result)
    assert where(problem) == ("进展", 3, column)
    assert words in problem.message
    assert result.dataset is None  # an error blocks publishing


def test_date_after_as_of_is_a_warning(tmp_path: Path) -> None:
    result = load(with_progress(tmp_path / "x.xlsx", [entry(3, "2021-06-15")]))
    assert result.ok
    problem = only(result, Severity.WARNING)
    assert where(problem) == ("进展", 2, "日期")
    assert "晚于概况中的截至日期 2021-05-31" in problem.message


def test_missing_required_column_when_the_sheet_exists(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h != "进展情况"]
    problem = only(load(with_progress(tmp_path / "x.xlsx", [entry(3)], headers=headers)))
    assert where(problem) == ("进展", 1, "进展情况")
    assert "缺少必需的列“进展情况”" in problem.message


def test_optional_columns_may_be_deleted(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h not in ("佐证材料", "备注")]
    result = load(with_progress(tmp_path / "x.xlsx", [entry(3)], headers=headers))
    assert result.problems == ()


def test_sheet_without_a_header(tmp_path: Path) -> None:
    path = with_progress(tmp_path / "x.xlsx", [], headers=["随便写的"])
    problem = only(load(path))
    assert where(problem) == ("进展", None, None)
    assert "找不到表头" in problem.message


def test_excel_error_value_in_progress(tmp_path: Path) -> None:
    problem = only(load(with_progress(tmp_path / "x.xlsx", [entry(3, 进展情况="#N/A")])))
    assert where(problem) == ("进展", 2, "进展情况")
    assert "#N/A" in problem.message


def test_entry_of_a_task_with_errors_is_not_reported_twice(tmp_path: Path) -> None:
    tasks = valid_sheets()["tasks"]
    tasks[2] = task(3, "进行中")  # an unknown status: one error on 任务
    result = load(with_progress(tmp_path / "x.xlsx", [entry(3)], tasks=tasks))
    assert [where(p) for p in result.errors] == [("任务", 4, "状态")]


# -- the model and the summary --------------------------------------------------------


def test_dataset_keeps_working_without_progress(tmp_path: Path) -> None:
    data = load(write_valid(tmp_path / "x.xlsx")).dataset
    assert data is not None
    rebuilt = Dataset(data.meta, data.tasks, data.indicators, data.observations)
    assert rebuilt == data and rebuilt.progress == ()


def test_summary_lists_progress_per_task(tmp_path: Path) -> None:
    rows = [entry(3, "2021-05-20"), entry(3, "2021-04-30", 轮次="2021年4月进展")]
    data = load(with_progress(tmp_path / "x.xlsx", rows)).dataset
    assert data is not None
    tasks = summarise(score(data))["tasks"]
    assert isinstance(tasks, list)
    by_id = {t["id"]: t for t in tasks if isinstance(t, dict)}
    assert by_id[1]["progress"] == []
    assert by_id[3]["progress"] == [
        {
            "round": "2021年4月进展",
            "date": "2021-04-30",
            "text": "一是……二是……",
            "unit": "区住建局",
            "evidence": "",
            "note": "",
        },
        {
            "round": "2021年5月进展",
            "date": "2021-05-20",
            "text": "一是……二是……",
            "unit": "区住建局",
            "evidence": "",
            "note": "",
        },
    ]
