"""Text for the briefing deck: both typefaces on every run, boxes that never grow, and a
rough measure of the room Chinese text needs, so that nothing spills off a slide.

PowerPoint and WPS pick the East Asian typeface from ``a:ea``, which python-pptx has no
API for (``font.name`` only writes ``a:latin``); ``set_typefaces`` writes both.
Paragraphs are written as XML directly (``fill_frame``): python-pptx's property setters
cost about as much as the rest of the deck together.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.text.text import Font, TextFrame
from pptx.util import Emu, Inches, Pt

from metrics.values.text import shorten
from report import palette
from report.literal import office_text

LATIN_FONT = "Microsoft YaHei"
EAST_ASIAN_FONT = "微软雅黑"  # the same font; the Chinese name is what Chinese Office writes


def rgb(hex_colour: str) -> RGBColor:
    """A ``report.palette`` colour ("#0072B2") for python-pptx."""
    red, green, blue = bytes.fromhex(hex_colour.lstrip("#"))
    return RGBColor(red, green, blue)


INK = rgb(palette.INK)
MUTED = rgb(palette.MUTED)
ACCENT = rgb(palette.BLUE)
WHITE = rgb(palette.WHITE)

EMU_PER_PT = 12700
INSET_X = int(Inches(0.1))  # default left/right inset of text boxes and table cells
INSET_Y = int(Inches(0.05))  # default top/bottom inset
LINE_HEIGHT = 1.32  # line height / font size of 微软雅黑 at single spacing in PowerPoint
WIDTH_SLACK = 0.95  # use only this share of a line, for kerning and punctuation rules
ELLIPSIS = "……"


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a slide, in EMU."""

    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def right(self) -> int:
        return self.left + self.width


@dataclass(frozen=True, slots=True)
class Line:
    """One paragraph of a text box."""

    text: str
    size: float  # points
    bold: bool = False
    colour: RGBColor = INK
    space_after: float = 0.0  # points


# -- fonts ------------------------------------------------------------------------------------


def style_font(font: Font, size: float, *, bold: bool = False, colour: RGBColor = INK) -> None:
    """Size, weight, colour and both typefaces of a run, paragraph or chart element."""
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = colour
    set_typefaces(font)


def set_typefaces(font: Font) -> None:
    """Latin and East Asian typeface (微软雅黑), and Chinese as the language."""
    font.name = LATIN_FONT
    rpr = font._rPr  # python-pptx has no API for the East Asian typeface
    rpr.set("lang", "zh-CN")
    old = rpr.find(qn("a:ea"))
    if old is not None:
        rpr.remove(old)
    latin = rpr.find(qn("a:latin"))
    assert latin is not None  # font.name has just written it
    latin.addnext(rpr.makeelement(qn("a:ea"), {"typeface": EAST_ASIAN_FONT}))


# -- text boxes -------------------------------------------------------------------------------


def add_text(
    slide: Slide,
    box: Box,
    lines: Sequence[Line],
    *,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> TextFrame:
    """A wrapping text box of fixed size, one paragraph per line."""
    shape = slide.shapes.add_textbox(Emu(box.left), Emu(box.top), Emu(box.width), Emu(box.height))
    frame: TextFrame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    fill_frame(frame, lines, align=align)
    return frame


def fill_frame(frame: TextFrame, lines: Sequence[Line], *, align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    """Replace the frame's text with ``lines``: one paragraph, one run each, with size,
    weight, colour, both typefaces and Chinese as the language (what ``style_font`` sets)."""
    body = frame._txBody
    for paragraph in body.findall(_P):
        body.remove(paragraph)
    for line in lines or [Line("", 12)]:
        paragraph = etree.SubElement(body, _P)
        props = etree.SubElement(paragraph, _PPR, algn=_ALIGN[align])
        if line.space_after:
            spacing = etree.SubElement(props, _SPC_AFT)
            etree.SubElement(spacing, _SPC_PTS, val=str(round(line.space_after * 100)))
        run = etree.SubElement(paragraph, _R)
        run_props = etree.SubElement(
            run,
            _RPR,
            lang="zh-CN",
            sz=str(round(line.size * 100)),
            b="1" if line.bold else "0",
        )
        fill = etree.SubElement(run_props, _SOLID_FILL)
        etree.SubElement(fill, _SRGB, val=str(line.colour))
        etree.SubElement(run_props, _LATIN, typeface=LATIN_FONT)
        etree.SubElement(run_props, _EA, typeface=EAST_ASIAN_FONT)
        etree.SubElement(run, _T).text = xml_text(line.text)


_P, _PPR, _R, _RPR, _T = (qn(f"a:{tag}") for tag in ("p", "pPr", "r", "rPr", "t"))
_SPC_AFT, _SPC_PTS = qn("a:spcAft"), qn("a:spcPts")
_SOLID_FILL, _SRGB = qn("a:solidFill"), qn("a:srgbClr")
_LATIN, _EA = qn("a:latin"), qn("a:ea")
_ALIGN = {PP_ALIGN.LEFT: "l", PP_ALIGN.RIGHT: "r", PP_ALIGN.CENTER: "ctr"}


def xml_text(text: str) -> str:
    """``text`` as python-pptx would store it: control characters (other than tab and line
    feed) as plain-text escapes such as "_x0007_", which XML cannot hold."""
    return office_text(text)


# -- measuring --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def text_ems(text: str) -> float:
    """Width of ``text`` in ems: CJK and ambiguous-width characters 1, others about 0.55.
    (Cached: laying out a slide measures the same strings at several sizes.)"""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


def line_count(text: str, width: int, size: float) -> int:
    """Lines ``text`` wraps to in a box ``width`` EMU wide at ``size`` points."""
    return max(1, math.ceil(text_ems(text) / _per_line(width, size)))


def _per_line(width: int, size: float) -> float:
    """Ems of text on one line of a box ``width`` EMU wide at ``size`` points."""
    room = (width - 2 * INSET_X) / EMU_PER_PT * WIDTH_SLACK
    return max(1.0, room / size - 0.5)  # a line wastes half a character on average


def split_text(text: str, width: int, size: float, max_lines: int) -> list[str]:
    """``text`` in consecutive pieces of at most ``max_lines`` lines each (nothing dropped):
    for a paragraph or a table cell taller than a whole slide."""
    room = _per_line(width, size) * max(1, max_lines)
    pieces: list[str] = []
    start, used = 0, 0.0
    for index, ch in enumerate(text):
        ems = text_ems(ch)
        if used + ems > room and index > start:
            pieces.append(text[start:index])
            start, used = index, 0.0
        used += ems
    pieces.append(text[start:])
    return pieces


def text_height(lines: Sequence[Line], width: int) -> int:
    """EMU height the paragraphs need in a box ``width`` EMU wide, insets included."""
    points = sum(
        line_count(line.text, width, line.size) * line.size * LINE_HEIGHT + line.space_after
        for line in lines
    )
    return int(points * EMU_PER_PT) + 2 * INSET_Y


def fits(lines: Sequence[Line], box: Box) -> bool:
    return text_height(lines, box.width) <= box.height


def one_line(text: str, width: int, size: float) -> str:
    """``text`` cut (with "……") to what fits on one line of a box ``width`` EMU wide."""
    if line_count(text, width, size) <= 1:
        return text
    cut = text
    while len(cut) > 1 and line_count(cut + ELLIPSIS, width, size) > 1:
        cut = cut[:-1]
    return cut + ELLIPSIS


# -- points -----------------------------------------------------------------------------------

_NEXT_POINT = re.compile(r"(?<=[；;。])\s*(?=[二三四五六七八九十]+是)")


def all_points(text: str) -> list[str]:
    """ "一是……；二是……" as one paragraph per point, nothing cut."""
    return [p.strip() for p in _NEXT_POINT.split(" ".join(text.split())) if p.strip()]


def points(text: str, limit: int) -> list[str]:
    """ "一是……；二是……" as one paragraph per point, at most ``limit`` characters in all."""
    kept: list[str] = []
    room = limit
    for part in all_points(text):
        if len(part) > room:
            if room > 2 * len(ELLIPSIS):
                kept.append(shorten(part, room, ellipsis=ELLIPSIS, fold_space=True))
            elif kept:
                kept[-1] = kept[-1].rstrip("；;。") + ELLIPSIS
            break
        kept.append(part)
        room -= len(part)
    return kept
