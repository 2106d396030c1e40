"""Small workbooks for tests, written with openpyxl exactly as staff might type them.

Rows are dicts keyed by the Chinese header, so a test can put any odd value in any
cell. ``valid_sheets()`` returns a small, valid, publishable workbook to start from.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypedDict, Unpack

import openpyxl
from openpyxl.workbook.workbook import Workbook

from metrics.contract import INDICATORS, OBSERVATIONS, TASKS

Row = dict[str, object]

TASK_HEADERS = list(TASKS.headers)
INDICATOR_HEADERS = list(INDICATORS.headers)
OBSERVATION_HEADERS = list(OBSERVATIONS.headers)


def task(id_: object, status: str = "已完成", **cells: object) -> Row:
    row: Row = {
        "编号": id_,
        "方面": "（一）方面甲",
        "问题": "1.问题甲",
        "任务": f"任务{id_}",
        "整改措施": "一是……",
        "牵头单位": "区住建局",
        "状态": status,
    }
    row.update(cells)
    return row


def indicator(id_: str, task_id: object = 1, **cells: object) -> Row:
    row: Row = {
        "指标编号": id_,
        "任务编号": task_id,
        "指标名称": f"指标{id_}",
        "单位": "个",
        "方向": "越大越好",
        "来源": "报告原句。",
    }
    row.update(cells)
    return row


def observation(ind: str, date: object, value: object, **cells: object) -> Row:
    row: Row = {"指标编号": ind, "日期": date, "数值": value}
    row.update(cells)
    return row


def meta(**overrides: object) -> list[tuple[str, object]]:
    items: dict[str, object] = {
        "标题": "测试看板",
        "报告单位": "测试区委",
        "截至日期": datetime.date(2021, 5, 31),
        "巡视反馈日期": datetime.date(2021, 2, 4),
        "报告任务数": 3,
        "报告已完成数": 2,
    }
    items.update(overrides)
    return [(k, v) for k, v in items.items() if v is not _DROP]


_DROP = object()
DROP: object = _DROP  # meta(报告任务数=DROP) removes the row


class Sheets(TypedDict):
    """The rows of every sheet, as keyword arguments of ``write``."""

    tasks: list[Row]
    indicators: list[Row]
    observations: list[Row]
    meta: list[tuple[str, object]]


class WriteOptions(TypedDict, total=False):
    """Any keyword arguments of ``write``: what ``write_valid`` changes."""

    tasks: Sequence[Mapping[str, object]]
    indicators: Sequence[Mapping[str, object]]
    observations: Sequence[Mapping[str, object]]
    meta: Sequence[tuple[str, object]]
    task_headers: Sequence[str]
    indicator_headers: Sequence[str]
    observation_headers: Sequence[str]
    omit_sheets: Sequence[str]
    tweak: Callable[[Workbook], None] | None


def valid_sheets() -> Sheets:
    """Keyword arguments for ``write`` giving a valid workbook (3 tasks, 2 complete)."""
    return {
        "tasks": [
            task(1, "已完成"),
            task(2, "长期坚持", 方面="（二）方面乙", 问题="1.问题乙"),
            task(3, "正在整改", 整改时限=datetime.date(2021, 6, 30)),
        ],
        "indicators": [
            indicator(
                "A", 1, 单位="微克/立方米", 方向="越小越好", 目标值=54, 目标日期="2020-12-31"
            ),
            indicator(
                "B",
                3,
                单位="亿元",
                基期值=0,
                基期日期="2021-01-01",
                目标值=211,
                目标日期="2021-12-31",
            ),
            indicator("C", 3, 单位="%", 方向="仅监测"),
        ],
        "observations": [
            observation("A", "2020-12-31", 52),
            observation("B", "2021-04-30", "87.6"),
            observation("C", datetime.date(2021, 5, 31), "67.7%"),
        ],
        "meta": meta(),
    }


def write(
    path: Path,
    *,
    tasks: Sequence[Mapping[str, object]] = (),
    indicators: Sequence[Mapping[str, object]] = (),
    observations: Sequence[Mapping[str, object]] = (),
    meta: Sequence[tuple[str, object]] = (),
    task_headers: Sequence[str] = TASK_HEADERS,
    indicator_headers: Sequence[str] = INDICATOR_HEADERS,
    observation_headers: Sequence[str] = OBSERVATION_HEADERS,
    omit_sheets: Sequence[str] = (),
    tweak: Callable[[Workbook], None] | None = None,
) -> Path:
    """Write a workbook; headers may be re-spelled (" 编号 ") and rows carry any values."""
    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])  # the blank sheet a new workbook starts with
    sheets = (
        ("任务", task_headers, TASK_HEADERS, tasks),
        ("指标", indicator_headers, INDICATOR_HEADERS, indicators),
        ("数据", observation_headers, OBSERVATION_HEADERS, observations),
    )
    for name, shown, canonical, rows in sheets:
        if name in omit_sheets:
            continue
        ws = wb.create_sheet(name)
        ws.append(list(shown))
        for row in rows:
            ws.append([row.get(header) for header in canonical])
    if "概况" not in omit_sheets:
        ws = wb.create_sheet("概况")
        ws.append(["项目", "内容"])
        for key, value in meta:
            ws.append([key, value])
    wb.create_sheet("说明").append(["本表不参与计算"])
    if tweak is not None:
        tweak(wb)
    wb.save(path)
    return path


def write_valid(path: Path, **changes: Unpack[WriteOptions]) -> Path:
    """The valid workbook with some sheets' rows replaced."""
    options: WriteOptions = {**valid_sheets(), **changes}
    return write(path, **options)
