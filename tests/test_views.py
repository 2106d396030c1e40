"""Display tables and lists of ``metrics.views`` on the bundled and small workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metrics.loader import load_workbook
from metrics.progress import IndicatorStatus, Scored, TaskColour, score
from metrics.rollup import by_lead_unit
from metrics.views import (
    IndicatorFilter,
    TaskFilter,
    attention_items,
    facts_table,
    indicator_table,
    issue_detail,
    parse_task_id,
    short_category,
    summary_paragraph,
    task_filter_options,
    task_id_at,
    task_table,
    unit_table,
)
from tests.builders import indicator, meta, observation, task, write_valid


def test_task_table_filters(scored: Scored) -> None:
    assert len(task_table(scored)) == 35
    assert list(task_table(scored, TaskFilter(statuses=("正在整改",)))["编号"]) == [
        7,
        9,
        10,
        24,
        26,
    ]
    options = task_filter_options(scored)
    assert len(options.categories) == 3 and len(options.problems) == 12
    third = options.categories[2]
    assert len(task_table(scored, TaskFilter(categories=(third,)))) == 9
    # Text search: every word must match somewhere in number, title, measures, note.
    assert list(task_table(scored, TaskFilter(text="回迁 道路"))["编号"]) == [9]
    assert task_table(scored, TaskFilter(text="不存在的词")).empty
    unassigned = task_table(scored, TaskFilter(lead_units=("（未填写）",)))
    assert len(unassigned) == 18


def test_task_table_decorates_statuses_with_the_given_tag(scored: Scored) -> None:
    table = task_table(scored, TaskFilter(statuses=("长期坚持",)), tag=lambda s: f"<{s.value}>")
    assert list(table["状态"]) == ["<长期坚持>"]
    assert list(table["提示"]) == ["<完成>"]


def test_task_id_at(scored: Scored) -> None:
    table = task_table(scored, TaskFilter(statuses=("正在整改",)))
    assert task_id_at(table, [1]) == 9
    assert task_id_at(table, []) is None
    assert task_id_at(table, [99]) is None
    indicators = indicator_table(scored, IndicatorFilter(statuses=("已达标",)))
    assert task_id_at(indicators, [0]) in (6,)


def test_indicator_table(scored: Scored) -> None:
    table = indicator_table(scored)
    assert len(table) == 121
    investment = table[table["指标编号"] == "T05-04"].iloc[0]
    assert investment["最新值"] == "87.6亿元"
    assert investment["目标"] == "211亿元（2021年12月31日前）"
    assert investment["进度"] == pytest.approx(41.5)
    assert investment["状态"] == "正常推进"
    no_target = table[table["指标编号"] == "T09-01"].iloc[0]
    assert no_target["目标"] == "—" and pd.isna(no_target["进度"])


def test_attention_items_lists_open_tasks_then_lagging_indicators(scored: Scored) -> None:
    items = attention_items(scored)
    assert [(i.kind, i.task_id) for i in items] == [("任务", n) for n in (7, 9, 10, 24, 26)]
    assert all(i.status is TaskColour.GREY for i in items)


def test_attention_orders_red_first(tmp_path: Path) -> None:
    path = write_valid(
        tmp_path / "x.xlsx",
        tasks=[
            task(1, "正在整改", 整改时限="2021-12-31"),
            task(2, "正在整改", 整改时限="2021-05-01"),
            task(3, "已完成"),
        ],
        indicators=[
            indicator("A", 1, 基期值=0, 基期日期="2021-01-01", 目标值=100, 目标日期="2021-12-31")
        ],
        observations=[observation("A", "2021-05-31", 5)],
        meta=meta(报告任务数=3, 报告已完成数=1),
    )
    dataset = load_workbook(path).dataset
    assert dataset is not None
    items = attention_items(score(dataset))
    assert [(i.kind, i.task_id, i.status) for i in items] == [
        ("任务", 1, TaskColour.RED),  # an indicator far behind
        ("任务", 2, TaskColour.RED),  # overdue
        ("指标", 1, IndicatorStatus.FAR_BEHIND),
    ]
    assert "超过整改时限" in summary_paragraph(score(dataset))


def test_summary_paragraph(scored: Scored) -> None:
    text = summary_paragraph(scored)
    assert text.startswith("截至2021年5月31日，35项整改任务已完成30项，正在整改5项，整改率85.7%。")
    assert "第三方面9项任务完成9项（100.0%）" in text
    assert "量化指标121个，其中设定目标的18个：已达标2个" in text


def test_issue_detail(scored: Scored) -> None:
    detail = issue_detail(scored, 9)
    assert detail is not None
    assert (detail.previous_id, detail.next_id) == (8, 10)
    assert all(ip.indicator.target is not None for ip in detail.charted + detail.awaiting)
    assert len(detail.charted) + len(detail.awaiting) + len(detail.facts) == 12
    facts = facts_table(detail.facts)
    assert "67.7%" in set(facts["数值"])
    assert issue_detail(scored, 1) is not None and issue_detail(scored, 1).previous_id is None  # type: ignore[union-attr]
    assert issue_detail(scored, 35).next_id is None  # type: ignore[union-attr]
    assert issue_detail(scored, 36) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9", 9), (" 9 ", 9), ("abc", None), ("", None), (None, None), ("-1", None)],
)
def test_parse_task_id(raw: object, expected: int | None) -> None:
    assert parse_task_id(raw) == expected


def test_unit_table_shares_ranks(scored: Scored) -> None:
    table = unit_table(by_lead_unit(scored))
    assert list(table["排名"]) == [1, 1, 1, 1, 1, 6]
    assert table.iloc[-1]["牵头单位"] == "（未填写）"
    assert table.iloc[-1]["完成率"] == pytest.approx(72.2)


def test_short_category() -> None:
    assert short_category("（一）学习贯彻……") == "第一方面"
    assert short_category("(三)贯彻落实") == "第三方面"
    assert short_category("综合") == "综合"
