"""The Word report and the bulletin as LibreOffice prints them: pages, page numbers, no
blank page, 28 characters a line, Chinese glyphs, figures. One page of each is kept as
a PNG in test-output/docx/ to look at."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from briefing.docx_figures import render_figures
from briefing.docx_layout import CHARACTER_SPACING_TWIPS, MARGINS, SIZE_3, TEXT_WIDTH
from briefing.docx_report import build_report_docx
from briefing.exports import export_bulletin
from briefing.images import Renderer
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING
from metrics.workbook.loader import load_workbook
from tests.browser.test_upload import changed_bundled
from tests.libreoffice import (
    Word,
    fonts,
    need,
    page_count,
    page_png,
    page_text,
    page_words,
    to_pdf,
)
from tests.test_docx_bulletin import plain_figures

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
    for page in (6, 7, 8):  # part 二: body text only (pages 3–5 hold the charts)
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
    assert "中共惠济区委关于巡视整改进展" in first
    charts = next(n for n in (2, 3, 4) if "图1" in page_text(report_pdf, n))
    image = Image.open(page_png(report_pdf, charts, out_dir / "report-charts-check.png", dpi=60))
    histogram = image.convert("L").histogram()
    dark = sum(histogram[:200])
    assert dark > 0.02 * image.width * image.height  # text and a chart, not an empty page


def test_the_bulletin_prints_on_its_own_pages(
    bundled_workbook: Path, tmp_path: Path, out_dir: Path
) -> None:
    before = load_workbook(bundled_workbook).dataset
    after = load_workbook(changed_bundled(bundled_workbook, tmp_path / "v2.xlsx")).dataset
    assert before is not None and after is not None
    old, new = score(before), score(after)
    exported = export_bulletin(
        old, new, old_label="v1", new_label="v2", version="v2", figures=plain_figures(old, new)
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


# -- punctuation and justification (#18) -----------------------------------------------

# Marks that may end a line; each must be printed, and inside the text block.
LINE_END_MARKS = "。，、；：？！）》"
# Full-width characters, one em wide in any CJK font (curly quotes and dashes are not:
# LibreOffice may set them in the Latin font).
FULL_WIDTH = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]+$")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a PDF page as poppler groups it: its words, in points."""

    page: int
    words: list[Word]


def pdf_lines(pdf: Path) -> list[Line]:
    """Every line of every page with its words' boxes (``pdftotext -bbox-layout``)."""
    xhtml = subprocess.run(
        [need("pdftotext"), "-bbox-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    root = ET.fromstring(xhtml)
    lines = []
    for number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        for line in page.iter(f"{XHTML}line"):
            words = [
                Word(
                    word.text or "",
                    float(word.attrib["xMin"]),
                    float(word.attrib["yMin"]),
                    float(word.attrib["xMax"]),
                    float(word.attrib["yMax"]),
                )
                for word in line.iter(f"{XHTML}word")
            ]
            lines.append(Line(number, words))
    return lines


def body_text(document: Path) -> str:
    """The text of the document's body (paragraphs and tables; no footers)."""
    body = Document(str(document)).element.body
    return "".join(node.text or "" for node in body.iter(qn("w:t")))


def test_every_line_end_mark_is_printed_inside_the_text_block(report_pdf: Path) -> None:
    """No hanging punctuation: LibreOffice hung a mark that ended a full line into the
    right margin, or dropped it, so the PDF had fewer 。，、； than the document."""
    in_document = Counter(ch for ch in body_text(report_pdf.with_suffix(".docx")))
    in_pdf = Counter(
        subprocess.run(
            [need("pdftotext"), str(report_pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    lost = {
        mark: (in_document[mark], in_pdf[mark])
        for mark in LINE_END_MARKS
        if in_document[mark] != in_pdf[mark]
    }
    assert not lost, f"(in the document, in the PDF): {lost}"
    left = MARGINS["left"].pt
    right = left + TEXT_WIDTH.pt
    outside = [
        (line.page, word.text, round(word.x_min, 1), round(word.x_max, 1))
        for line in pdf_lines(report_pdf)
        for word in line.words
        if word.x_min < left - 1 or word.x_max > right + 1
    ]
    assert not outside, f"beyond the text block ({left:.1f}-{right:.1f} pt): {outside}"


def test_justified_lines_are_not_stretched(report_pdf: Path) -> None:
    """Justification spreads a line's slack over its characters; no two neighbouring
    full-width characters of the body text sit more than a quarter em further apart than
    the body's pitch (16 pt closed up by 0.25 pt). Within a run of characters poppler
    reports as one word the pitch is even; across words it is the gap plus one em.

    Some stretch is unavoidable: a line followed by a group that cannot be split
    (18.5%， or 日）。) keeps the slack, and LibreOffice never breaks between a Chinese
    closing mark and digits (its line rules treat ）。， as closing punctuation that
    binds a following number), so such a line may open up by a few points (the report
    as first reported had 7.3 pt, "群 众 9.62 万 人"; today's text at most 2.4 pt). A
    character grid (``linesAndChars``) opened every line by up to a full em."""
    em = SIZE_3.pt
    pitch = em + CHARACTER_SPACING_TWIPS / 20
    lines = pdf_lines(report_pdf)
    heights = Counter(round(w.y_max - w.y_min, 1) for line in lines for w in line.words)
    body_height = heights.most_common(1)[0][0]  # 三号 body text, the most common size
    worst: list[tuple[float, int, str]] = []
    for line in lines:
        if not line.words or any(abs(w.y_max - w.y_min - body_height) > 0.5 for w in line.words):
            continue  # the title, captions, table cells, page numbers
        pitches = [
            (w.x_max - w.x_min - em) / (len(w.text) - 1)
            for w in line.words
            if FULL_WIDTH.match(w.text) and len(w.text) > 1
        ]
        pitches += [
            after.x_min - before.x_max + em
            for before, after in zip(line.words, line.words[1:], strict=False)
            if FULL_WIDTH.match(before.text) and FULL_WIDTH.match(after.text)
        ]
        if pitches:
            text = "".join(w.text for w in line.words)
            worst.append((round(max(pitches) - pitch, 2), line.page, text))
    assert len(worst) > 200, len(worst)  # the body text was found
    stretched = sorted((s for s in worst if s[0] > em / 4), reverse=True)
    assert not stretched, stretched[:5]
