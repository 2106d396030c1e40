"""Page furniture of the briefing deck: 16:9 geometry, blank slides, headings with an
accent rule, and footers with page numbers."""

from __future__ import annotations

from lxml import etree
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation
from pptx.slide import Slide, Slides
from pptx.util import Emu, Inches

from briefing.deck_text import (
    ACCENT,
    INSET_X,
    MUTED,
    Box,
    Line,
    add_text,
    fits,
    one_line,
)

WIDTH = int(Inches(13.333))
HEIGHT = int(Inches(7.5))
MARGIN = int(Inches(0.6))
CONTENT_WIDTH = WIDTH - 2 * MARGIN
BODY_BOTTOM = int(Inches(6.85))
FOOTER = Box(MARGIN, int(Inches(7.0)), CONTENT_WIDTH, int(Inches(0.32)))
GAP = int(Inches(0.2))
BLANK_LAYOUT = 6  # "Blank" in python-pptx's default template
TITLE_SIZES = (24.0, 22.0, 20.0, 18.0)
HEADING_TOP = int(Inches(0.3))
CRUMB_HEIGHT = int(Inches(0.36))
TITLE_HEIGHT = int(Inches(0.62))
RULE_GAP = int(Inches(0.02))
RULE_HEIGHT = int(Inches(0.06))
BODY_TOP = HEADING_TOP + TITLE_HEIGHT + RULE_GAP + RULE_HEIGHT + GAP  # below a plain heading
CRUMB_BODY_TOP = BODY_TOP + CRUMB_HEIGHT  # below a heading with a breadcrumb


def new_slide(deck: Presentation) -> Slide:
    slides: Slides = deck.slides  # python-pptx leaves Presentation.slides unannotated
    return slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])


def accent_rule(slide: Slide, left: int, top: int, width: int = int(Inches(1.2))) -> int:
    """A short accent bar (the deck's one colour); returns its bottom."""
    height = RULE_HEIGHT
    shape = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Emu(left), Emu(top), Emu(width), Emu(height)
    )
    # solid accent fill, no outline, no (theme) shadow: spPr's children, in schema order
    props = shape._element.spPr
    fill = etree.SubElement(props, qn("a:solidFill"))
    etree.SubElement(fill, qn("a:srgbClr"), val=str(ACCENT))
    etree.SubElement(etree.SubElement(props, qn("a:ln")), qn("a:noFill"))
    etree.SubElement(props, qn("a:effectLst"))
    return top + height


def heading(slide: Slide, title: str, crumb: str = "") -> int:
    """Breadcrumb (optional), title and accent rule; returns where the body starts
    (``BODY_TOP`` without a breadcrumb)."""
    top = HEADING_TOP
    if crumb:
        box = Box(MARGIN, top, CONTENT_WIDTH, CRUMB_HEIGHT)
        add_text(slide, box, [Line(one_line(crumb, box.width, 12), 12, colour=MUTED)])
        top = box.bottom
    box = Box(MARGIN, top, CONTENT_WIDTH, TITLE_HEIGHT)
    add_text(slide, box, [_title_line(title, box)])
    return accent_rule(slide, MARGIN + INSET_X, box.bottom + RULE_GAP) + GAP


def _title_line(title: str, box: Box) -> Line:
    for size in TITLE_SIZES:
        line = Line(title, size, bold=True)
        if fits([line], box):
            return line
    size = TITLE_SIZES[-1]
    return Line(one_line(title, box.width, size), size, bold=True)


def body_box(top: int) -> Box:
    return Box(MARGIN, top, CONTENT_WIDTH, BODY_BOTTOM - top)


def add_footers(deck: Presentation, text: str) -> None:
    """Footer text and "n / N" on every slide but the title slide."""
    slides = list(deck.slides)
    total = len(slides)
    for number, slide in enumerate(slides[1:], start=2):
        left = Box(FOOTER.left, FOOTER.top, FOOTER.width * 4 // 5, FOOTER.height)
        add_text(slide, left, [Line(one_line(text, left.width, 9), 9, colour=MUTED)])
        right = Box(left.right, FOOTER.top, FOOTER.width - left.width, FOOTER.height)
        add_text(slide, right, [Line(f"{number} / {total}", 9, colour=MUTED)], align=PP_ALIGN.RIGHT)
