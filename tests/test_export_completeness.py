"""Exports never leave anything out: every indicator in scope, with its full name and the
value text shown for it, reaches the deck (slide text, table cells and chart categories —
never only the speaker notes), the offline HTML report and the Excel summary; so do the
full measures.

Held against the bundled workbook and a synthetic one whose first task has 60 indicators
with long names full of "：" (full-width colons), as do its measures and notes.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide

from briefing.deck import build_deck
from briefing.deck_task import CONTINUED
from briefing.deck_text import ELLIPSIS
from briefing.excel_summary import build_summary_xlsx
from briefing.html_report import build_html
from metrics.scoring.progress import IndicatorProgress, Scored, score
from metrics.scoring.scope import EVERYTHING, Scope
from metrics.workbook.loader import load_workbook
from report.safe_cells import neutralise
from report.views import LAGGING
from report.wording import value_text
from tests.builders import WriteOptions, indicator, observation, task, write_valid
from tests.lookups import task_of

VERSION = "v7 · 0badc0de"
TASK_TITLE = re.compile(r"（\d+）")
UNITS = ("%", "个", "亿元", "万人", "微克/立方米")
LONG = "整改以来全区累计完成老旧小区改造、背街小巷整治和城市道路提质工程的项目"
MEASURES = "；".join(
    f"{n}是围绕“{n}”专项：" + "细化整改台账、压实责任链条、逐项对账销号" * 3
    for n in "一二三四五六七八"
)


def long_name(n: int) -> str:
    unit = UNITS[n % len(UNITS)]
    return f"{n:02d}号指标：{LONG}数量（口径：按{unit}计；含“四上”企业：第{n}批）"


def synthetic_rows() -> WriteOptions:
    """Task 1 (正在整改) with 60 indicators: every third with a target, every seventh
    without a value, every fifth an approximate value ("约…")."""
    indicators, observations = [], []
    for n in range(1, 61):
        unit = UNITS[n % len(UNITS)]
        cells: dict[str, object] = {"指标名称": long_name(n), "单位": unit, "方向": "仅监测"}
        if n % 3 == 0:
            cells.update(
                方向="越大越好",
                基期值=0,
                基期日期="2021-01-01",
                目标值=100,
                目标日期="2021-12-31",
            )
        if n % 4 == 0:
            cells["备注"] = f"说明：第{n}项的口径：以区统计局年报为准。"
        indicators.append(indicator(f"L{n:02d}", 1, **cells))
        if n % 7:
            value = f"约{n}" if n % 5 == 0 else f"{n}.5"
            observations.append(observation(f"L{n:02d}", "2021-05-31", value))
    return {
        "tasks": [
            task(
                1,
                "正在整改",
                任务="推进城市更新：老旧小区与背街小巷整治",
                整改措施=MEASURES,
                整改时限=datetime.date(2021, 12, 31),
                备注="口径：原文“持续推进”，列为正在整改。",
            ),
            task(2),
            task(3),
        ],
        "indicators": indicators,
        "observations": observations,
    }


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Scored:
    path = tmp_path_factory.mktemp("sixty") / "sixty.xlsx"
    result = load_workbook(write_valid(path, **synthetic_rows()))
    assert result.dataset is not None, [p.message for p in result.errors]
    scored = score(result.dataset)
    assert len(task_of(scored, 1).indicators) == 60
    return scored


@pytest.fixture(scope="module", params=["bundled", "synthetic"])
def workbook(request: pytest.FixtureRequest) -> Scored:
    name = "scored" if request.param == "bundled" else "synthetic"
    scored: Scored = request.getfixturevalue(name)
    return scored


def shown(ip: IndicatorProgress) -> tuple[str, str]:
    return ip.indicator.name, value_text(ip)


def squeeze(text: str) -> str:
    return "".join(text.split())


# -- the deck ---------------------------------------------------------------------------------


@dataclass
class SlideContent:
    """What a reader sees on a slide: text boxes, table rows, chart categories."""

    title: str
    text: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def read_slide(slide: Slide) -> SlideContent:
    content = SlideContent(title="")
    for shape in slide.shapes:
        if isinstance(shape, Shape) and shape.has_text_frame:
            content.text.append(shape.text_frame.text)
        if isinstance(shape, GraphicFrame) and shape.has_table:
            content.rows.extend([c.text for c in row.cells] for row in shape.table.rows)
        if isinstance(shape, GraphicFrame) and shape.has_chart:
            for plot in shape.chart.plots:
                content.categories.extend(str(c) for c in plot.categories)
    heads = [t for t in content.text[:2] if TASK_TITLE.match(t)]
    content.title = heads[0] if heads else (content.text[0] if content.text else "")
    return content


_DECKS: dict[tuple[int, Scope], tuple[Scored, list[SlideContent]]] = {}


def read_deck(scored: Scored, scope: Scope = EVERYTHING) -> list[SlideContent]:
    """The deck's slides as read back (built once per workbook and scope; the entry keeps
    ``scored`` alive, so its id is not reused)."""
    key = (id(scored), scope)
    if key not in _DECKS:
        deck = Presentation(io.BytesIO(build_deck(scored, scope, version=VERSION)))
        _DECKS[key] = (scored, [read_slide(slide) for slide in deck.slides])
    return _DECKS[key][1]


def of_task(slides: list[SlideContent], task_id: int, title: str) -> list[SlideContent]:
    main = f"（{task_id}）{title}"
    return [s for s in slides if s.title in (main, main + CONTINUED)]


def test_every_indicator_is_on_its_task_slides(workbook: Scored) -> None:
    slides = read_deck(workbook)
    for tp in workbook.tasks:
        mine = of_task(slides, tp.task.id, tp.task.title)
        assert mine and mine[0].title == f"（{tp.task.id}）{tp.task.title}"
        rows = [tuple(row[:2]) for s in mine for row in s.rows]
        for ip in tp.indicators:
            assert rows.count(shown(ip)) == 1, shown(ip)  # full name and value, once
        names = {ip.indicator.name for ip in tp.indicators}
        for category in (c for s in mine for c in s.categories):
            # a chart label is the full name, or its start when the full name is in the table
            start = category.removesuffix(ELLIPSIS)
            assert category in names or any(n.startswith(start) for n in names), category


def test_the_sixty_indicators_continue_over_several_slides(synthetic: Scored) -> None:
    slides = read_deck(synthetic)
    title = "（1）推进城市更新：老旧小区与背街小巷整治"
    mine = of_task(slides, 1, "推进城市更新：老旧小区与背街小巷整治")
    assert mine[0].title == title
    assert len(mine) >= 4
    assert all(s.title == title + CONTINUED for s in mine[1:])
    body = [row for s in mine for row in s.rows if row[0] != "指标"]
    assert [row[0] for row in body] == [long_name(n) for n in range(1, 61)]  # in order
    assert all(ELLIPSIS not in cell for row in body for cell in row)


def test_the_deck_shows_the_full_measures(workbook: Scored) -> None:
    """On the main slide, or — when shortened there, saying so — on a continuation slide."""
    slides = read_deck(workbook)
    for tp in workbook.tasks:
        mine = of_task(slides, tp.task.id, tp.task.title)
        visible = squeeze("".join(text for s in mine for text in s.text))
        assert squeeze(tp.task.measures) in visible, tp.task.id
        if tp.task.note:
            assert squeeze(tp.task.note) in visible, tp.task.id


def test_the_synthetic_measures_are_shortened_then_given_in_full(synthetic: Scored) -> None:
    slides = read_deck(synthetic)
    main, *rest = of_task(slides, 1, "推进城市更新：老旧小区与背街小巷整治")
    main_text = "\n".join(main.text)
    assert squeeze(MEASURES) not in squeeze(main_text)
    assert "整改措施全文" in main_text and "见续页" in main_text
    assert "整改措施（全文）" in "\n".join(rest[0].text)


def test_lagging_indicators_keep_their_full_names(synthetic: Scored) -> None:
    slides = read_deck(synthetic)
    attention = [row[0] for s in slides if s.title.startswith("未完成任务") for row in s.rows]
    lagging = [ip for ip in synthetic.indicators if ip.status in LAGGING]
    assert lagging
    title = "（1）推进城市更新：老旧小区与背街小巷整治"
    for ip in lagging:
        assert f"{title}：{ip.indicator.name}" in attention


def test_a_scope_of_one_task_lists_all_its_indicators(scored: Scored) -> None:
    slides = read_deck(scored, Scope(task_ids=(3,)))
    three = scored.task(3)
    assert three is not None and len(three.indicators) == 20
    rows = [tuple(row[:2]) for s in of_task(slides, 3, three.task.title) for row in s.rows]
    assert all(shown(ip) in rows for ip in three.indicators)


# -- the offline report -----------------------------------------------------------------------


class _Tables(HTMLParser):
    """Table rows (cell texts) and all visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_html(scored: Scored) -> _Tables:
    parsed = _Tables()
    parsed.feed(build_html(scored, EVERYTHING, version=VERSION))
    return parsed


def test_every_indicator_is_in_the_report(workbook: Scored) -> None:
    parsed = read_html(workbook)
    rows = [tuple(row[:2]) for row in parsed.rows]
    for ip in workbook.indicators:
        assert rows.count(shown(ip)) == 1, shown(ip)
    text = squeeze("".join(parsed.text))
    for tp in workbook.tasks:
        assert squeeze(tp.task.measures) in text
        assert squeeze(tp.task.note) in text
    for ip in workbook.indicators:
        assert squeeze(ip.indicator.note) in text


def test_the_report_escapes_workbook_text(tmp_path: Path) -> None:
    evil = "<img src=x onerror=alert(1)>：<b>粗</b> & “引号”"
    rows = synthetic_rows()
    rows["indicators"] = [
        indicator("A", 1, 指标名称=evil, 备注=evil, 来源=evil),
        indicator("B", 3),
        indicator("C", 3),
    ]
    rows["tasks"] = [task(1, 整改措施=evil, 备注=evil), task(2), task(3, "正在整改")]
    rows["observations"] = [observation("A", "2021-05-31", 3)]
    result = load_workbook(write_valid(tmp_path / "evil.xlsx", **rows))
    assert result.dataset is not None
    page = build_html(score(result.dataset), EVERYTHING, version=VERSION)
    assert "<img" not in page and "<b>粗" not in page
    parsed = _Tables()
    parsed.feed(page)
    assert "".join(parsed.text).count(evil) >= 4  # name, measures, notes, source: as typed


# -- the Excel summary ------------------------------------------------------------------------


def sheet(data: bytes, name: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[name]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(name) for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_every_indicator_is_in_the_excel_summary(workbook: Scored) -> None:
    data = build_summary_xlsx(workbook, EVERYTHING, version=VERSION)
    indicators = sheet(data, "指标")
    assert len(indicators) == len(workbook.indicators)
    written = [(row["指标"], row["数值（文字）"]) for row in indicators]
    for ip in workbook.indicators:
        name, value = shown(ip)
        assert (neutralise(name), neutralise(value)) in written
    notes = {row["指标编号"]: row["备注"] for row in indicators}
    assert all(notes[ip.indicator.id] == (ip.indicator.note or None) for ip in workbook.indicators)
    tasks = {row["编号"]: row for row in sheet(data, "任务")}
    for tp in workbook.tasks:
        assert tasks[tp.task.id]["整改措施"] == (neutralise(tp.task.measures) or None)
        assert tasks[tp.task.id]["备注"] == (neutralise(tp.task.note) or None)
