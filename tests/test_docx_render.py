"""The Word report and the bulletin as LibreOffice prints them: pages, page numbers, no
blank page, 28 characters a line, Chinese glyphs, figures. One page of each is kept as
a PNG in test-output/docx/ to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from briefing.docx_figures import render_figures
from briefing.docx_report import build_report_docx
from briefing.exports import export_bulletin
from briefing.images import Renderer
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING
from metrics.workbook.loader import load_workbook
from tests.browser.test_upload import changed_bundled
from tests.libreoffice import fonts, page_count, page_png, page_text, page_words, to_pdf

PAGE_NUMBER = re.compile(r"^\s*—\s*(\d+)\s*—\s*$", re.MULTILINE)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—…·]")


@pytest.fixture(scope="module")
def out_dir(screenshot_dir: Path) -> Path:
    folder = screenshot_dir.parent / "docx"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def report_pdf(
    scored: Scored, renderer: Renderer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("docx-render")
    document = folder / "report.docx"
    document.write_bytes(
        build_report_docx(
            scored, EVERYTHING, version="v1", figures=render_figures(renderer, scored)
        )
    )
    return to_pdf(document, folder)


def test_every_page_has_content_and_its_number(report_pdf: Path, out_dir: Path) -> None:
    pages = page_count(report_pdf)
    assert 15 <= pages <= 60  # 35 tasks with measures and figures, three charts, a table
    for page in range(1, pages + 1):
        text = page_text(report_pdf, page)
        numbers = PAGE_NUMBER.findall(text)
        assert numbers == [str(page)], (page, numbers)
        content = PAGE_NUMBER.sub("", text).strip()
        assert content, f"page {page} is blank"
    page_png(report_pdf, 1, out_dir / "report-page-1.png", dpi=100)
    page_png(report_pdf, 3, out_dir / "report-page-3.png", dpi=100)


def test_body_lines_hold_28_characters_and_pages_22_lines(report_pdf: Path) -> None:
    """A full body line of Chinese text is 28 characters (27 or 28 when Latin digits
    share it); a full page is 22 lines."""
    longest_by_page = []
    for page in (3, 4, 5):
        lines = [
            line.strip()
            for line in page_text(report_pdf, page, layout=True).splitlines()
            if line.strip() and not PAGE_NUMBER.match(line)
        ]
        pure = [line for line in lines if all(CJK.match(ch) for ch in line)]
        longest_by_page.append(max((len(line) for line in pure), default=0))
        assert len(lines) <= 22, (page, len(lines))
    assert max(longest_by_page) == 28, longest_by_page


MM = 72 / 25.4  # points per millimetre


def test_page_numbers_sit_7_mm_below_the_text_block_at_the_outer_edge(report_pdf: Path) -> None:
    """GB/T 9704: the number's dashes 7 mm below the text block's bottom edge; odd pages
    at the right, even pages at the left, one character (14 pt) in from the text block."""
    block_bottom = (297 - 35) * MM
    left, right = 28 * MM, (210 - 26) * MM
    for page in (2, 3):
        words = page_words(report_pdf, page)
        dashes = [w for w in words if w.text == "—" and w.y_min > block_bottom]
        assert len(dashes) == 2, (page, dashes)
        middle = (dashes[0].y_min + dashes[0].y_max) / 2
        assert 6 * MM <= middle - block_bottom <= 8 * MM, (page, (middle - block_bottom) / MM)
        # Below the text block: the page number and nothing else.
        below = {w.text for w in words if w.y_max > block_bottom + 1}
        assert below == {"—", str(page)}, (page, below)
        if page % 2:
            assert abs(right - 14 - max(d.x_max for d in dashes)) < 2, page
        else:
            assert abs(left + 14 - min(d.x_min for d in dashes)) < 2, page


def test_chinese_glyphs_and_figures_are_in_the_pdf(report_pdf: Path, out_dir: Path) -> None:
    embedded = fonts(report_pdf)
    assert re.search(r"CJK|Song|Fang|Kai|Hei|Ming|WenQuanYi|Droid", embedded), embedded
    first = page_text(report_pdf, 1)
    assert "中共惠济区委关于巡视整改进展" in first and "图1" in first
    image = Image.open(page_png(report_pdf, 1, out_dir / "report-page-1-check.png", dpi=60))
    histogram = image.convert("L").histogram()
    dark = sum(histogram[:200])
    assert dark > 0.02 * image.width * image.height  # text and a chart, not an empty page


def test_the_bulletin_prints_on_its_own_pages(
    bundled_workbook: Path, tmp_path: Path, out_dir: Path
) -> None:
    before = load_workbook(bundled_workbook).dataset
    after = load_workbook(changed_bundled(bundled_workbook, tmp_path / "v2.xlsx")).dataset
    assert before is not None and after is not None
    exported = export_bulletin(
        score(before), score(after), old_label="v1", new_label="v2", version="v2"
    )
    document = tmp_path / "bulletin.docx"
    document.write_bytes(exported.data)
    pdf = to_pdf(document, tmp_path)
    assert page_count(pdf) == 2
    first, second = ("".join(page_text(pdf, n).split()) for n in (1, 2))
    assert "整改率由85.7%升至88.6%" in first
    # The two-row table stays whole with its caption.
    assert "表1指标变化" in first and "（9）回迁安置率上升67.7%72.5%" in first
    # The signature keeps its date and the text before it: never alone on a page.
    assert "尚未完成的任务4项" in second and second.endswith("中共惠济区委2021年5月31日—2—")
    assert PAGE_NUMBER.findall(page_text(pdf, 1)) == ["1"]
    for number in (1, 2):
        page_png(pdf, number, out_dir / f"bulletin-page-{number}.png", dpi=100)
