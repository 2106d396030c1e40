"""What a reader sees of the Markdown a page sends: the text ``report.literal.md`` escaped,
read back (backslash escapes dropped, hard breaks as newlines, word joiners removed)."""

from __future__ import annotations

import re

from report.literal import WORD_JOINER

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_read(markdown: str) -> str:
    text = markdown.replace("  \n", "\n")
    return _ESCAPED.sub(r"\1", text).replace(WORD_JOINER, "")
