"""Native tables for the briefing deck, sized (and paged) so every row stays on its slide.

Nothing is cut: text wraps inside its cell, a table longer than its box continues on the
next page (``pages``), and a row taller than a whole page is split into consecutive rows
(``split_tall_rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.table import _Cell
from pptx.util import Emu

from briefing.deck_text import (
    ACCENT,
    EMU_PER_PT,
    INK,
    INSET_X,
    INSET_Y,
    WHITE,
    Box,
    Line,
    fill_frame,
    line_count,
    rgb,
    split_text,
)
from report import palette

TABLE_SIZE = 11.0  # points
ROW_LINE_HEIGHT = 1.45  # line height / font size in cells: renderers pad table lines more
BAND = rgb(palette.ROW_BAND)  # every other body row

Row = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    share: float  # relative width


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    total = sum(c.share for c in columns)
    widths = [int(width * c.share / total) for c in columns]
    widths[-1] += width - sum(widths)
    return widths


def row_height(row: Sequence[str], widths: Sequence[int], size: float = TABLE_SIZE) -> int:
    """EMU height of a row whose cells wrap their text."""
    lines = max(line_count(text, w, size) for text, w in zip(row, widths, strict=True))
    return int(lines * size * ROW_LINE_HEIGHT * EMU_PER_PT) + 2 * INSET_Y


def table_height(
    columns: Sequence[Column], rows: Sequence[Row], width: int, size: float = TABLE_SIZE
) -> int:
    """EMU height of the whole table (heading row included)."""
    widths = column_widths(columns, width)
    headings = [c.heading for c in columns]
    return sum(row_height(row, widths, size) for row in [headings, *rows])


def rows_that_fit(
    columns: Sequence[Column], rows: Sequence[Row], box: Box, size: float = TABLE_SIZE
) -> int:
    """How many of ``rows`` (from the first) fit in ``box`` below the heading row."""
    widths = column_widths(columns, box.width)
    used = row_height([c.heading for c in columns], widths, size)
    for count, row in enumerate(rows):
        used += row_height(row, widths, size)
        if used > box.height:
            return count
    return len(rows)


def split_tall_rows(
    columns: Sequence[Column], rows: Sequence[Row], box: Box, size: float = TABLE_SIZE
) -> list[Row]:
    """``rows``, with any row too tall for ``box`` (below the heading row) split into
    consecutive rows that each fit; the text runs on from one to the next, nothing cut."""
    widths = column_widths(columns, box.width)
    room = box.height - row_height([c.heading for c in columns], widths, size)
    line = size * ROW_LINE_HEIGHT * EMU_PER_PT
    max_lines = max(1, int((room - 2 * INSET_Y) // line))
    result: list[Row] = []
    for row in rows:
        if row_height(row, widths, size) <= room:
            result.append(row)
            continue
        pieces = [split_text(text, w, size, max_lines) for text, w in zip(row, widths, strict=True)]
        for index in range(max(len(p) for p in pieces)):
            result.append(tuple(p[index] if index < len(p) else "" for p in pieces))
    return result


def pages(
    columns: Sequence[Column], rows: Sequence[Row], box: Box, size: float = TABLE_SIZE
) -> list[list[Row]]:
    """``rows`` split into slide-sized pages (none for no rows); rows taller than a page
    are split first, so every page's table fits its box."""
    result: list[list[Row]] = []
    rest = split_tall_rows(columns, rows, box, size)
    while rest:
        count = max(1, rows_that_fit(columns, rest, box, size))
        result.append(rest[:count])
        rest = rest[count:]
    return result


def add_table(
    slide: Slide,
    box: Box,
    columns: Sequence[Column],
    rows: Sequence[Row],
    size: float = TABLE_SIZE,
) -> int:
    """A table at the top of ``box`` with a coloured heading row; returns its height (EMU)."""
    widths = column_widths(columns, box.width)
    all_rows: list[Sequence[str]] = [[c.heading for c in columns], *rows]
    heights = [row_height(row, widths, size) for row in all_rows]
    shape = slide.shapes.add_table(
        len(all_rows), len(columns), Emu(box.left), Emu(box.top), Emu(box.width), Emu(sum(heights))
    )
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    tbl = table._tbl  # the XML, walked directly: python-pptx's accessors re-scan it per cell
    for grid_col, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.set("w", str(width))
    for r, (tr, row, height) in enumerate(zip(tbl.tr_lst, all_rows, heights, strict=True)):
        tr.set("h", str(height))
        for tc, text in zip(tr.tc_lst, row, strict=True):
            _fill_cell(_Cell(tc, table), text, size, heading=r == 0, banded=r % 2 == 0)
    return sum(heights)


_TC_PR, _SOLID_FILL, _SRGB = qn("a:tcPr"), qn("a:solidFill"), qn("a:srgbClr")
_BODY_PR = qn("a:bodyPr")


def _fill_cell(cell: _Cell, text: str, size: float, *, heading: bool, banded: bool) -> None:
    """Insets, middle anchor, background, wrapping and the text, written as XML directly
    (python-pptx's cell properties are slow, and a deck has thousands of cells)."""
    tc = cell._tc
    props = tc.find(_TC_PR)
    if props is None:
        props = etree.SubElement(tc, _TC_PR)
    for side in ("marL", "marR"):
        props.set(side, str(INSET_X))
    for side in ("marT", "marB"):
        props.set(side, str(INSET_Y))
    props.set("anchor", "ctr")
    colour = ACCENT if heading else (BAND if banded else WHITE)
    fill = etree.SubElement(props, _SOLID_FILL)
    etree.SubElement(fill, _SRGB, val=str(colour))
    frame = cell.text_frame
    body_pr = frame._txBody.find(_BODY_PR)
    assert body_pr is not None  # every a:txBody has its a:bodyPr
    body_pr.set("wrap", "square")
    fill_frame(frame, [Line(text, size, bold=heading, colour=WHITE if heading else INK)])
