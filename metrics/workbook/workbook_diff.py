"""Reading workbooks back and comparing them cell by cell (value *and* kind), for the
"text form and workbook agree" check (``scripts/build_workbook.py --check``)."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any, TypeAlias

import openpyxl
from openpyxl.utils import get_column_letter

SheetValues: TypeAlias = tuple[tuple[object, ...], ...]


def read_cell_values(
    source: str | os.PathLike[str] | bytes | IO[bytes],
) -> dict[str, SheetValues]:
    """Cell values of every sheet, in workbook order, as openpyxl reads them.

    Trailing empty cells of a row and trailing empty rows are dropped, so two
    workbooks that differ only in formatting give equal results. Dates come back as
    ``datetime.datetime``; numbers and text keep their type.
    """
    stream: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        result: dict[str, SheetValues] = {}
        for worksheet in workbook.worksheets:
            rows: list[tuple[object, ...]] = []
            for raw in worksheet.iter_rows(values_only=True):
                cells = list(raw)
                while cells and _is_empty(cells[-1]):
                    cells.pop()
                rows.append(tuple(cells))
            while rows and not rows[-1]:
                rows.pop()
            result[str(worksheet.title)] = tuple(rows)
        return result
    finally:
        workbook.close()


def diff_workbooks(
    expected: Mapping[str, SheetValues],
    actual: Mapping[str, SheetValues],
    *,
    expected_label: str = "expected",
    actual_label: str = "actual",
    limit: int = 20,
) -> list[str]:
    """Readable differences between two ``read_cell_values`` results; [] if equal.

    Sheet names and order are compared, then every cell of the common sheets (value
    *and* kind: the text "9" differs from the number 9). At most ``limit`` cell
    differences are listed per sheet, followed by a count of the rest.
    """
    lines: list[str] = []
    if list(expected) != list(actual):
        lines.append(
            f"sheets differ: {expected_label} {list(expected)} != {actual_label} {list(actual)}"
        )
    for name in expected:
        if name not in actual:
            continue
        cell_lines = _diff_sheet(name, expected[name], actual[name], expected_label, actual_label)
        lines.extend(cell_lines[:limit])
        if len(cell_lines) > limit:
            lines.append(f"{name}: … and {len(cell_lines) - limit} more differences")
    return lines


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _kind_of(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "logical"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return "date"
    return type(value).__name__


def _same(left: object, right: object) -> bool:
    return _kind_of(left) == _kind_of(right) and left == right


def _describe(value: object) -> str:
    kind = _kind_of(value)
    if kind == "empty":
        return "(empty)"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return f"date {value.date().isoformat()}"
    return f"{kind} {value!r}"


def _diff_sheet(
    name: str,
    expected: SheetValues,
    actual: SheetValues,
    expected_label: str,
    actual_label: str,
) -> list[str]:
    lines: list[str] = []
    for row_index in range(max(len(expected), len(actual))):
        left = expected[row_index] if row_index < len(expected) else ()
        right = actual[row_index] if row_index < len(actual) else ()
        for col_index in range(max(len(left), len(right))):
            a = left[col_index] if col_index < len(left) else None
            b = right[col_index] if col_index < len(right) else None
            if not _same(a, b):
                ref = f"{get_column_letter(col_index + 1)}{row_index + 1}"
                lines.append(
                    f"{name}!{ref}: {expected_label} {_describe(a)} != "
                    f"{actual_label} {_describe(b)}"
                )
    return lines
