"""AppTest of every page, on the bundled workbook and on odd small workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.builders import indicator, meta, task, write_valid
from tests.screen_text import as_read
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = (
    "pages/overview.py",
    "pages/tasks.py",
    "pages/issue.py",
    "pages/indicators.py",
    "pages/units.py",
)


def open_page(
    monkeypatch: pytest.MonkeyPatch,
    workbook: Path,
    page: str = "pages/overview.py",
    **query: str,
) -> AppTest:
    monkeypatch.setenv(WORKBOOK_ENV, str(workbook))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.query_params.update(query)
    if page != PAGES[0]:
        # AppTest then runs the page script itself; the default page runs through
        # dashboard.py and its st.navigation, sidebar included.
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics_of(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def charts_of(app: AppTest) -> list[object]:
    return list(app.get("plotly_chart"))


def overview_charts_of(app: AppTest) -> list[str]:
    """The overview's HTML charts (``st.html`` fragments of charts.bars_html), in order."""
    return [h.proto.body for h in app.get("html") if 'class="zg-chart' in h.proto.body]


def block_texts(block: object) -> list[str]:
    """Every text value inside an element tree block, depth first."""
    found: list[str] = []
    for child in getattr(block, "children", {}).values():
        value = getattr(child, "value", None)
        if isinstance(value, str):
            found.append(value)
        found.extend(block_texts(child))
    return found


def texts_of(app: AppTest) -> str:
    return "\n".join(as_read(m.value) for m in [*app.markdown, *app.caption])


# -- 总览 -------------------------------------------------------------------------------


def test_overview_headline_and_charts(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook)
    figures = metrics_of(app)
    assert figures["整改完成率"] == "85.7%"
    assert figures["已完成（共 35 项）"] == "30 项"
    assert figures["正在整改"] == "5 项"
    assert figures["指标已达标"] == "2 / 5 个"  # among the targets that have data
    assert figures["超期任务"] == "0 项"
    # The three charts are HTML bars (charts.bars_html): no plotly on the overview.
    assert charts_of(app) == []
    breakdown, categories, problems = overview_charts_of(app)
    assert "✔ 已完成 29项（82.9%）" in breakdown and "▲ 正在整改 5项（14.3%）" in breakdown
    assert "10/13 · 76.9%" in categories and "9/9 · 100.0%" in categories
    assert problems.count("<li>") == 12 and "二·5.整改工作标准不高的问题" in problems
    text = texts_of(app)
    assert "截至2021年5月31日，35项整改任务已完成30项，正在整改5项，整改率85.7%。" in text
    assert "分方面看，第一方面13项任务完成10项（76.9%）" in text
    # The attention list: one table, a row for every open task, each opening its issue.
    table = app.dataframe[0].value
    tasks = table[table["类别"] == "任务"]
    assert list(tasks["编号"]) == [7, 9, 10, 24, 26]
    assert all("正在整改" in text for text in tasks["内容"])
    assert any(text.startswith("（9）回迁安置进展缓慢") for text in tasks["内容"])


def test_sidebar_shows_title_date_version_and_legend(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook)
    sidebar = "\n".join(block_texts(app.sidebar))
    assert "中共惠济区委关于巡视整改进展情况的通报" in sidebar
    assert "数据截至 2021年5月31日" in sidebar
    assert "版本 " in sidebar
    assert "严重滞后" in sidebar and "✖" in sidebar


# -- 整改任务 ----------------------------------------------------------------------------


def test_tasks_table_and_filters(monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/tasks.py")
    table = app.dataframe[0].value
    assert len(table) == 35
    app.multiselect(key="tasks_statuses").set_value(["正在整改"]).run()
    table = app.dataframe[0].value
    assert list(table["编号"]) == [7, 9, 10, 24, 26]
    app.text_input(key="tasks_search").set_value("回迁").run()
    assert list(app.dataframe[0].value["编号"]) == [9]
    app.multiselect(key="tasks_statuses").set_value(["已完成"]).run()
    assert app.dataframe[0].value.empty
    assert "共 0 项任务" in texts_of(app)


# -- 问题详情 ----------------------------------------------------------------------------


def test_issue_page_by_link(monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/issue.py", task="9")
    assert app.title[0].value == "（9）回迁安置进展缓慢"
    facts = app.dataframe[0].value
    assert "67.7%" in set(facts["数值"])
    assert any("回迁率67.7%" in source for source in facts["来源"])
    labels = [link.proto.label for link in app.get("page_link")]
    assert "上一项（8）" in labels and "下一项（10）" in labels
    assert app.selectbox(key="issue_task").value == 9


def test_issue_page_charts_indicators_with_targets(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/issue.py", task="6")
    assert len(charts_of(app)) >= 2  # 滩区拆除 656/656 and PM2.5 52/54
    assert "目标 54微克/立方米" in texts_of(app)


def test_issue_picker_changes_the_task(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/issue.py", task="9")
    app.selectbox(key="issue_task").set_value(10).run()
    assert app.title[0].value.startswith("（10）")
    assert app.query_params["task"] == "10" or app.query_params.get("task") == ["10"]


@pytest.mark.parametrize("bad", ["999", "abc", ""])
def test_issue_page_with_a_bad_link(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path, bad: str
) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/issue.py", task=bad)
    assert app.title[0].value.startswith("（1）")
    if bad:
        assert "任务编号不存在" in app.warning[0].value


# -- 指标 --------------------------------------------------------------------------------


def test_indicators_table_filters_and_matrix(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/indicators.py")
    assert len(app.dataframe[0].value) == 121
    assert len(charts_of(app)) == 1
    app.multiselect(key="indicators_statuses").set_value(["已达标"]).run()
    table = app.dataframe[0].value
    assert len(table) == 2
    assert set(table["进度"]) == {100.0}
    assert all(s.endswith("已达标") for s in table["状态"])


# -- 单位评比 ----------------------------------------------------------------------------


def test_unit_ranking(monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/units.py")
    table = app.dataframe[0].value
    assert table.iloc[0]["排名"] == 1
    assert list(table["完成率"]) == sorted(table["完成率"], reverse=True)
    assert table["任务数"].sum() == 35
    assert len(charts_of(app)) == 1


# -- odd workbooks ---------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_one_task_workbook_renders_every_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str
) -> None:
    workbook = write_valid(
        tmp_path / "one.xlsx",
        tasks=[task(1, "正在整改")],
        indicators=[indicator("A", 1, 目标值=10, 目标日期="2021-12-31")],
        observations=[],
        meta=meta(报告任务数=1, 报告已完成数=0),
    )
    app = open_page(monkeypatch, workbook, page, task="1")
    assert app.title


@pytest.mark.parametrize("page", PAGES)
def test_broken_workbook_shows_problems_on_every_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str
) -> None:
    workbook = write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    app = open_page(monkeypatch, workbook, page)
    assert "数据文件有 1 个错误" in app.error[0].value
    assert not charts_of(app)


def test_task_without_indicators(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = open_page(monkeypatch, write_valid(tmp_path / "ok.xlsx"), "pages/issue.py", task="2")
    assert "该任务没有量化指标" in app.info[0].value


def test_units_page_says_why_named_units_are_all_at_100_percent(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/units.py")
    notes = [info.value for info in app.info]
    assert any(
        "35项任务中有18项未填写牵头单位" in note
        and "全部5项未完成的任务都没有填写牵头单位" in note
        and "不宜据此比较各单位的整改进度" in note
        for note in notes
    ), notes
    overview = open_page(monkeypatch, bundled_workbook)
    assert "另有13个目标尚无数据（其中10个为目标日期未到的计划数）" in texts_of(overview)
