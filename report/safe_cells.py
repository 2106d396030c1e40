"""Neutralising spreadsheet formulas in exported text (OWASP "CSV injection").

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or
a line feed may be run as a formula when the file is opened in Excel or WPS. Such text
gets a leading single quote ``'`` that spreadsheet programs
show as plain text. Real numbers (``-5``, ``8.9``) are left as numbers: only ``str``
values are touched, so a number must be passed as a number to stay one.
"""

from __future__ import annotations

from typing import Final, TypeVar

import pandas as pd

DANGEROUS_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")

T = TypeVar("T")


def neutralise(value: T) -> T | str:
    """``value`` unchanged unless it is text that a spreadsheet could run as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for Excel (UTF-8 with BOM), every text cell neutralised."""
    safe = frame.map(neutralise)
    safe.columns = [str(neutralise(str(c))) for c in frame.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")
