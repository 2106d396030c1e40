"""Workbook text shown literally, wherever it is shown.

Everything a workbook says (task titles, measures, indicator names, units, notes, the
概况 title, file names, actor names …) is untrusted input. Each output format
interprets some characters as markup, so each has one function here, and every piece of
workbook text goes through the one that fits where it is shown:

- ``md``: any Streamlit text that is read as Markdown — ``st.markdown``, ``st.caption``,
  ``st.title``/``st.subheader``, alerts (``st.info`` …), and the labels of widgets, links,
  expanders and metrics. No HTML, no Markdown (links, images, emphasis, headings, lists,
  tables, code), no LaTeX (``$…$``), no Streamlit directives (``:red[…]``,
  ``:material/…:``, emoji shortcodes), no automatic links (``www.…``, ``http://…``,
  e-mail addresses).
- ``html_text``: text placed inside HTML that we write ourselves (badges, the offline report).
- ``plotly_text``: titles, labels, hover text and annotations of plotly figures (plotly
  reads a subset of HTML, entities and ``$…$`` as LaTeX).

- ``office_text``: text for Word and PowerPoint files (python-docx, python-pptx), which
  take text literally but whose XML cannot hold control characters: those become
  "_x0007_"-style escapes, as Office itself writes them.

Spreadsheet cells have their own guard against formulas (``report.safe_cells``).
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an
# escaped character is always literal text: escape them all rather than guess which
# ones a given Markdown flavour (GFM, Streamlit's directives, math) gives a meaning.
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

# GitHub-flavoured Markdown links bare URLs and e-mail addresses *after* parsing, so
# escapes do not stop it: an invisible word joiner where the pattern starts does.
WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)")

_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def md(text: object) -> str:
    """``text`` escaped for a Streamlit Markdown context, so it shows exactly as typed.

    Line breaks are kept as line breaks; leading spaces (which Markdown would read as a
    code block) become no-break spaces.
    """
    raw = "" if text is None else str(text)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = _AUTOLINK_STARTS.sub(WORD_JOINER, raw)
    escaped = "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in raw)
    escaped = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group().expandtabs(4)), escaped)
    return escaped.replace("\n", "  \n")


def html_text(text: object) -> str:
    """``text`` escaped for HTML element content or a quoted attribute value."""
    return html.escape("" if text is None else str(text), quote=True)


def plotly_text(text: object) -> str:
    """``text`` for a plotly title, axis or category label, hover text or annotation.

    Plotly reads ``<b>``, ``<br>``, ``<a href>`` and other tags, HTML entities, and a
    string that starts and ends with ``$`` as LaTeX. Escape the tags and entities, and
    write every ``$`` as an entity so no string can start with one.
    """
    return html_text(text).replace("$", "&#36;")


_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]")


def office_text(text: object) -> str:
    """``text`` as a Word or PowerPoint file can store it: control characters (other than
    tab, line feed and carriage return) as plain-text escapes such as "_x0007_"."""
    raw = "" if text is None else str(text)
    return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", raw)


def plain(text: object) -> str:
    """One line of text for places that show a single line (labels, file names)."""
    return " ".join(("" if text is None else str(text)).split())
