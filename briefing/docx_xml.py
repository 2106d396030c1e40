"""WordprocessingML at the element level, for ``docx_layout``: new elements, where the
schema lets an inserted element go (ECMA-376 sequence order), and the few properties
python-docx has no API for (character spacing, grid snapping, hanging punctuation)."""

from __future__ import annotations

from typing import Any, Final

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.styles.style import ParagraphStyle


def el(tag: str) -> Any:
    """A new WordprocessingML element (typed loosely: lxml's stubs and python-docx's
    element classes disagree)."""
    return OxmlElement(tag)


# Schema order (ECMA-376 CT_RPr, CT_PPrBase): what may follow an element we insert.
_AFTER_RUN_SPACING: Final = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
AFTER_LANG: Final = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_AFTER_OVERFLOW_PUNCT: Final = (
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_AFTER_SNAP_TO_GRID: Final = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def punctuation_inside_margins(document: DocxDocument) -> None:
    """No paragraph lets punctuation hang into the margin: ``w:overflowPunct`` "on" in the
    document defaults, under every style.

    LibreOffice's hanging punctuation pushed a line-ending 。，、； one character past the
    text block (into the 26 mm right margin) and, at a paragraph's end, sometimes dropped
    it from the PDF altogether. LibreOffice reads this element the wrong way round
    (writerfilter maps it to ``ParaIsHangingPunctuation = (val == 0)``, while its own
    DOCX export writes the right sense) and hangs punctuation when the element is
    absent, so "on" is the one value that turns hanging off there. For Word "on" is
    what an absent element means anyway (ECMA-376 17.3.1.21: omitting it sets it to
    true), so Word lays the document out as before; "0" would stop Word hanging but
    make LibreOffice hang. tests/test_docx_render.py checks the PDF: every mark present
    and inside the text block."""
    defaults: Any = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        document.styles.element.insert(0, defaults)
    p_pr_default = defaults.find(qn("w:pPrDefault"))
    if p_pr_default is None:
        p_pr_default = el("w:pPrDefault")
        defaults.append(p_pr_default)
    p_pr = p_pr_default.find(qn("w:pPr"))
    if p_pr is None:
        p_pr = el("w:pPr")
        p_pr_default.append(p_pr)
    for found in p_pr.findall(qn("w:overflowPunct")):
        p_pr.remove(found)
    overflow = el("w:overflowPunct")
    overflow.set(qn("w:val"), "1")
    p_pr.insert_element_before(overflow, *_AFTER_OVERFLOW_PUNCT)


def character_spacing(style: ParagraphStyle, twips: int) -> None:
    r_pr = style.element.get_or_add_rPr()
    for found in r_pr.findall(qn("w:spacing")):
        r_pr.remove(found)
    spacing = el("w:spacing")
    spacing.set(qn("w:val"), str(twips))
    r_pr.insert_element_before(spacing, *_AFTER_RUN_SPACING)


def no_grid(style: ParagraphStyle) -> None:
    """Table cells and footers keep their own spacing, not the page's 28.95 pt grid."""
    snap = el("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP_TO_GRID)
