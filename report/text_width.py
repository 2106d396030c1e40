"""How wide text is drawn, estimated without a browser: the headline cards size
themselves by it, the charts reserve room for their axis labels by it (instead of
plotly's automargin, which draws a chart twice)."""

from __future__ import annotations

import unicodedata


def text_em(text: str, *, cjk_font: bool = False) -> float:
    """A generous estimate of ``text``'s width in em in the dashboard's fonts (Source
    Sans; Chinese characters from the system's CJK font, one em each). ``cjk_font``: the
    whole text in a CJK font (the charts' Noto Sans CJK), which draws the characters of
    ambiguous width ("…", "·", "—") one em wide as well."""
    wide = ("W", "F", "A") if cjk_font else ("W", "F")
    return sum(1.0 if unicodedata.east_asian_width(ch) in wide else _char_em(ch) for ch in text)


def _char_em(ch: str) -> float:
    if ch.isdigit() or ch in "+-":
        return 0.52  # Source Sans: 0.5
    if ch in " .,:;'!|":
        return 0.25
    if ch in "/()[]":
        return 0.4
    if ch in "%@":
        return 0.9
    return 0.65
