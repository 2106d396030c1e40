"""督办编号: "惠整督〔2021〕3号" — a prefix, the year in 〔〕 and a number per year.

The prefix is a deployment setting (``ZHENGGAI_DUBAN_PREFIX``); without one it is made
from the organisation's name as such offices abbreviate it: the first character of the
place ("中共惠济区委" → "惠") and "整督"."""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Final

PREFIX_ENV: Final = "ZHENGGAI_DUBAN_PREFIX"
_PARTY = re.compile(r"^(中共|中国共产党)")
MAX_PREFIX = 12


def default_prefix(organisation: str) -> str:
    place = _PARTY.sub("", organisation.strip())
    first = next((ch for ch in place if "\u4e00" <= ch <= "\u9fff"), "")
    return f"{first}整督"


def prefix(organisation: str, environ: dict[str, str] | None = None) -> str:
    """The prefix from the setting (cleaned: printable, at most 12 characters), or the
    organisation's default."""
    raw = (environ if environ is not None else dict(os.environ)).get(PREFIX_ENV, "")
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", raw.strip()) if ch.isprintable())[
        :MAX_PREFIX
    ]
    return cleaned or default_prefix(organisation)


def code(prefix_text: str, year: int, number: int) -> str:
    return f"{prefix_text}〔{year}〕{number}号"
