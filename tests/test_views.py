"""Display tables and lists of ``report.views`` on the bundled and small workbooks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from metrics.scoring.headline import headline
from metrics.scoring.progress import IndicatorStatus, Scored, TaskColour, score
from metrics.supervision.ranking import unit_ranking
from metrics.workbook.loader import load_workbook
from report.headline_cards import MET_HELP, Card, headline_cards, met_note
from report.units import unassigned_unit_note, unit_warning_table
from report.views import (
    IndicatorFilter,
    TaskFilter,
    attention_items,
    facts_table,
    indicator_table,
    issue_detail,
    parse_task_id,
    summary_paragraph,
    supervised_task_table,
    task_filter_options,
    task_id_at,
)
from report.wording import short_category, target_text, value_text
from tests.builders import indicator, meta, observation, task, write_valid
from tests.lookups import task_of
from ui.launch import streamlit_command


def test_task_table_filters(scored: Scored) -> None:
    assert len(supervised_task_table(scored, {})) == 35
    assert list(supervised_task_table(scored, {}, TaskFilter(statuses=("正在整改",)))["编号"]) == [
        7,
        9,
        10,
        24,
        26,
    ]
    options = task_filter_options(scored)
    assert len(options.categories) == 3 and len(options.problems) == 12
    third = options.categories[2]
    assert len(supervised_task_table(scored, {}, TaskFilter(categories=(third,)))) == 9
    # Text search: every word must match somewhere in number, title, measures, note.
    assert list(supervised_task_table(scored, {}, TaskFilter(text="回迁 道路"))["编号"]) == [9]
    assert supervised_task_table(scored, {}, TaskFilter(text="不存在的词")).empty
    unassigned = supervised_task_table(scored, {}, TaskFilter(lead_units=("（未填写）",)))
    assert len(unassigned) == 18


def test_task_table_decorates_statuses_with_the_given_tag(scored: Scored) -> None:
    table = supervised_task_table(
        scored, {}, TaskFilter(statuses=("长期坚持",)), tag=lambda s: f"<{s.value}>"
    )
    assert list(table["状态"]) == ["<长期坚持>"]
    assert list(table["提示"]) == ["<完成>"]


def test_task_id_at(scored: Scored) -> None:
    table = supervised_task_table(scored, {}, TaskFilter(statuses=("正在整改",)))
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
    assert (
        "量化指标121个，其中设定目标的18个；已有数据的5个中已达标2个、正常推进1个、无法评估2个；"
        "另有13个目标尚无数据（其中10个为目标日期未到的计划数）。"
    ) in text


def test_issue_detail(scored: Scored) -> None:
    detail = issue_detail(scored, 9)
    assert detail is not None
    assert (detail.previous_id, detail.next_id) == (8, 10)
    assert all(ip.indicator.target is not None for ip in detail.charted + detail.awaiting)
    assert len(detail.charted) + len(detail.awaiting) + len(detail.facts) == 12
    facts = facts_table(detail.facts)
    assert "67.7%" in set(facts["数值"])
    first, last = issue_detail(scored, 1), issue_detail(scored, 35)
    assert first is not None and first.previous_id is None
    assert last is not None and last.next_id is None
    assert issue_detail(scored, 36) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9", 9), (" 9 ", 9), ("abc", None), ("", None), (None, None), ("-1", None)],
)
def test_parse_task_id(raw: object, expected: int | None) -> None:
    assert parse_task_id(raw) == expected


def test_unit_table_shares_ranks(scored: Scored) -> None:
    table = unit_warning_table(unit_ranking(scored, {}))
    assert list(table["排名"]) == [1, 1, 1, 1, 1, 6]
    assert table.iloc[-1]["牵头单位"] == "（未填写）"
    assert table.iloc[-1]["完成率"] == pytest.approx(72.2)


def test_short_category() -> None:
    assert short_category("（一）学习贯彻……") == "第一方面"
    assert short_category("(三)贯彻落实") == "第三方面"
    assert short_category("综合") == "综合"


# -- figures as the report words them ----------------------------------------------------


@pytest.mark.parametrize(
    ("indicator_id", "shown"),
    [
        ("T06-02", "6200余亩"),
        ("T08-03", "十余万人次"),  # cell "十余万", unit 人次: as the report words it
        ("T08-04", "三十万余次"),  # cell "三十万余", unit 次
        ("T12-01", "3000多家"),
        ("T03-12", "近2倍"),
        ("T03-10", "约60亿元"),
        ("T05-08", "约11.8亿元"),
        ("T03-07", "第1"),  # 名次: "居全市第1", never "1名次"
        ("T34-01", "第一"),  # cell "一", as the report: 位列第一
        ("T05-04", "87.6亿元"),
    ],
)
def test_value_text_words_figures_like_the_report(
    scored: Scored, indicator_id: str, shown: str
) -> None:
    (ip,) = [ip for ip in scored.indicators if ip.indicator.id == indicator_id]
    assert value_text(ip) == shown
    row = indicator_table(scored)
    assert row[row["指标编号"] == indicator_id].iloc[0]["最新值"] == shown


def test_no_figure_is_shown_as_a_rank_unit_or_with_a_wrong_qualifier(scored: Scored) -> None:
    shown = [value_text(ip) for ip in scored.indicators]
    assert not [text for text in shown if "名次" in text]
    assert not [text for text in shown if text.startswith("约") and "余" in text]
    facts = facts_table(task_of(scored, 3).indicators)
    assert {"约60亿元", "近2倍", "第1"} <= set(facts["数值"])


def test_qualifier_after_the_unit_and_rank_targets(tmp_path: Path) -> None:
    path = write_valid(
        tmp_path / "words.xlsx",
        indicators=[
            indicator("M", 1, 单位="亿元", 方向="仅监测"),
            indicator("R", 3, 单位="名次", 方向="越小越好", 目标值=3, 目标日期="2021-12-31"),
            indicator("K", 3, 单位="家", 方向="仅监测"),
        ],
        observations=[
            observation("M", "2021-05-31", "60左右"),
            observation("R", "2021-03-31", "五"),
            observation("K", "2021-05-31", "超过100"),
        ],
    )
    dataset = load_workbook(path).dataset
    assert dataset is not None
    by_id = {ip.indicator.id: ip for ip in score(dataset).indicators}
    assert value_text(by_id["M"]) == "60亿元左右"
    assert value_text(by_id["R"]) == "第五"  # written "五": as written
    assert target_text(by_id["R"]) == "第3（2021年12月31日前）"
    assert value_text(by_id["K"]) == "超过100家"


# -- the unit ranking's caveat ---------------------------------------------------------


def test_unassigned_unit_note_on_the_bundled_workbook(scored: Scored) -> None:
    assert unassigned_unit_note(scored) == (
        "35项任务中有18项未填写牵头单位，归入“（未填写）”；全部5项未完成的任务都没有填写"
        "牵头单位，因此填写了牵头单位的各单位完成率均为100%：这一排名反映的是牵头单位"
        "填写与否，不宜据此比较各单位的整改进度。"
    )


def test_unassigned_unit_note_is_computed_from_the_data(tmp_path: Path) -> None:
    def note(*tasks: dict[str, object]) -> str:
        path = write_valid(
            tmp_path / "units.xlsx",
            tasks=list(tasks),
            indicators=[],
            observations=[],
            meta=meta(报告任务数=None, 报告已完成数=None),
        )
        dataset = load_workbook(path).dataset
        assert dataset is not None
        return unassigned_unit_note(score(dataset))

    assert note(task(1), task(2, "正在整改")) == ""
    assert note(task(1, 牵头单位=None), task(2, "正在整改")) == (
        "2项任务中有1项未填写牵头单位，归入“（未填写）”，均已完成。"
    )
    assert note(task(1, "正在整改", 牵头单位=None), task(2, "正在整改")) == (
        "2项任务中有1项未填写牵头单位，归入“（未填写）”，其中1项尚未完成（未完成的任务共2项）。"
    )
    assert "全部1项未完成的任务都没有填写牵头单位" in note(
        task(1, "正在整改", 牵头单位=None), task(2)
    )


# -- headline cards ----------------------------------------------------------------------------


def test_headline_cards_are_one_list_for_every_output(scored: Scored) -> None:
    figures = headline(scored)
    cards = headline_cards(figures, 7, "+2.9个百分点（较上一版本）")
    assert [(c.label, c.value) for c in cards] == [
        ("整改完成率", "85.7%"),
        ("已完成（共 35 项）", "30 项"),
        ("正在整改", "5 项"),
        ("指标已达标", "2 / 5 个"),
        ("超期任务", "0 项"),
        ("需关注", "7 条"),
    ]
    assert cards[0].moved and cards[3].help == MET_HELP
    assert not Card("整改完成率", "85.7%", "持平（较上一版本）").moved
    # without an attention count (the exports), five cards; compact for a slide
    assert len(headline_cards(figures)) == 5
    assert [(c.label, c.value) for c in headline_cards(figures, compact=True)] == [
        ("整改完成率", "85.7%"),
        ("已完成", "30/35项"),
        ("正在整改", "5项"),
        ("指标已达标", "2/5个"),
        ("超期", "0项"),
    ]


def test_met_note_says_how_many_targets_have_no_data(scored: Scored) -> None:
    figures = headline(scored)
    assert met_note(figures).startswith("指标已达标只计已有数据的目标；另有")
    everything_reported = replace(figures, targets_without_data=0, targets_not_yet_due=0)
    assert met_note(everything_reported) == ""


def test_streamlit_command_is_local_and_headless() -> None:
    command = streamlit_command(Path("dashboard.py"), 8765, "--server.maxUploadSize", "1")
    assert command[1:5] == ["-m", "streamlit", "run", "dashboard.py"]
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {
        "--server.port": "8765",
        "--server.address": "127.0.0.1",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--server.fileWatcherType": "none",
        "--server.maxUploadSize": "1",
    }
