"""The briefing deck, opened again with python-pptx: slides, native charts, chart data, fonts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide

from briefing.slides import FONT, build_deck
from metrics.loader import load_workbook
from metrics.progress import Scored, score
from metrics.scope import EVERYTHING, Scope, parse_scope
from tests.builders import write_valid


def deck_of(scored: Scored, scope: Scope = EVERYTHING) -> PresentationType:
    return Presentation(io.BytesIO(build_deck(scored, scope, version="v3 · 1a2b3c4d")))


def texts(slide: Slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def charts(slide: Slide) -> list[Chart]:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


@pytest.fixture(scope="module")
def deck(scored: Scored) -> PresentationType:
    return deck_of(scored)


def test_slide_order_for_everything(deck: PresentationType) -> None:
    slides = list(deck.slides)
    # title, overview, 35 tasks, open and lagging items (5 rows: one slide), summary
    assert len(slides) == 1 + 1 + 35 + 1 + 1
    assert "中共惠济区委关于巡视整改进展情况的通报" in texts(slides[0])
    assert "数据截至 2021年5月31日" in texts(slides[0]) and "v3 · 1a2b3c4d" in texts(slides[0])
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=0.01)


def test_overview_has_native_editable_charts(deck: PresentationType) -> None:
    overview = deck.slides[1]
    assert "85.7%" in texts(overview) and "30 / 35 项" in texts(overview)
    kinds = [c.chart_type for c in charts(overview)]
    assert kinds == [XL_CHART_TYPE.DOUGHNUT, XL_CHART_TYPE.BAR_CLUSTERED]
    doughnut, bars = charts(overview)
    assert list(doughnut.plots[0].categories) == ["已完成", "长期坚持", "正在整改"]
    assert list(doughnut.plots[0].series[0].values) == [29, 1, 5]
    assert list(bars.plots[0].series[0].values) == [76.9, 84.6, 100.0]
    assert not any(shape.shape_type == 13 for shape in overview.shapes)  # no pictures


def test_the_resettlement_slide_charts_67_7(deck: PresentationType) -> None:
    slide = next(s for s in deck.slides if "（9）回迁安置进展缓慢" in texts(s))
    values = [v for c in charts(slide) for p in c.plots for s in p.series for v in s.values]
    assert 67.7 in values
    assert "（二）" in texts(slide) or "›" in texts(slide)  # breadcrumb 方面 › 问题
    assert "正在整改" in texts(slide)


def test_indicators_against_targets(deck: PresentationType) -> None:
    slide = next(s for s in deck.slides if "（6）" in texts(s))  # 656/656; PM2.5 52 vs 54
    progress = next(c for c in charts(slide) if "对比目标" in c.chart_title.text_frame.text)
    assert list(progress.plots[0].categories) == ["郑州市交办滩区拆除任务完成数", "PM2.5年均浓度"]
    assert list(progress.plots[0].series[0].values) == [100.0, 100.0]  # both targets met
    text = texts(slide)
    assert "52微克/立方米" in text and "54微克/立方米" in text  # raw value and target in the table


def test_open_and_lagging_items(deck: PresentationType) -> None:
    slide = deck.slides[-2]
    text = texts(slide)
    for task_id in (7, 9, 10, 24, 26):
        assert f"（{task_id}）" in text
    assert "牵头单位" in text and "整改时限" in text and "未定" in text


def test_summary_in_the_report_style(deck: PresentationType) -> None:
    assert "整改率85.7%" in texts(deck.slides[-1])


def test_every_run_has_an_east_asian_typeface(deck: PresentationType) -> None:
    missing = []
    for number, slide in enumerate(deck.slides, start=1):
        for run_props in slide._element.iter(qn("a:rPr")):  # text boxes and tables
            ea = run_props.find(qn("a:ea"))
            if ea is None or ea.get("typeface") != FONT:
                missing.append(number)
    assert not missing, f"runs without {FONT} on slides {sorted(set(missing))[:5]}"


def test_a_category_scope(scored: Scored) -> None:
    scope = parse_scope("方面:3", scored)
    deck = deck_of(scored, scope)
    assert len(deck.slides) == 1 + 1 + 9 + 1 + 1
    assert "范围：" in texts(deck.slides[0])
    assert "9项整改任务已完成9项" in texts(deck.slides[-1])


def test_chosen_tasks(scored: Scored) -> None:
    deck = deck_of(scored, Scope(task_ids=(1, 9)))
    titles = [texts(s) for s in list(deck.slides)[2:4]]
    assert "（1）" in titles[0] and "（9）" in titles[1]
    assert len(deck.slides) == 6


def test_a_small_workbook(tmp_path: Path) -> None:
    result = load_workbook(write_valid(tmp_path / "small.xlsx"))
    assert result.dataset is not None
    deck = deck_of(score(result.dataset))
    assert len(deck.slides) == 1 + 1 + 3 + 1 + 1
    assert "66.7%" in texts(deck.slides[1])
