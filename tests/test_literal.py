"""report.literal: workbook text stays text in Markdown, HTML and plotly."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from report.literal import WORD_JOINER, html_text, md, plotly_text
from tests.screen_text import as_read

MARKUP = [
    "<b>粗</b>",
    "![图](http://203.0.113.7/a.png)",
    "[链](javascript:alert(1))",
    "$x^2$",
    ":material/home:",
    ":red[红]",
    ":smile:",
    "**星** _斜_ ~~删~~ `码`",
    "# 标题",
    "- 列表",
    "1. 编号",
    "> 引用",
    "| a | b |",
    "www.example.com",
    "http://example.com",
    "a@b.com",
    "&lt;b&gt;",
    "\\*",
]


PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def all_escaped(text: str) -> bool:
    """Every ASCII punctuation character is escaped by the backslash before it."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            if i + 1 >= len(text) or text[i + 1] not in PUNCTUATION:
                return False
            i += 2
        elif text[i] in PUNCTUATION:
            return False
        else:
            i += 1
    return True


@pytest.mark.parametrize("text", MARKUP)
def test_md_escapes_every_ascii_punctuation(text: str) -> None:
    out = md(text)
    assert all_escaped(out)
    assert as_read(out) == text


def test_md_breaks_automatic_links() -> None:
    out = md("见 www.example.com、HTTPS://x.cn 和 a@b.com")
    assert "www" + WORD_JOINER + "\\." in out
    assert "HTTPS" + WORD_JOINER + "\\:" in out
    assert "\\@" + WORD_JOINER in out


def test_md_keeps_lines_and_leading_spaces_visible() -> None:
    out = md("一是……\n    二是……")
    assert out == "一是……  \n\u00a0\u00a0\u00a0\u00a0二是……"


def test_md_of_nothing() -> None:
    assert md(None) == ""
    assert md("") == ""


@given(st.text(alphabet=st.characters(exclude_characters="\t\r" + WORD_JOINER)))
def test_md_reads_back_as_typed(text: str) -> None:
    out = md(text)
    assert all_escaped(out.replace("  \n", "\n"))
    expected = re.sub(r"(?m)^ +", lambda m: "\u00a0" * len(m.group()), text)
    assert as_read(out) == expected


def test_html_text_escapes_tags_and_quotes() -> None:
    assert html_text('<img src="x" onerror=alert(1)>') == (
        "&lt;img src=&quot;x&quot; onerror=alert(1)&gt;"
    )
    assert html_text(None) == ""


@given(st.text())
def test_html_text_round_trips(text: str) -> None:
    assert html.unescape(html_text(text)) == text
    assert "<" not in html_text(text)


def test_plotly_text_never_starts_latex_and_never_makes_tags() -> None:
    out = plotly_text("$x^2$ <b>粗</b> &amp;")
    assert "$" not in out and "<" not in out
    assert html.unescape(out) == "$x^2$ <b>粗</b> &amp;"


def test_no_page_or_ui_module_lets_html_through(repo_root: Path) -> None:
    """Workbook text reaches the browser only through report.literal: nothing in the
    dashboard asks Streamlit to pass HTML through untouched."""
    sources = [
        repo_root / "dashboard.py",
        *repo_root.glob("pages/*.py"),
        *repo_root.glob("ui/*.py"),
    ]
    offenders = [p.name for p in sources if "unsafe_allow_html" in p.read_text(encoding="utf-8")]
    assert offenders == []
