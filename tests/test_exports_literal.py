"""Workbook text full of markup, through every export: the deck, the offline report, the
Excel summary and chart images carry it as typed and make nothing of it."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from briefing.chart_catalog import chart_catalog
from briefing.exports import build_document, render_chart
from briefing.images import Renderer
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING
from metrics.workbook.loader import load_workbook
from tests.markup import OUTSIDE, markup_workbook
from tests.screen_text import slide_text


@pytest.fixture(scope="module")
def marked(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path
) -> tuple[Scored, dict[str, str]]:
    out = tmp_path_factory.mktemp("markup") / "markup.xlsx"
    typed = markup_workbook(repo_root / "data" / "indicators.xlsx", out)
    result = load_workbook(out)
    assert result.dataset is not None, [p.message for p in result.errors]
    return score(result.dataset), typed


def deck_text(data: bytes) -> str:
    return "\n".join(slide_text(slide) for slide in Presentation(io.BytesIO(data)).slides)


def test_the_deck_keeps_workbook_text_as_typed(marked: tuple[Scored, dict[str, str]]) -> None:
    scored, typed = marked
    text = deck_text(build_document("pptx", scored, EVERYTHING, version="v2"))
    # Task titles and the 概况 title may be shortened on a slide; their start is literal.
    for field in ("TT", "HT", "II"):
        assert typed[field][:12] in text, field
    assert "<b>MM粗</b>" in text


class _Elements(HTMLParser):
    """The elements and text of an HTML page (scripts' contents left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def test_the_offline_report_keeps_workbook_text_as_typed(
    marked: tuple[Scored, dict[str, str]],
) -> None:
    scored, typed = marked
    page = build_document("html", scored, EVERYTHING, version="v2").decode("utf-8")
    parsed = _Elements()
    parsed.feed(page)
    text = "".join(parsed.text)
    for field in ("TT", "MM", "NN", "II", "HT", "HO"):
        assert typed[field] in text, field
    for tag, attrs in parsed.tags:
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)
        for value in attrs.values():
            assert OUTSIDE not in (value or ""), (tag, attrs)
            assert not (value or "").lower().startswith("javascript:"), (tag, attrs)
    # Chart text inside the embedded figures is escaped for plotly: no raw tag left.
    for figure_json in re.findall(r"Plotly\.newPlot\((.*?)\)\s*;?\s*</script>", page, re.S):
        assert "<b>CC" not in figure_json and "<b>TT" not in figure_json


def test_the_excel_summary_keeps_workbook_text_as_typed(
    marked: tuple[Scored, dict[str, str]],
) -> None:
    scored, typed = marked
    book = openpyxl.load_workbook(
        io.BytesIO(build_document("xlsx", scored, EVERYTHING, version="v2"))
    )
    cells = {
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    }
    for field in ("TT", "MM", "II", "HT"):
        assert typed[field] in cells, field


def test_chart_images_draw_workbook_text_literally(
    marked: tuple[Scored, dict[str, str]], renderer: Renderer
) -> None:
    scored, _ = marked
    charts = {c.key: c for c in chart_catalog(scored)}
    for key, typed_tag in (("overview_categories", "CC"), ("bullet_T09-11", "II")):
        svg = render_chart(renderer, charts[key], scored, "svg").data.decode("utf-8")
        drawn = "".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg))
        assert f"<b>{typed_tag}粗" in drawn, key  # the typed tag is drawn as text
        assert re.search(r"font-weight: ?bold[^>]*>" + typed_tag, svg) is None, key
        assert re.search(r'(?:href|src)="[^"]*' + re.escape(OUTSIDE), svg) is None, key
        assert "<image" not in svg and "<a " not in svg, key
