"""Validation rules of the loader: one small workbook per rule, built in tmp_path."""

from __future__ import annotations

import datetime
import gc
from pathlib import Path

import pytest
from openpyxl.workbook.workbook import Workbook

from metrics.contract import DATA_SHEETS, META_KEYS, WRITTEN_KIND, Direction, TaskStatus
from metrics.problems import Problem, Severity
from metrics.workbook.cell_readers import READERS
from metrics.workbook.loader import LoadResult, load_workbook, reported_count_warnings
from tests.builders import (
    DROP,
    indicator,
    meta,
    observation,
    task,
    valid_sheets,
    write,
    write_valid,
)


def only(result: LoadResult, severity: Severity = Severity.ERROR) -> Problem:
    """The single problem of ``severity`` in ``result``."""
    found = [p for p in result.problems if p.severity is severity]
    assert len(found) == 1, [str(p) for p in result.problems]
    return found[0]


def where(problem: Problem) -> tuple[str, int | None, str | None]:
    return problem.sheet, problem.row, problem.column


# -- the happy path ------------------------------------------------------------------


def test_valid_workbook_loads_with_english_fields(tmp_path: Path) -> None:
    result = load_workbook(write_valid(tmp_path / "ok.xlsx"))
    assert result.ok, [str(p) for p in result.problems]
    assert result.problems == ()
    data = result.dataset
    assert data is not None
    assert [t.id for t in data.tasks] == [1, 2, 3]
    assert data.tasks[1].status is TaskStatus.ONGOING and data.tasks[1].complete
    assert data.tasks[2].deadline == datetime.date(2021, 6, 30)
    assert data.meta.as_of == datetime.date(2021, 5, 31)
    pm = data.indicators[0]
    assert (pm.direction, pm.target, pm.unit_symbol) == (
        Direction.LOWER_IS_BETTER,
        54,
        "微克/立方米",
    )
    assert data.history("C")[0].value == pytest.approx(67.7)
    assert data.tasks[0].row == 2 and data.indicators[2].row == 4


def test_bytes_and_path_give_the_same_dataset(tmp_path: Path) -> None:
    path = write_valid(tmp_path / "ok.xlsx")
    assert load_workbook(path.read_bytes()).dataset == load_workbook(path).dataset


def test_tolerates_what_staff_produce(tmp_path: Path) -> None:
    """Odd headers, title rows, blank rows, ids like （9）, numbers as text, text dates."""

    def tweak(wb: Workbook) -> None:
        ws = wb["任务"]
        ws.insert_rows(1, amount=2)
        ws["A1"] = "惠济区巡视整改任务台账"
        ws.append([])  # blank row in the middle
        ws.append(
            [
                "（4）",
                "（一）方面甲",
                "1.问题甲",
                "任务4",
                "",
                "",
                "",
                "",
                "2021年7月1日",
                " 已完成 ",
            ]
        )
        ws["Q3"] = "自用列"  # a column of their own
        wb["指标"].sheet_state = "hidden"

    headers = [
        " 编号 ",
        "方面*",
        "问题",
        "任务（必填）",
        "整改措施",
        "牵头单位",
        "责任单位",
        "责任领导",
        "整改时限",
        "状 态",
        "完成日期",
        "销号日期",
        "备注",
    ]
    kwargs = valid_sheets()
    kwargs["meta"] = meta(报告任务数="4", 报告已完成数="３", 截至日期="2021/5/31")
    kwargs["tasks"][0]["编号"] = "(1)"
    kwargs["tasks"][1]["编号"] = " 2 "
    kwargs["observations"].append(observation("B", 44286, "６０亿元"))
    path = write(tmp_path / "odd.xlsx", task_headers=headers, tweak=tweak, **kwargs)
    result = load_workbook(path)
    assert result.ok, [str(p) for p in result.problems]
    data = result.dataset
    assert data is not None
    assert [t.id for t in data.tasks] == [1, 2, 3, 4]
    assert data.tasks[3].deadline == datetime.date(2021, 7, 1)
    assert data.tasks[3].row == 8  # Excel row numbers survive the inserted title rows
    b = data.history("B")
    assert [(o.date, o.value) for o in b] == [
        (datetime.date(2021, 3, 31), 60.0),
        (datetime.date(2021, 4, 30), 87.6),
    ]


def test_units_in_values_are_converted_to_the_indicator_unit(tmp_path: Path) -> None:
    path = write_valid(
        tmp_path / "u.xlsx",
        indicators=[indicator("P", 1, 单位="万人"), indicator("M", 1, 单位="亿元")],
        observations=[
            observation("P", "2021-05-31", "96200人"),
            observation("M", "2021-05-31", "5000万元"),
            observation("M", "2021-04-30", "2500余"),
        ],
    )
    data = load_workbook(path).dataset
    assert data is not None
    assert data.history("P")[0].value == pytest.approx(9.62)
    money = data.history("M")
    assert money[1].value == pytest.approx(0.5)
    assert money[0].approximate and not money[1].approximate


# -- sheets and columns ------------------------------------------------------------------


@pytest.mark.parametrize("sheet", ["任务", "指标", "数据", "概况"])
def test_missing_sheet_is_an_error(tmp_path: Path, sheet: str) -> None:
    kwargs = valid_sheets()
    result = load_workbook(write(tmp_path / "x.xlsx", omit_sheets=[sheet], **kwargs))
    assert not result.ok and result.dataset is None
    problem = result.errors[0]
    assert where(problem) == (sheet, None, None)
    assert f"缺少工作表“{sheet}”" in problem.message


def test_missing_column_names_the_header_row(tmp_path: Path) -> None:
    headers = [h for h in valid_sheets_task_headers() if h != "状态"]
    kwargs = valid_sheets()
    result = load_workbook(write(tmp_path / "x.xlsx", task_headers=headers, **kwargs))
    problem = only(result)
    assert where(problem) == ("任务", 1, "状态")
    assert "缺少必需的列“状态”" in problem.message


def valid_sheets_task_headers() -> list[str]:
    from tests.builders import TASK_HEADERS

    return list(TASK_HEADERS)


def test_sheet_without_any_header_is_an_error(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        ws = wb["数据"]
        ws.delete_rows(1)

    result = load_workbook(write_valid(tmp_path / "x.xlsx", tweak=tweak))
    assert any(p.sheet == "数据" and "找不到表头" in p.message for p in result.errors)


# -- 任务 ------------------------------------------------------------------------------


def test_duplicate_task_id(tmp_path: Path) -> None:
    tasks = [task(1), task("（1）"), task(3, "正在整改")]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks))
    problem = result.errors[0]
    assert where(problem) == ("任务", 3, "编号")
    assert "重复" in problem.message and "第 2 行" in problem.message


@pytest.mark.parametrize("bad", ["九", "1.5", "-2", "A1", 0])
def test_bad_task_id(tmp_path: Path, bad: object) -> None:
    tasks = [task(1), task(2, "长期坚持"), task(bad, "正在整改")]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks))
    assert where(result.errors[0]) == ("任务", 4, "编号")


def test_unknown_status_lists_the_allowed_values(tmp_path: Path) -> None:
    tasks = [task(1), task(2, "长期坚持"), task(3, "进行中")]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks)))
    assert where(problem) == ("任务", 4, "状态")
    assert "进行中" in problem.message
    assert "已完成、基本完成、正在整改、申请延期、长期坚持、未启动" in problem.message


def test_missing_title_is_an_error(tmp_path: Path) -> None:
    tasks = [task(1), task(2, "长期坚持", 任务=None), task(3, "正在整改")]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks)))
    assert where(problem) == ("任务", 3, "任务")


def test_unparsable_deadline(tmp_path: Path) -> None:
    tasks = [task(1), task(2, "长期坚持"), task(3, "正在整改", 整改时限="六月底")]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks)))
    assert where(problem) == ("任务", 4, "整改时限")
    assert "六月底" in problem.message


def test_closed_date_requires_done_status(tmp_path: Path) -> None:
    tasks = [task(1), task(2, "长期坚持"), task(3, "正在整改", 销号日期="2021-05-01")]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks)))
    assert where(problem) == ("任务", 4, "销号日期")
    assert "只有“已完成”" in problem.message


def test_completion_date_on_open_task_is_a_warning(tmp_path: Path) -> None:
    tasks = [task(1), task(2, "长期坚持"), task(3, "正在整改", 完成日期="2021-05-01")]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", tasks=tasks))
    assert result.ok
    assert where(only(result, Severity.WARNING)) == ("任务", 4, "完成日期")


def test_no_tasks_at_all(tmp_path: Path) -> None:
    result = load_workbook(
        write_valid(
            tmp_path / "x.xlsx",
            tasks=[],
            indicators=[],
            observations=[],
            meta=meta(报告任务数=DROP, 报告已完成数=DROP),
        )
    )
    assert any("没有任何任务" in p.message for p in result.errors)


def test_one_task_workbook_is_fine(tmp_path: Path) -> None:
    result = load_workbook(
        write_valid(
            tmp_path / "x.xlsx",
            tasks=[task(1, "正在整改")],
            indicators=[],
            observations=[],
            meta=meta(报告任务数=1, 报告已完成数=0),
        )
    )
    assert result.ok, [str(p) for p in result.problems]


# -- 概况 cross-checks ------------------------------------------------------------------


def test_completed_count_disagreeing_with_meta_is_only_a_warning(tmp_path: Path) -> None:
    # One more task marked 已完成 without touching 概况: still publishable.
    result = load_workbook(write_valid(tmp_path / "x.xlsx", meta=meta(报告已完成数=1)))
    assert result.ok and result.dataset is not None
    problem = only(result, Severity.WARNING)
    assert where(problem) == ("概况", 7, "内容")
    assert "报告已完成数”填的是 1" in problem.message and "有 2 项" in problem.message
    assert "看板以“任务”表为准" in problem.message
    assert reported_count_warnings(result.problems) == (problem,)
    assert sum(t.complete for t in result.dataset.tasks) == 2  # the task table counts


def test_total_disagreeing_with_meta_is_only_a_warning(tmp_path: Path) -> None:
    result = load_workbook(write_valid(tmp_path / "x.xlsx", meta=meta(报告任务数=35)))
    assert result.ok
    problem = only(result, Severity.WARNING)
    assert where(problem) == ("概况", 6, "内容")
    assert "填的是 35" in problem.message and "共 3 项" in problem.message
    assert "看板以“任务”表为准" in problem.message


def test_blank_reported_counts_skip_the_check(tmp_path: Path) -> None:
    result = load_workbook(
        write_valid(tmp_path / "x.xlsx", meta=meta(报告任务数=DROP, 报告已完成数=None))
    )
    assert result.ok


@pytest.mark.parametrize(
    ("key", "value"), [("截至日期", None), ("截至日期", "五月底"), ("标题", DROP)]
)
def test_missing_or_bad_meta(tmp_path: Path, key: str, value: object) -> None:
    result = load_workbook(write_valid(tmp_path / "x.xlsx", meta=meta(**{key: value})))
    problem = only(result)
    assert problem.sheet == "概况" and key in problem.message


# -- 指标 ------------------------------------------------------------------------------


def test_indicator_pointing_at_unknown_task(tmp_path: Path) -> None:
    sheets = valid_sheets()
    inds = [*sheets["indicators"], indicator("D", 9)]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds)))
    assert where(problem) == ("指标", 5, "任务编号")
    assert "任务编号 9" in problem.message


def test_duplicate_indicator_id(tmp_path: Path) -> None:
    sheets = valid_sheets()
    inds = [*sheets["indicators"], indicator(" A ", 1)]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds)))
    assert where(problem) == ("指标", 5, "指标编号")
    assert "第 2 行" in problem.message


def test_unknown_direction(tmp_path: Path) -> None:
    inds = [indicator("A", 1, 方向="越高越好")]
    problem = only(
        load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds, observations=[]))
    )
    assert where(problem) == ("指标", 2, "方向")
    assert "越大越好、越小越好、仅监测" in problem.message


def test_target_on_monitor_only_indicator(tmp_path: Path) -> None:
    inds = [indicator("A", 1, 方向="仅监测", 目标值=10)]
    problem = only(
        load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds, observations=[]))
    )
    assert where(problem) == ("指标", 2, "目标值")
    assert "仅监测" in problem.message


def test_unknown_unit(tmp_path: Path) -> None:
    inds = [indicator("A", 1, 单位="斤两")]
    problem = only(
        load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds, observations=[]))
    )
    assert where(problem) == ("指标", 2, "单位")


def test_unparsable_target(tmp_path: Path) -> None:
    inds = [indicator("A", 1, 目标值="很多", 目标日期="2021-12-31")]
    problem = only(
        load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds, observations=[]))
    )
    assert where(problem) == ("指标", 2, "目标值")
    assert "很多" in problem.message


def test_target_date_before_baseline_date(tmp_path: Path) -> None:
    inds = [indicator("A", 1, 目标值=5, 基期日期="2021-06-01", 目标日期="2021-01-01")]
    problem = only(
        load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds, observations=[]))
    )
    assert where(problem) == ("指标", 2, "目标日期")


# -- 数据 ------------------------------------------------------------------------------


def test_observation_for_unknown_indicator(tmp_path: Path) -> None:
    obs = [observation("Z", "2021-05-31", 1)]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs)))
    assert where(problem) == ("数据", 2, "指标编号")
    assert "“Z”" in problem.message


def test_observations_of_a_broken_indicator_are_not_reported_twice(tmp_path: Path) -> None:
    inds = [indicator("A", 1, 单位="斤两")]
    obs = [observation("A", "2021-05-31", 1)]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", indicators=inds, observations=obs))
    assert [p.sheet for p in result.errors] == ["指标"]


@pytest.mark.parametrize(
    ("column", "cells"),
    [
        ("日期", {"日期": "上月"}),
        ("数值", {"数值": "约莫"}),
        ("数值", {"数值": None}),
        ("日期", {"日期": None}),
    ],
)
def test_bad_observation_cells(tmp_path: Path, column: str, cells: dict[str, object]) -> None:
    obs = [observation("A", "2020-12-31", 52, **cells)]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs)))
    assert where(problem) == ("数据", 2, column)


def test_value_in_an_incompatible_unit(tmp_path: Path) -> None:
    obs = [observation("B", "2021-04-30", "87.6万人")]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs)))
    assert where(problem) == ("数据", 2, "数值")
    assert "亿元" in problem.message


@pytest.mark.parametrize("day", ["2020-12-31", datetime.date(2020, 12, 31)])
def test_same_date_twice_is_a_warning_and_the_lower_row_wins(tmp_path: Path, day: object) -> None:
    # A real date with a plain number takes the loader's fast path; text takes the general one.
    obs = [observation("A", day, 53.0), observation("A", day, 52.0)]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs))
    assert where(only(result, Severity.WARNING)) == ("数据", 3, "日期")
    assert result.dataset is not None
    assert result.dataset.history("A")[-1].value == 52


@pytest.mark.parametrize("day", ["2021-06-30", datetime.date(2021, 6, 30)])
def test_observation_after_as_of_date_is_a_warning(tmp_path: Path, day: object) -> None:
    obs = [observation("A", day, 50.0)]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs))
    assert result.ok
    assert "晚于概况中的截至日期" in only(result, Severity.WARNING).message


# -- Excel error values and formulas ----------------------------------------------------


def test_excel_error_value_in_a_used_column(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb["数据"]["C2"] = "#DIV/0!"  # openpyxl writes this as an error cell (t="e")

    result = load_workbook(write_valid(tmp_path / "x.xlsx", tweak=tweak))
    problem = only(result)
    assert where(problem) == ("数据", 2, "数值")
    assert "#DIV/0!" in problem.message


def test_formula_without_saved_value(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb["数据"]["C3"] = "=1+1"  # openpyxl saves no cached value

    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", tweak=tweak)))
    assert where(problem) == ("数据", 3, "数值")
    assert "公式" in problem.message


def test_error_in_an_unused_column_is_only_a_warning(tmp_path: Path) -> None:
    def tweak(wb: Workbook) -> None:
        wb["任务"]["P2"] = "#N/A"

    result = load_workbook(write_valid(tmp_path / "x.xlsx", tweak=tweak))
    assert result.ok
    assert "#N/A" in only(result, Severity.WARNING).message


# -- files that are not workbooks -----------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"not a workbook", b"PK\x03\x04broken", "编号,任务\n1,甲\n".encode()],
)
def test_not_a_workbook(content: bytes) -> None:
    result = load_workbook(content)
    problem = only(result)
    assert problem.sheet == "" and problem.row is None
    assert ".xlsx" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    problem = only(load_workbook(tmp_path / "nope.xlsx"))
    assert "无法打开文件" in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    tasks = [task(1, "完成"), task(2, "长期坚持", 整改时限="明天"), task(3, "正在整改")]
    inds = [indicator("A", 7), indicator("B", 3, 方向="?")]
    obs = [observation("Q", "2021-01-01", 1), observation("B", "x", 1)]
    result = load_workbook(
        write_valid(tmp_path / "x.xlsx", tasks=tasks, indicators=inds, observations=obs)
    )
    places = {where(p) for p in result.errors}
    assert {
        ("任务", 2, "状态"),
        ("任务", 3, "整改时限"),
        ("指标", 2, "任务编号"),
        ("指标", 3, "方向"),
        ("数据", 2, "指标编号"),
        ("数据", 3, "日期"),
    } <= places
    assert all(p.message for p in result.problems)


def test_problem_list_is_capped_but_counts_the_rest(tmp_path: Path) -> None:
    obs = [observation("Z", "2021-05-31", i) for i in range(600)]
    result = load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs))
    assert len(result.problems) == 501
    assert "另有 100 个问题" in result.problems[-1].message


def test_fast_and_general_paths_agree(tmp_path: Path) -> None:
    """The same data typed as real dates/numbers and as text gives the same dataset."""
    typed = [observation("A", datetime.date(2020, 12, 31), 52.0, 备注="甲")]
    text = [observation("A", "2020年12月31日", "52", 备注="甲")]
    a = load_workbook(write_valid(tmp_path / "a.xlsx", observations=typed)).dataset
    b = load_workbook(write_valid(tmp_path / "b.xlsx", observations=text)).dataset
    assert a is not None and b is not None
    (x,), (y,) = a.history("A"), b.history("A")
    assert (x.indicator_id, x.date, x.value, x.note, x.row) == (
        y.indicator_id,
        y.date,
        y.value,
        y.note,
        y.row,
    )


def test_unknown_indicator_on_the_fast_path(tmp_path: Path) -> None:
    obs = [observation("Z", datetime.date(2021, 5, 31), 1.0)]
    problem = only(load_workbook(write_valid(tmp_path / "x.xlsx", observations=obs)))
    assert where(problem) == ("数据", 2, "指标编号")


def test_loading_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    assert gc.isenabled()
    load_workbook(write_valid(tmp_path / "ok.xlsx"))
    load_workbook(b"not a workbook")
    assert gc.isenabled()
    gc.disable()
    try:
        load_workbook(write_valid(tmp_path / "ok.xlsx"))
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- 概况 one column to the right -----------------------------------------------------------


def _shift_meta(wb: Workbook) -> None:
    """概况 laid out in columns B/C, column A left blank."""
    wb["概况"].insert_cols(1)


def test_meta_one_column_to_the_right_keeps_row_numbers(tmp_path: Path) -> None:
    result = load_workbook(
        write_valid(tmp_path / "x.xlsx", meta=meta(报告已完成数=5), tweak=_shift_meta)
    )
    assert result.ok
    assert where(only(result, Severity.WARNING)) == ("概况", 7, "内容")


@pytest.mark.parametrize(("value", "words"), [(None, "为空"), ("2021-13-45", "月份")])
def test_meta_one_column_to_the_right_bad_date_has_its_row(
    tmp_path: Path, value: object, words: str
) -> None:
    result = load_workbook(
        write_valid(tmp_path / "x.xlsx", meta=meta(截至日期=value), tweak=_shift_meta)
    )
    problem = only(result)
    assert where(problem) == ("概况", 4, "内容")
    assert "截至日期" in problem.message and words in problem.message


def test_meta_below_a_title_and_to_the_right_keeps_row_numbers(tmp_path: Path) -> None:
    def title_and_shift(wb: Workbook) -> None:
        sheet = wb["概况"]
        sheet.insert_cols(1)
        sheet.insert_rows(1)
        sheet["B1"] = "概况（2021年5月）"

    result = load_workbook(
        write_valid(tmp_path / "x.xlsx", meta=meta(报告任务数=4), tweak=title_and_shift)
    )
    assert where(only(result, Severity.WARNING)) == ("概况", 7, "内容")


def test_every_kind_of_the_contract_has_one_reader() -> None:
    """The loader reads each cell by its column's kind: the registry covers every kind."""
    kinds = {c.kind for spec in DATA_SHEETS for c in spec.columns} | {k.kind for k in META_KEYS}
    assert kinds <= set(READERS)
    assert set(READERS) == set(WRITTEN_KIND)
    assert {WRITTEN_KIND[kind] for kind in READERS} <= set(READERS)
