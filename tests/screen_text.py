"""What a reader sees: of the Markdown a page sends (the text ``report.literal.md``
escaped, read back), and of a slide (its text boxes and table cells)."""

from __future__ import annotations

import re

from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide

from report.literal import WORD_JOINER

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_read(markdown: str) -> str:
    text = markdown.replace("  \n", "\n")
    return _ESCAPED.sub(r"\1", text).replace(WORD_JOINER, "")


def slide_text(slide: Slide) -> str:
    """Every text box and table cell of a slide, one per line (not its notes)."""
    parts: list[str] = []
    for shape in slide.shapes:
        if isinstance(shape, Shape) and shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if isinstance(shape, GraphicFrame) and shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)
