"""The briefing deck (briefing.deck), opened again with python-pptx: slide order, native
charts and their data, tables, continuation slides, fonts, geometry, scopes, and small
synthetic workbooks, the 督办 colours. (That every indicator reaches every export:
test_export_completeness.)"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Unpack

import pytest
from lxml.etree import _Element
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.util import Inches

from briefing.deck import SUPERVISED_ATTENTION_COLUMNS, build_deck
from briefing.deck_charts import PERCENT, indicator_groups
from briefing.deck_page import (
    BODY_BOTTOM,
    CONTENT_WIDTH,
    CRUMB_BODY_TOP,
    MARGIN,
    heading,
    new_slide,
)
from briefing.deck_table import TABLE_SIZE, Column, column_widths, pages, split_tall_rows
from briefing.deck_task import CONTINUED
from briefing.deck_text import (
    EAST_ASIAN_FONT,
    Box,
    all_points,
    line_count,
    points,
    split_text,
)
from metrics.scoring.headline import headline
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING, Scope, categories
from metrics.workbook.loader import load_workbook
from tests.builders import WriteOptions, indicator, meta, observation, task, write_valid
from tests.coloured_exports import COLOURED, UNCOLOURED, coloured
from tests.lookups import task_of
from tests.screen_text import slide_text

VERSION = "v2 · 1a2b3c4d"
TITLE = "中共惠济区委关于巡视整改进展情况的通报"
OPEN_TASKS = (7, 9, 10, 24, 26)


def open_deck(scored: Scored, scope: Scope = EVERYTHING) -> PresentationType:
    return Presentation(io.BytesIO(build_deck(scored, scope, version=VERSION)))


texts = slide_text


def charts(slide: Slide) -> list[Chart]:
    return [s.chart for s in slide.shapes if isinstance(s, GraphicFrame) and s.has_chart]


def tables(slide: Slide) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in shape.table.rows]
        for shape in slide.shapes
        if isinstance(shape, GraphicFrame) and shape.has_table
    ]


def values(chart: Chart) -> list[float | None]:
    return [v for plot in chart.plots for series in plot.series for v in series.values]


TASK_TITLE = re.compile(r"^（(\d+)）")


def title_of(slide: Slide) -> str:
    """The slide's title: the first text box starting with "（n）", else the first."""
    heads = [s.text_frame.text for s in slide.shapes if isinstance(s, Shape) and s.has_text_frame]
    heads = heads[:2]
    return next((text for text in heads if TASK_TITLE.match(text)), heads[0] if heads else "")


def task_id_of(slide: Slide) -> int | None:
    """n when the slide's title (after the breadcrumb) starts with "（n）"."""
    found = TASK_TITLE.match(title_of(slide))
    return int(found.group(1)) if found else None


def is_continuation(slide: Slide) -> bool:
    return task_id_of(slide) is not None and title_of(slide).endswith(CONTINUED)


def task_slides(deck: PresentationType) -> list[Slide]:
    """Each task's main slide (continuation slides left out)."""
    return [s for s in deck.slides if task_id_of(s) is not None and not is_continuation(s)]


def task_ids(deck: PresentationType) -> list[int]:
    return [task_id_of(s) or 0 for s in task_slides(deck)]


def slide_of_task(deck: PresentationType, task_id: int) -> Slide:
    return next(s for s in task_slides(deck) if task_id_of(s) == task_id)


def slides_of_task(deck: PresentationType, task_id: int) -> list[Slide]:
    """The task's main slide and its continuation slides."""
    return [s for s in deck.slides if task_id_of(s) == task_id]


def table_rows(slides: list[Slide]) -> list[list[str]]:
    """Body rows of every table on ``slides`` (heading rows left out)."""
    return [row for slide in slides for table in tables(slide) for row in table[1:]]


def xml_parts(slide: Slide) -> Iterator[_Element]:
    """The slide and its charts: everywhere the deck writes text."""
    yield slide._element
    for shape in slide.shapes:
        if isinstance(shape, GraphicFrame) and shape.has_chart:
            yield shape.chart._chartSpace


def assert_within_bounds(deck: PresentationType) -> None:
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.left >= 0
            assert shape.top >= 0
            assert shape.left + shape.width <= deck.slide_width, title_of(slide)
            assert shape.top + shape.height <= deck.slide_height, title_of(slide)
            if shape.has_text_frame and shape.text_frame.text:
                assert shape.text_frame.word_wrap is True
                assert shape.text_frame.auto_size == MSO_AUTO_SIZE.NONE


@pytest.fixture(scope="module")
def deck(scored: Scored) -> PresentationType:
    return open_deck(scored)


def scored_workbook(path: Path, **changes: Unpack[WriteOptions]) -> Scored:
    dataset = load_workbook(write_valid(path, **changes)).dataset
    assert dataset is not None
    return score(dataset)


# -- the whole deck ---------------------------------------------------------------------------


def test_slide_order_for_everything(deck: PresentationType) -> None:
    slides = list(deck.slides)
    # title, overview, each task's slides (main, then any continuations), open tasks and
    # lagging indicators (one slide), summary
    assert "整改总体情况" in texts(slides[1])
    assert task_ids(deck) == list(range(1, 36))
    ids = [task_id_of(s) for s in slides[2:-2]]
    # every slide belongs to a task, and every continuation follows its own main slide
    assert ids == sorted(i for i in ids if i is not None)
    assert [is_continuation(s) for s in slides[2:-2]].count(False) == 35
    assert "未完成任务及滞后指标" in texts(slides[-2])
    assert "整改进展摘要" in texts(slides[-1])
    assert len(slides) == 1 + 1 + len(ids) + 1 + 1


def test_continuation_slides(deck: PresentationType, scored: Scored) -> None:
    """Task 3 has 20 indicators: its table goes on over "（续）" slides, nothing dropped."""
    three = slides_of_task(deck, 3)
    assert len(three) >= 2
    assert title_of(three[0]) == "（3）区域经济发展质量不高"
    assert all(title_of(s) == "（3）区域经济发展质量不高（续）" for s in three[1:])
    crumb = f"{task_of(scored, 3).task.category} › "
    assert all(crumb in texts(s) for s in three)  # the breadcrumb on every one
    names = [ip.indicator.name for ip in task_of(scored, 3).indicators]
    assert [row[0] for row in table_rows(three)] == names  # all 20, in order, once
    assert "20项" in texts(three[0])  # the main slide says where the table is
    assert "指标（" in texts(three[1])  # the caption of the continued table


def test_no_slide_leaves_anything_out(deck: PresentationType) -> None:
    for slide in deck.slides:
        text = texts(slide)
        assert "未在本页列出" not in text
        assert "演讲者备注" not in text
        for table in tables(slide):
            for row in table:
                assert not any(cell.endswith("……") for cell in row), row
        assert not slide.has_notes_slide  # nothing hides in speaker notes


def test_slides_are_16_by_9(deck: PresentationType) -> None:
    assert deck.slide_width == Inches(13.333)
    assert deck.slide_height == Inches(7.5)
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=0.01)


def test_title_slide(deck: PresentationType) -> None:
    text = texts(deck.slides[0])
    assert TITLE in text
    assert "中共惠济区委" in text
    assert "数据截至 2021年5月31日" in text
    assert f"数据版本 {VERSION}" in text
    assert "范围" not in text


def test_file_properties(deck: PresentationType) -> None:
    props = deck.core_properties
    assert props.title == TITLE
    assert props.author == "中共惠济区委"
    assert props.version == VERSION
    assert "数据截至2021年5月31日" in props.comments
    assert props.created is not None
    assert props.created.year >= 2024


def test_footer_numbers_pages(deck: PresentationType) -> None:
    total = len(deck.slides)
    assert f"2 / {total}" in texts(deck.slides[1])
    assert f"{total} / {total}" in texts(deck.slides[total - 1])
    assert f"/ {total}" not in texts(deck.slides[0])
    footer = "中共惠济区委关于巡视整改进展情况的通报 · 数据截至2021年5月31日"
    assert all(footer in texts(slide) for slide in list(deck.slides)[1:])


def test_overview_figures(deck: PresentationType, scored: Scored) -> None:
    text = texts(deck.slides[1])
    for figure in ("整改完成率", "85.7%", "已完成", "30/35项", "正在整改", "5项", "指标已达标"):
        assert figure in text
    figures = headline(scored)
    assert figures.met_text.replace(" ", "") in text  # met among targets with data: 2/5个
    assert "另有13个目标尚无数据（其中10个为目标日期未到的计划数）" in text
    assert "超期" in text


def test_overview_charts_are_native(deck: PresentationType) -> None:
    slide = deck.slides[1]
    assert not any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
    by_type = {chart.chart_type: chart for chart in charts(slide)}
    assert set(by_type) == {XL_CHART_TYPE.DOUGHNUT, XL_CHART_TYPE.BAR_CLUSTERED}
    doughnut = by_type[XL_CHART_TYPE.DOUGHNUT].plots[0]
    assert list(doughnut.categories) == ["已完成", "长期坚持", "正在整改"]
    assert values(by_type[XL_CHART_TYPE.DOUGHNUT]) == [29, 1, 5]
    bars = by_type[XL_CHART_TYPE.BAR_CLUSTERED]
    assert values(bars) == [76.9, 84.6, 100.0]
    assert tuple(bars.plots[0].categories)[:1] == ("第一方面（10/13）",)


def test_task_9_charts_its_rate_and_roads(deck: PresentationType) -> None:
    slide = slide_of_task(deck, 9)
    found = charts(slide)
    assert all(chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED for chart in found)
    assert any(67.7 in values(chart) for chart in found)
    roads = next(c for c in found if "条" in c.chart_title.text_frame.text)
    assert [s.name for s in roads.plots[0].series] == ["数值", "目标"]
    assert 43.0 in values(roads)  # a target without a value yet


def test_task_9_slide_text_and_table(deck: PresentationType, scored: Scored) -> None:
    slide = slide_of_task(deck, 9)
    text = texts(slide)
    nine = scored.task(9)
    assert nine is not None
    assert f"{nine.task.category} › {nine.task.problem}" in text
    assert "回迁安置进展缓慢" in text
    assert "状态：正在整改" in text
    assert "牵头单位：（未填写）" in text
    assert "整改措施" in text
    assert "一是加快安置房建设" in text
    assert nine.task.measures.replace(" ", "") in text.replace("\n", "").replace(" ", "")
    [table] = tables(slide)
    assert table[0] == ["指标", "数值", "目标/说明"]
    rows = table_rows(slides_of_task(deck, 9))
    assert ["整改以来回迁群众", "7398人", "—"] in rows
    # every indicator is in the table, charted ones too (a chart label may be shortened)
    assert [row[0] for row in rows] == [ip.indicator.name for ip in nine.indicators]
    assert ["回迁安置率", "67.7%"] in [row[:2] for row in rows]


def test_task_without_indicators_shows_text_only(deck: PresentationType) -> None:
    [slide] = slides_of_task(deck, 11)
    assert not charts(slide)
    assert not tables(slide)
    assert "一是将履行意识形态工作责任制" in texts(slide)


def test_values_and_targets_in_the_table(deck: PresentationType) -> None:
    """Task 6: PM2.5 52 against a target of 54, with units, in a table on its slides."""
    rows = table_rows(slides_of_task(deck, 6))
    pm25 = next(row for row in rows if row[0] == "PM2.5年均浓度")
    assert pm25[1] == "52微克/立方米"
    assert pm25[2].startswith("54微克/立方米")


def test_indicator_groups_share_one_unit_rates_first(scored: Scored) -> None:
    for tp in scored.tasks:
        groups = indicator_groups(tp.indicators)
        units = [group[0].indicator.unit_symbol for group in groups]
        assert len(set(units)) == len(units)
        for group in groups:
            assert {ip.indicator.unit_symbol for ip in group} == {group[0].indicator.unit_symbol}
        if PERCENT in units:
            assert units[0] == PERCENT
    nine = indicator_groups(task_of(scored, 9).indicators)
    assert [g[0].indicator.unit_symbol for g in nine] == [PERCENT, "条"]


def test_open_tasks_table(deck: PresentationType) -> None:
    slide = deck.slides[len(deck.slides) - 2]
    assert "未完成任务5项" in texts(slide)
    [table] = tables(slide)
    assert table[0] == ["任务", "状态", "牵头单位", "整改时限", "说明"]
    listed = [int(row[0][1 : row[0].index("）")]) for row in table[1:]]
    assert listed == list(OPEN_TASKS)
    for row in table[1:]:
        assert row[1] == "正在整改"
        assert row[2] == "（未填写）"
        assert row[3] == "未定"
        assert row[4].startswith("未填写整改时限")
        assert not row[4].endswith("……")  # the task's 备注 in full, wrapped


def test_summary_slide(deck: PresentationType) -> None:
    text = texts(deck.slides[len(deck.slides) - 1])
    assert "整改率85.7%" in text
    assert "分方面看" in text


def test_every_text_run_has_an_east_asian_typeface(deck: PresentationType) -> None:
    checked = 0
    for slide in deck.slides:
        for part in xml_parts(slide):
            for run in part.iter(qn("a:r")):
                ea = run.find(f"{qn('a:rPr')}/{qn('a:ea')}")
                assert ea is not None, run.findtext(qn("a:t"))
                assert ea.get("typeface") == EAST_ASIAN_FONT
                checked += 1
    assert checked > 900


def test_chart_text_has_an_east_asian_typeface(deck: PresentationType) -> None:
    found = 0
    for slide in deck.slides:
        for chart in charts(slide):
            defaults = list(chart._chartSpace.iter(qn("a:defRPr")))
            assert defaults
            assert all(d.find(qn("a:ea")) is not None for d in defaults)
            found += 1
    assert found == 2 + 20  # the overview's two, and twenty on task slides


def test_shapes_stay_on_the_slide_and_text_never_autofits(deck: PresentationType) -> None:
    assert_within_bounds(deck)


def test_continuation_body_starts_below_a_heading_with_breadcrumb() -> None:
    deck = Presentation()
    assert heading(new_slide(deck), "（1）标题", "方面 › 问题") == CRUMB_BODY_TOP


# -- scopes -----------------------------------------------------------------------------------


def test_scope_of_one_category(scored: Scored) -> None:
    name = categories(scored)[2]
    expected = [tp.task.id for tp in scored.tasks if tp.task.category == name]
    deck = open_deck(scored, Scope(category=name))
    assert task_ids(deck) == expected
    continued = sum(1 for s in deck.slides if is_continuation(s))
    assert len(deck.slides) == 1 + 1 + len(expected) + continued + 1 + 1
    assert f"范围：{name}（{len(expected)}项任务）" in texts(deck.slides[0])
    doughnut = next(c for c in charts(deck.slides[1]) if c.chart_type == XL_CHART_TYPE.DOUGHNUT)
    assert sum(v or 0 for v in values(doughnut)) == len(expected)
    slides = list(deck.slides)
    assert "所选范围内的任务均已完成" in texts(slides[-2])
    assert "9项整改任务已完成9项" in texts(slides[-1])  # the summary describes the scope


def test_scope_of_tasks_1_and_9(scored: Scored) -> None:
    deck = open_deck(scored, Scope(task_ids=(9, 1)))
    slides = list(deck.slides)
    assert task_ids(deck) == [1, 9]
    assert [task_id_of(s) for s in slides[2:-2]] == [1, 9, 9]  # task 9 continues
    assert "范围：任务9、1" in texts(slides[0])
    assert "50.0%" in texts(slides[1])
    [table] = tables(slides[-2])
    assert [row[0] for row in table[1:]] == ["（9）回迁安置进展缓慢"]
    summary = texts(slides[-1])
    assert "整改率50.0%" in summary
    assert "全部任务：" in summary
    assert "整改率85.7%" in summary


def test_empty_scope_still_builds(scored: Scored) -> None:
    deck = open_deck(scored, Scope(category="不存在的方面"))
    assert len(deck.slides) == 4
    assert "所选范围内没有任务" in texts(deck.slides[1])
    assert not charts(deck.slides[1])


# -- small synthetic workbooks ----------------------------------------------------------------


def test_small_workbook_builds(tmp_path: Path) -> None:
    deck = open_deck(scored_workbook(tmp_path / "small.xlsx"))
    assert len(deck.slides) == 1 + 1 + 3 + 1 + 1
    assert task_ids(deck) == [1, 2, 3]
    third = slide_of_task(deck, 3)
    assert "整改时限：2021年6月30日" in texts(third)
    [rate_chart] = charts(third)
    assert values(rate_chart) == [67.7]
    [table] = tables(third)
    assert table[1] == ["指标B", "87.6亿元", "211亿元（2021年12月31日前）"]
    assert table[2] == ["指标C", "67.7%", "—"]  # charted, and in the table too
    assert "测试区委" in texts(deck.slides[0])
    assert "66.7%" in texts(deck.slides[1])


def test_lagging_indicator_and_overdue_task_are_listed(tmp_path: Path) -> None:
    scored = scored_workbook(
        tmp_path / "late.xlsx",
        tasks=[task(1), task(2), task(3, "正在整改", 整改时限=datetime.date(2021, 5, 1))],
        observations=[
            observation("A", "2020-12-31", 52),
            observation("B", "2021-04-30", 10),
            observation("C", "2021-05-31", "67.7%"),
        ],
    )
    deck = open_deck(scored)
    slide = next(s for s in deck.slides if "未完成任务及滞后指标" in texts(s))
    assert "未完成任务1项（其中超期1项），进度滞后或严重滞后的指标1个。" in texts(slide)
    [table] = tables(slide)
    assert table[1][:4] == ["（3）任务3", "正在整改", "区住建局", "2021年5月1日"]
    assert table[1][4] == "已超过整改时限 30 天"
    assert table[2][0] == "（3）任务3：指标B"
    assert table[2][1] == "严重滞后"
    assert table[2][4].startswith("10亿元，目标 211亿元")


def body_text(slides: list[Slide]) -> str:
    """The text boxes below the heading and above the footer, slide after slide."""
    return "".join(
        shape.text_frame.text.replace("\n", "")
        for slide in slides
        for shape in slide.shapes
        if isinstance(shape, Shape)
        and shape.has_text_frame
        and CRUMB_BODY_TOP <= shape.top < BODY_BOTTOM
    )


def test_long_measures_go_on_in_full_on_a_continuation_slide(tmp_path: Path) -> None:
    measures = "；".join(f"{n}是" + "推进整改工作" * 30 for n in "一二三四五六七八九十")
    note = "口径：" + "按报告原文推断" * 20
    scored = scored_workbook(
        tmp_path / "long.xlsx",
        tasks=[task(1, 整改措施=measures, 备注=note), task(2), task(3, "正在整改")],
    )
    deck = open_deck(scored)
    main, *rest = slides_of_task(deck, 1)
    text = texts(main)
    assert "……" in text  # shortened on the main slide, and it says so
    assert "（整改措施全文、备注见续页）" in text
    assert measures not in text
    assert rest and all(title_of(s) == "（1）任务1（续）" for s in rest)
    assert "整改措施（全文）" in texts(rest[0])
    full = body_text(rest)
    assert full.count(measures) == 1  # visible in full, over two slides
    assert f"备注：{note}" in full
    assert [row[:2] for row in table_rows([main, *rest])] == [["指标A", "52微克/立方米"]]
    assert_within_bounds(deck)


def test_measures_without_points_longer_than_a_slide(tmp_path: Path) -> None:
    measures = "持续推进整改工作，" * 500
    scored = scored_workbook(
        tmp_path / "one.xlsx", tasks=[task(1, 整改措施=measures), task(2), task(3, "正在整改")]
    )
    deck = open_deck(scored)
    _, *rest = slides_of_task(deck, 1)
    assert len(rest) >= 3
    assert body_text(rest).count(measures.strip()) == 1
    assert_within_bounds(deck)


def test_points_split_and_cut() -> None:
    assert points("一是甲；二是乙。", 300) == ["一是甲；", "二是乙。"]
    assert all_points("一是甲；\n 二是乙。") == ["一是甲；", "二是乙。"]
    cut = points("一是" + "甲" * 50 + "；二是" + "乙" * 50, 60)
    assert cut[0] == "一是" + "甲" * 50 + "；"
    assert cut[1].endswith("……")
    assert sum(len(p) for p in cut) <= 60


def test_long_attention_list_runs_over_several_slides(tmp_path: Path) -> None:
    scored = scored_workbook(
        tmp_path / "open.xlsx",
        tasks=[task(n, "正在整改", 任务=f"第{n}项任务" * 3) for n in range(1, 41)],
        indicators=[indicator("A", 1)],
        observations=[observation("A", "2021-05-31", 3)],
        meta=meta(报告任务数=40, 报告已完成数=0),
    )
    deck = open_deck(scored)
    found = [s for s in deck.slides if "未完成任务及滞后指标（" in texts(s)]
    assert len(found) >= 2
    assert "（1/" in texts(found[0])
    listed = [row[0] for page in found for row in tables(page)[0][1:]]
    assert listed == [f"（{n}）" + f"第{n}项任务" * 3 for n in range(1, 41)]  # none cut
    assert len(deck.slides) == 1 + 1 + 40 + len(found) + 1


def test_names_longer_than_a_slide_are_split_not_cut(tmp_path: Path) -> None:
    """A (silly) 1,500-character indicator name runs over several table rows and slides."""
    name = "：".join(f"第{n}段很长的指标名称" for n in range(150))
    scored = scored_workbook(
        tmp_path / "huge.xlsx",
        indicators=[indicator("A", 1, 指标名称=name), indicator("B", 3), indicator("C", 3)],
        observations=[observation("A", "2021-05-31", 1)],
    )
    deck = open_deck(scored)
    assert_within_bounds(deck)
    cells = [row[0] for row in table_rows(slides_of_task(deck, 1))]
    assert len(cells) >= 2
    assert "".join(cells) == name


def test_split_text_and_pages_keep_every_character() -> None:
    text = "指标：" * 400
    pieces = split_text(text, int(Inches(4)), 11, 5)
    assert "".join(pieces) == text and len(pieces) > 1
    columns = (Column("指标", 1), Column("数值", 1))
    box = Box(MARGIN, CRUMB_BODY_TOP, int(Inches(6)), int(Inches(2)))
    rows = [(text, "1个"), ("短", "2个")]
    split = split_tall_rows(columns, rows, box)
    assert "".join(row[0] for row in split[:-1]) == text
    assert [row[1] for row in split] == ["1个"] + [""] * (len(split) - 2) + ["2个"]
    assert [row for page in pages(columns, rows, box) for row in page] == split


# -- 督办 colours (tests.coloured_exports) -----------------------------------------------------


def test_the_colours_are_on_the_overview_the_task_slides_and_the_open_tasks(
    tmp_path: Path,
) -> None:
    scored, warnings = coloured(tmp_path)
    deck = Presentation(
        io.BytesIO(build_deck(scored, EVERYTHING, version=VERSION, warnings=warnings))
    )
    assert_within_bounds(deck)
    assert "督办：● 红色 1 项　▲ 黄色 1 项　■ 蓝色 1 项" in texts(deck.slides[1])
    for task_id, (cell, reason) in COLOURED.items():
        assert f"督办：{cell}（{reason}）" in texts(slide_of_task(deck, task_id)), task_id
    for task_id in UNCOLOURED:
        assert "督办" not in texts(slide_of_task(deck, task_id)), task_id
    slide = next(s for s in deck.slides if "未完成任务及滞后指标" in texts(s))
    [table] = tables(slide)
    assert table[0] == ["任务", "状态", "督办", "督办原因", "牵头单位", "整改时限", "说明"]
    rows = {row[0]: row for row in table[1:]}
    assert [row[0] for row in table[1:]][:4] == [
        "（1）逾期任务",
        "（3）指标滞后",
        "（2）临近时限",
        "（5）获准延期",
    ]
    for task_id, (cell, reason) in COLOURED.items():
        row = next(r for title, r in rows.items() if title.startswith(f"（{task_id}）"))
        assert row[2:4] == [cell, reason], task_id
    assert rows["（5）获准延期"][2:4] == ["", ""]  # open, without a colour
    assert rows["（3）指标滞后：指标L"][2:4] == ["", ""]  # an indicator's row
    # The colour's cell stays on one line (the table is sized for it).
    widths = column_widths(SUPERVISED_ATTENTION_COLUMNS, CONTENT_WIDTH)
    assert line_count("● 红色", widths[2], TABLE_SIZE) == 1


def test_without_warnings_the_deck_names_no_colour(tmp_path: Path) -> None:
    scored, _ = coloured(tmp_path)
    deck = open_deck(scored)
    assert not any("督办：" in texts(slide) for slide in deck.slides)
    slide = next(s for s in deck.slides if "未完成任务及滞后指标" in texts(s))
    assert tables(slide)[0][0] == ["任务", "状态", "牵头单位", "整改时限", "说明"]
