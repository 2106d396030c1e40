"""File names for exports: what the file shows and the data's date, safe on every system.

``export_name("整改完成率", datetime.date(2021, 5, 31), "png")`` ->
``"整改完成率_2021-05-31.png"``.
"""

from __future__ import annotations

import datetime
import re
from typing import Final

_UNSAFE: Final = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')
_MAX_STEM: Final = 60  # characters; Windows paths stay well under 260


def safe_stem(text: str) -> str:
    """``text`` usable as (part of) a file name: no path separators or reserved marks."""
    stem = _UNSAFE.sub("_", text.strip()).strip("._")
    return stem[:_MAX_STEM] or "导出"


def file_stem(what: str, as_of: datetime.date) -> str:
    """``"整改完成率_2021-05-31"``: what the file shows and the data's date."""
    return f"{safe_stem(what)}_{as_of.isoformat()}"


def export_name(what: str, as_of: datetime.date, extension: str) -> str:
    return f"{file_stem(what, as_of)}.{extension.lstrip('.')}"
