"""A Word document laid out as a Chinese official document (GB/T 9704-2012).

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 x 225 mm text
  block); 22 lines of 28 characters: a line grid of 28.95 pt (225 mm / 22) and the
  body's 16 pt characters closed up by 0.25 pt (``w:spacing``), so 28 of them fill the
  156 mm line. (A character grid, ``linesAndChars``, would do the same in Word, but
  LibreOffice draws it with square cells: 17 characters a line.)
- Title 方正小标宋简体 二号 (22 pt) centred; body 仿宋_GB2312 三号 (16 pt), first line
  indented two characters; level-1 headings (一、) 黑体, level-2 ((一)) 楷体_GB2312,
  level-3 (1.) bold 仿宋_GB2312, all 三号; they are Word's own Heading 1-3 styles, so the
  navigation pane and a table of contents work.
- Page numbers "— 1 —" in 4号 (14 pt) 半角宋体: odd pages at the right edge, even pages
  at the left, each one character in from the edge (even/odd footers, a PAGE field).
- No punctuation hanging into the right margin in LibreOffice (``w:overflowPunct``, see
  ``docx_xml.punctuation_inside_margins``): a mark that would follow a full line takes the
  character before it to the next line (禁则); Word keeps its default.

Every font is set for East Asian text (``w:eastAsia``) as well as Latin, so Word and WPS
pick them; the font table names a common fallback for each (``w:altName``: 仿宋, 楷体,
宋体), and a machine with none of them shows the text in any installed CJK font.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any, Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from briefing.docx_xml import (
    AFTER_LANG,
    character_spacing,
    el,
    no_grid,
    punctuation_inside_margins,
)
from metrics.scoring.headline import chinese_date
from report.literal import office_text

TITLE_FONT: Final = "方正小标宋简体"
BODY_FONT: Final = "仿宋_GB2312"
HEADING1_FONT: Final = "黑体"
HEADING2_FONT: Final = "楷体_GB2312"
PAGE_NUMBER_FONT: Final = "宋体"
LATIN_FONT: Final = "Times New Roman"  # digits and Latin letters in body text
FALLBACKS: Final = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}

SIZE_2: Final = Pt(22)  # 二号
SIZE_3: Final = Pt(16)  # 三号
SIZE_4: Final = Pt(14)  # 四号
SIZE_TABLE: Final = Pt(12)  # 小四: table cells and captions
LINE_PITCH: Final = Pt(28.95)  # 225 mm / 22 lines
LINE_PITCH_TWIPS: Final = 579
CHARS_PER_LINE: Final = 28
LINES_PER_PAGE: Final = 22
TEXT_WIDTH: Final = Mm(156)
# 156 mm / 28 = 15.80 pt a character: 16 pt closed up by 0.25 pt (in twentieths of a
# point; 0.20 would leave the 28th character a hair too wide on some renderers).
CHARACTER_SPACING_TWIPS: Final = -5
# The page number's rules (一字线) sit 7 mm below the text block (bottom margin 35 mm):
# with the footer's bottom 25.5 mm above the paper's edge, the dashes' middle is about
# 7 mm below the block in LibreOffice's PDF (tests/test_docx_render.py measures it).
FOOTER_DISTANCE: Final = Mm(25.5)
MARGINS: Final = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}

HEADING_STYLES: Final = ("Heading 1", "Heading 2", "Heading 3")
CAPTION_STYLE: Final = "Caption"
TABLE_TEXT_STYLE: Final = "表格文字"
SIGNATURE_STYLE: Final = "落款"


def new_document(*, title: str, author: str) -> DocxDocument:
    """An empty document with the layout, styles, fonts and page numbers above."""
    document = Document()
    _drop_thumbnail(document)
    properties = document.core_properties
    properties.title = office_text(title)
    properties.author = office_text(author)
    properties.last_modified_by = office_text(author)
    properties.comments = ""
    properties.keywords = ""
    _page_setup(document.sections[0])
    punctuation_inside_margins(document)
    _styles(document)
    _font_table(document)
    document.settings.odd_and_even_pages_header_footer = True
    _page_numbers(document.sections[0])
    return document


def set_fonts(target: ParagraphStyle | Run, east_asian: str, latin: str | None = None) -> None:
    """Name ``east_asian`` for CJK text and ``latin`` (default: the same) for the rest, on
    a style or a run (``w:rFonts``: ascii, hAnsi, eastAsia, cs)."""
    font = target.font
    latin = latin or east_asian
    font.name = latin
    r_pr = _r_pr(target)
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = el("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def east_asian_font(target: ParagraphStyle | Run) -> str | None:
    """The ``w:eastAsia`` font named directly on a style or run (None if not set)."""
    fonts = _r_pr(target).find(qn("w:rFonts"))
    value = None if fonts is None else fonts.get(qn("w:eastAsia"))
    return str(value) if value is not None else None


def _r_pr(target: ParagraphStyle | Run) -> Any:
    """The run properties of a style or run (created if missing)."""
    if isinstance(target, Run):
        return target._r.get_or_add_rPr()
    return target.element.get_or_add_rPr()


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (e.g. ``PAGE`` or ``SEQ 图 \\* ARABIC``) showing ``shown`` until Word
    or LibreOffice updates it."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            code = el("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {text} "
            run._r.append(code)
        else:
            mark = el("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
    paragraph.add_run(shown)
    end = paragraph.add_run()
    mark = el("w:fldChar")
    mark.set(qn("w:fldCharType"), "end")
    end._r.append(mark)


TITLE_CHARS_PER_LINE: Final = int(TEXT_WIDTH.pt // SIZE_2.pt)  # 20 at 二号
# Where a title may break: after these words, or before these (词意完整).
_BREAK_AFTER: Final = ("关于", "进一步", "巡视", "整改")
_BREAK_BEFORE: Final = ("的通报", "的报告", "的通知", "情况", "工作")


def title_lines(title: str) -> list[str]:
    """A title of more than one line split into lines of about equal length, breaking
    where a phrase ends when one is near the middle (GB/T 9704 7.3.3: 回行时词意完整，
    排列对称); a title that fits is one line."""
    text = "".join(title.split())
    if len(text) <= TITLE_CHARS_PER_LINE:
        return [title.strip()]
    count = -(-len(text) // TITLE_CHARS_PER_LINE)
    lines: list[str] = []
    rest = text
    for remaining in range(count, 1, -1):
        ideal = round(len(rest) / remaining)
        shortest = len(rest) - (remaining - 1) * TITLE_CHARS_PER_LINE  # the rest must fit
        cut = _phrase_break(rest, ideal, shortest) or max(ideal, shortest)
        lines.append(rest[:cut])
        rest = rest[cut:]
    return [*lines, rest]


def _phrase_break(text: str, ideal: int, shortest: int) -> int | None:
    """The phrase boundary nearest ``ideal`` within three characters and not before
    ``shortest``, if any."""
    candidates = []
    for word in _BREAK_AFTER:
        start = text.find(word)
        while start >= 0:
            candidates.append(start + len(word))
            start = text.find(word, start + 1)
    for word in _BREAK_BEFORE:
        start = text.find(word)
        while start >= 0:
            candidates.append(start)
            start = text.find(word, start + 1)
    fitting = [
        c
        for c in candidates
        if abs(c - ideal) <= 3 and max(1, shortest) <= c <= TITLE_CHARS_PER_LINE
    ]
    return min(fitting, key=lambda c: (abs(c - ideal), c)) if fitting else None


def add_title(document: DocxDocument, title: str) -> None:
    """The title, centred, in balanced lines (line breaks within one paragraph)."""
    paragraph = document.add_paragraph(style="Title")
    for number, line in enumerate(title_lines(title)):
        run = paragraph.add_run(office_text(line))
        if number:
            run._r.insert(0, el("w:br"))


def finish(document: DocxDocument, *, organisation: str, day: datetime.date) -> bytes:
    """Sign (报告单位 and date, right-aligned four characters in, after an empty line)
    and save: the document's bytes. The signature is never split from its date nor
    left alone on a page: the last paragraph of text, the empty line and the
    organisation keep with what follows."""
    if document.paragraphs:
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    gap = document.add_paragraph()
    gap.paragraph_format.keep_with_next = True
    signer = document.add_paragraph(office_text(organisation), style=SIGNATURE_STYLE)
    signer.paragraph_format.keep_with_next = True
    document.add_paragraph(chinese_date(day), style=SIGNATURE_STYLE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def style_table(table: Table, widths: Sequence[Length]) -> None:
    """A ruled table the width of the text block with columns of ``widths`` (the last
    takes what is left), header row bold and repeated on every page, rows never split
    across pages; a table of ``SHORT_TABLE_ROWS`` rows or fewer never splits at all
    (every row keeps with the next, as the caption before it does)."""
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    sizes = [*widths, Emu(TEXT_WIDTH - sum(widths))]
    for column, width in zip(table.columns, sizes, strict=True):
        column.width = width  # w:gridCol, which LibreOffice follows
        for cell in column.cells:
            cell.width = width  # w:tcW, which Word follows
    for cell in table.rows[0].cells:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = el("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for row in table.rows:
        no_split = el("w:cantSplit")
        no_split.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(no_split)
    if len(table.rows) <= SHORT_TABLE_ROWS:
        for row in table.rows[:-1]:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


SHORT_TABLE_ROWS = 5  # a table this short (header included) stays on one page


# -- setup ---------------------------------------------------------------------------


def _page_setup(section: Section) -> None:
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(15)
    section.footer_distance = FOOTER_DISTANCE
    sect_pr: Any = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = el("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _styles(document: DocxDocument) -> None:
    styles = document.styles
    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    set_fonts(normal, BODY_FONT, LATIN_FONT)
    normal.font.size = SIZE_3
    _body_spacing(normal)
    normal.paragraph_format.first_line_indent = Pt(SIZE_3.pt * 2)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.widow_control = True
    # Word's "Normal" has a 东亚 language of zh-CN for line breaking rules.
    lang = el("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    r_pr = normal.element.get_or_add_rPr()
    for found in r_pr.findall(qn("w:lang")):
        r_pr.remove(found)
    r_pr.insert_element_before(lang, *AFTER_LANG)
    character_spacing(normal, CHARACTER_SPACING_TWIPS)

    title = styles["Title"]
    assert isinstance(title, ParagraphStyle)
    _plain_style(title)
    set_fonts(title, TITLE_FONT)
    title.font.size = SIZE_2
    title.font.bold = False
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(35)  # 二号 over two grid lines looks cramped
    title.paragraph_format.space_after = LINE_PITCH

    for name, font, bold in zip(
        HEADING_STYLES, (HEADING1_FONT, HEADING2_FONT, BODY_FONT), (False, False, True), strict=True
    ):
        heading = styles[name]
        assert isinstance(heading, ParagraphStyle)
        _plain_style(heading)
        set_fonts(heading, font, font if name != "Heading 3" else LATIN_FONT)
        heading.font.size = SIZE_3
        heading.font.bold = bold
        heading.font.italic = False
        _body_spacing(heading)
        heading.paragraph_format.first_line_indent = Pt(SIZE_3.pt * 2)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    caption = _style(document, CAPTION_STYLE)
    _plain_style(caption)
    caption.base_style = normal
    set_fonts(caption, HEADING2_FONT, LATIN_FONT)  # captions in 楷体, as is customary
    caption.font.size = SIZE_4
    caption.font.bold = False
    caption.font.italic = False
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)

    cell = styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    cell.font.size = SIZE_TABLE
    cell.paragraph_format.first_line_indent = Pt(0)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cell.paragraph_format.space_before = Pt(2)
    cell.paragraph_format.space_after = Pt(2)
    no_grid(cell)

    signature = styles.add_style(SIGNATURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = normal
    signature.paragraph_format.first_line_indent = Pt(0)
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.right_indent = Pt(SIZE_3.pt * 4)  # 右空四字

    footer = styles["Footer"]
    assert isinstance(footer, ParagraphStyle)
    set_fonts(footer, PAGE_NUMBER_FONT)
    footer.font.size = SIZE_4
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    no_grid(footer)


def _style(document: DocxDocument, name: str) -> ParagraphStyle:
    """The template's paragraph style ``name``, or a new one."""
    try:
        found = document.styles[name]
    except KeyError:
        found = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(found, ParagraphStyle)
    return found


def _plain_style(style: ParagraphStyle) -> None:
    """No theme colour, border or spacing inherited from python-docx's template."""
    style.font.color.rgb = None
    r_pr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:sz", "w:szCs", "w:kern", "w:spacing"):
        for found in r_pr.findall(qn(tag)):
            r_pr.remove(found)
    p_pr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:spacing", "w:contextualSpacing"):
        for found in p_pr.findall(qn(tag)):
            p_pr.remove(found)
    style.font.color.rgb = None


def _body_spacing(style: ParagraphStyle) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH


def _page_numbers(section: Section) -> None:
    """ "— n —": odd pages right, even pages left, one character in from the edge."""
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = "Footer"
        paragraph.alignment = alignment
        if alignment is WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = SIZE_4
        else:
            paragraph.paragraph_format.left_indent = SIZE_4
        paragraph.add_run("— ")
        add_field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


def _font_table(document: DocxDocument) -> None:
    """Fallback names for the official-document fonts that many machines lack."""
    part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")
    )
    table: Any = parse_xml(part.blob)
    known = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for name in (TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, PAGE_NUMBER_FONT):
        if name in known:
            continue
        font = el("w:font")
        font.set(qn("w:name"), name)
        if name in FALLBACKS:
            alt = el("w:altName")
            alt.set(qn("w:val"), FALLBACKS[name])
            font.append(alt)
        charset = el("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        family = el("w:family")
        family.set(qn("w:val"), "modern" if name != TITLE_FONT else "roman")
        font.append(family)
        pitch = el("w:pitch")
        pitch.set(qn("w:val"), "fixed" if name != TITLE_FONT else "variable")
        font.append(pitch)
        table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_thumbnail(document: DocxDocument) -> None:
    """python-docx's template carries a thumbnail of an empty page; file browsers would
    show it for this document."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rel_id]
