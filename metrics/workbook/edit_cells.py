"""Cell-level helpers of ``metrics.workbook.edits``: writing text, dates and figures into
an openpyxl worksheet the way the template does, and reading where a sheet's rows end."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any, Final

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import IllegalCharacterError

from metrics.workbook.ooxml import CellIssue
from metrics.workbook.reader import RawSheet
from metrics.workbook.table import Table
from metrics.workbook.template_sheets import DATE_FORMAT, MAX_CELL_TEXT

_PLAIN_NUMBER: Final = re.compile(r"-?\d+(\.\d+)?")
_STYLE_ATTRIBUTES: Final = ("font", "border", "fill", "alignment", "protection")


class EditError(ValueError):
    """The edits cannot be applied to this workbook; ``str(error)`` is a Chinese message."""


def write_date(worksheet: Any, row: int, col: int, day: datetime.date) -> None:
    """A real date in the template's format (``yyyy-mm-dd``)."""
    cell = worksheet.cell(row=row, column=col, value=day)
    cell.number_format = DATE_FORMAT


def write_text(worksheet: Any, row: int, col: int, text: str) -> None:
    """Text as text: never a formula ("=…", "+…", "-…", "@…") nor an error value ("#N/A")."""
    if len(text) > MAX_CELL_TEXT:
        raise EditError(
            f"要写入的文字有 {len(text)} 个字符，超过 Excel 单元格上限 {MAX_CELL_TEXT} 个"
        )
    try:
        cell = worksheet.cell(row=row, column=col, value=text)
    except IllegalCharacterError:
        raise EditError(f"要写入的文字“{text[:30]}”含有 Excel 不允许的控制字符") from None
    cell.data_type = "s"


def number_or_text(text: str) -> str | int | float:
    """A plain number ("87.6", "-3") as a number; anything else as the text typed."""
    folded = text.strip()
    if _PLAIN_NUMBER.fullmatch(folded):
        return float(folded) if "." in folded else int(folded)
    return text


def style_like(cell: Any, above: Any) -> None:
    """Give a new cell the look of the cell above it (not its number format)."""
    for name in _STYLE_ATTRIBUTES:
        setattr(cell, name, copy(getattr(above, name)))


def freeze_formulas(worksheet: Any, table: Table, sheet: RawSheet) -> None:
    """Each formula cell of the table's columns gets the value the loader read from it.

    openpyxl keeps a formula but drops its saved value, and the loader refuses a formula
    without one. A cell read as empty (truly empty, or already a formula without a saved
    value) is left as it is.
    """
    for index in range(table.header_row, len(sheet.rows)):
        cells = sheet.rows[index]
        for col in table.columns.values():
            value = cells[col] if col < len(cells) else None
            if value is None or value == "":
                continue
            cell = worksheet.cell(row=index + 1, column=col + 1)
            if cell.data_type == "f":
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"


def last_used_row(sheet: RawSheet, header_row: int, issues: Iterable[CellIssue]) -> int:
    """The Excel row of the sheet's last non-empty row (any column; a formula without a
    saved value counts too), at least the header row."""
    rows: Sequence[Sequence[object]] = sheet.rows
    last = header_row
    for index in range(len(rows) - 1, header_row - 1, -1):
        if any(value is not None and value != "" for value in rows[index]):
            last = index + 1
            break
    return max([last, *(issue.row for issue in issues if issue.sheet == sheet.name)])


def extend_ranges(worksheet: Any, old_last: int, new_last: int) -> None:
    """An auto-filter or an Excel table (套用表格格式) that ended at the old last row takes
    in the rows appended below it."""

    def grown(ref: str | None) -> str | None:
        if not ref:
            return ref
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row != old_last or min_col is None or min_row is None or max_col is None:
            return ref
        return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{new_last}"

    worksheet.auto_filter.ref = grown(worksheet.auto_filter.ref)
    for table in worksheet.tables.values():
        table.ref = grown(table.ref)
        if table.autoFilter is not None:
            table.autoFilter.ref = grown(table.autoFilter.ref)


def is_blank(sheet: RawSheet) -> bool:
    return not any(value is not None and value != "" for row in sheet.rows for value in row)
