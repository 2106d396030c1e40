"""The data sheets of a written workbook: 概况, 任务, 指标, 数据 and the optional 进展.

Headers in contract order (blue: required, grey: optional), frozen below the header,
auto-filter, print settings, drop-down lists on 任务.状态 and 指标.方向, and each value
written as its column's kind: dates as real Excel dates (``yyyy-mm-dd``), numbers as
numbers, text as text (``"2500余"``, ``"=..."`` and ``"#N/A"`` stay text).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Final, TypeAlias

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from metrics.contract import (
    INDICATORS,
    INSTRUCTIONS_SHEET,
    META,
    META_KEYS,
    OBSERVATIONS,
    PROGRESS,
    REPORT_TEXT,
    TASKS,
    Column,
    SheetSpec,
)
from metrics.values.dates import DateError, parse_date

Row: TypeAlias = Mapping[str, object]
CellValue: TypeAlias = str | int | float | Decimal | datetime.date | None

# Sheet order of every written workbook: staff land on 概况; 说明 comes last.
SHEET_ORDER: Final[tuple[str, ...]] = (
    META.name,
    TASKS.name,
    INDICATORS.name,
    OBSERVATIONS.name,
    PROGRESS.name,
    REPORT_TEXT.name,
    INSTRUCTIONS_SHEET,
)
CREATOR: Final = "整改进展看板"
FIXED_TIMESTAMP: Final = datetime.datetime(2021, 5, 31)
DATE_FORMAT: Final = "yyyy-mm-dd"
# Drop-down lists cover at least rows 2..VALIDATION_LAST_ROW.
VALIDATION_LAST_ROW: Final = 2000
# Text columns at least this wide wrap (方面, 问题, 任务, 整改措施, 来源, 备注, ...).
WRAP_MIN_WIDTH: Final = 24
# Excel's limit on the length of a cell's text.
MAX_CELL_TEXT: Final = 32767

_HEADER_FILL: Final = "DDEBF7"  # light blue: columns the loader requires
_OPTIONAL_HEADER_FILL: Final = "EDEDED"  # light grey: columns that may be deleted
_SECTION_FILL: Final = "F2F2F2"


class WorkbookValueError(ValueError):
    """A value cannot be written to its cell (wrong type, unknown field, ...)."""


@dataclass(frozen=True, slots=True)
class Styles:
    """Style objects for one workbook (fresh per workbook: no shared mutable state)."""

    header_font: Any
    header_fill: Any
    optional_header_fill: Any
    header_alignment: Any
    top: Any
    wrap_top: Any
    bold: Any
    title_font: Any
    section_fill: Any


def make_styles() -> Styles:
    return Styles(
        header_font=Font(bold=True),
        header_fill=PatternFill("solid", fgColor=_HEADER_FILL),
        optional_header_fill=PatternFill("solid", fgColor=_OPTIONAL_HEADER_FILL),
        header_alignment=Alignment(wrap_text=True, vertical="center"),
        top=Alignment(vertical="top"),
        wrap_top=Alignment(wrap_text=True, vertical="top"),
        bold=Font(bold=True),
        title_font=Font(bold=True, size=16),
        section_fill=PatternFill("solid", fgColor=_SECTION_FILL),
    )


def _write_header(worksheet: Any, columns: Sequence[Column], styles: Styles) -> None:
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.data_type = "s"
        cell.font = styles.header_font
        cell.fill = styles.header_fill if column.required else styles.optional_header_fill
        cell.alignment = styles.header_alignment
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        # Column-level formats apply to cells staff type in later, too.
        if column.written_kind == "date":
            dimension.number_format = DATE_FORMAT
        dimension.alignment = styles.wrap_top if wraps(column) else styles.top
    worksheet.freeze_panes = "A2"
    worksheet.print_title_rows = "1:1"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True


def wraps(column: Column) -> bool:
    """Whether the column's cells wrap (long text columns)."""
    return column.written_kind == "text" and column.width >= WRAP_MIN_WIDTH


def write_table(worksheet: Any, spec: SheetSpec, rows: Sequence[Row], styles: Styles) -> None:
    _write_header(worksheet, spec.columns, styles)
    fields = {column.field for column in spec.columns}
    for row_number, row in enumerate(rows, start=2):
        unknown = sorted(str(key) for key in row if key not in fields)
        if unknown:
            raise WorkbookValueError(
                f"{spec.name} row {row_number}: unknown field(s) {unknown}; "
                f"the contract's fields are {[c.field for c in spec.columns]}"
            )
        for col_number, column in enumerate(spec.columns, start=1):
            where = f"{spec.name} row {row_number}, column {column.header} ({column.field})"
            value = _cell_value(row.get(column.field), column.written_kind, where)
            if value is not None:
                _put(worksheet, row_number, col_number, value, wraps(column), styles)
    last_column = get_column_letter(len(spec.columns))
    worksheet.auto_filter.ref = f"A1:{last_column}{len(rows) + 1}"


def _put(
    worksheet: Any,
    row: int,
    column: int,
    value: CellValue,
    wrap: bool,
    styles: Styles,
) -> Any:
    cell = worksheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula ("=...") or an error value ("#N/A")
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    cell.alignment = styles.wrap_top if wrap else styles.top
    return cell


def add_list_validation(
    worksheet: Any, spec: SheetSpec, field: str, choices: Sequence[str]
) -> None:
    column = spec.column(field)
    letter = get_column_letter(spec.columns.index(column) + 1)
    last_row = max(VALIDATION_LAST_ROW, worksheet.max_row)
    validation = list_validation(column.header, choices)
    validation.add(f"{letter}2:{letter}{last_row}")
    worksheet.add_data_validation(validation)


def list_validation(header: str, choices: Sequence[str], prompt: str = "") -> DataValidation:
    """A drop-down of ``choices`` for the column ``header`` that refuses anything else,
    with a Chinese prompt (``prompt``, or the choices) and error."""
    listed = "、".join(choices)
    return DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showDropDown=False,  # (sic) False *shows* the in-cell arrow
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=f"{header}填写有误",
        error=f"请从下拉列表中选择：{listed}",
        promptTitle=header,
        prompt=prompt or f"请从下拉列表中选择：{listed}",
    )


def write_meta(
    worksheet: Any,
    meta: Mapping[str, object],
    notes: Mapping[str, str],
    styles: Styles,
) -> None:
    known = [key.field for key in META_KEYS]
    for label, mapping in (("meta", meta), ("meta_notes", notes)):
        unknown = sorted(str(key) for key in mapping if key not in known)
        if unknown:
            raise WorkbookValueError(
                f"{label}: unknown key(s) {unknown}; the 概况 keys are {known}"
            )
    _write_header(worksheet, META.columns, styles)
    _, value_column, note_column = META.columns
    for row_number, key in enumerate(META_KEYS, start=2):
        label = _put(worksheet, row_number, 1, key.label, False, styles)
        label.font = styles.bold
        where = f"{META.name} {key.label} ({key.field})"
        value = _cell_value(meta.get(key.field), key.written_kind, where)
        if value is not None:
            _put(worksheet, row_number, 2, value, wraps(value_column), styles)
        note = _cell_value(notes.get(key.field), "text", f"{where} note") or key.hint
        if note:
            _put(worksheet, row_number, 3, note, wraps(note_column), styles)


# ---------------------------------------------------------------------------
# Cell values


def _cell_value(value: object, kind: str, where: str) -> CellValue:
    """The value to store for a contract column of ``kind``; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        if not value.strip():
            return None
        if kind == "date":
            return _date_value(value, where)
        return _text_value(value, where)
    if isinstance(value, bool):
        raise WorkbookValueError(f"{where}: a logical value {value!r} is not allowed")
    if kind == "date":
        return _date_value(value, where)
    if isinstance(value, datetime.date):
        raise WorkbookValueError(
            f"{where}: a date {value!r} in a {kind} column (only date columns hold dates)"
        )
    if isinstance(value, int):
        return str(value) if kind == "text" else value
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            raise WorkbookValueError(f"{where}: {value!r} is not a finite number")
        return str(value) if kind == "text" else value
    raise WorkbookValueError(
        f"{where}: cannot write a value of type {type(value).__name__}: {value!r}"
    )


def _date_value(value: object, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise WorkbookValueError(f"{where}: a datetime with a time zone: {value!r}")
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):  # an Excel serial or a year: too ambiguous
        raise WorkbookValueError(f"{where}: not a date: {value!r} (use a date or a text date)")
    try:
        return parse_date(value)
    except DateError as exc:
        raise WorkbookValueError(f"{where}: not a date: {value!r} ({exc})") from exc


def _text_value(value: str, where: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise WorkbookValueError(f"{where}: control characters in {value!r}")
    if len(value) > MAX_CELL_TEXT:
        raise WorkbookValueError(
            f"{where}: text of {len(value)} characters (Excel allows {MAX_CELL_TEXT})"
        )
    return value
