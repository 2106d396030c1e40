"""Write the workbook staff fill in: the bundled data and the blank template.

The shape comes entirely from ``metrics.contract``: sheet names, headers in contract
order, column widths, the 概况 keys and the allowed 状态 / 方向 values. Rows are
mappings keyed by the contract's English field names; a missing key or ``None`` is an
empty cell.

The written workbook is meant to be pleasant in Excel and WPS:

* sheets in the order 概况, 任务, 指标, 数据, 说明 (staff land on 概况);
* a bold, shaded header row, frozen below the header, with auto-filter on the
  data sheets and print settings (landscape, fit to width, header on every page);
* dates as real Excel dates (``yyyy-mm-dd``), numbers as numbers, text as text
  (``"2500余"``, ``"67.7%"`` and even ``"=..."`` or ``"#N/A"`` stay text);
* drop-down lists on 任务.状态 and 指标.方向 with a Chinese prompt and error;
* long text columns wrap and every cell is top-aligned; column-level formats make
  dates typed into the blank template look like dates too;
* a 说明 sheet generated from the contract (the loader ignores it).

Output is deterministic: fixed document properties and fixed zip timestamps, so
regenerating from unchanged inputs gives the same bytes on the same machine.

``read_cell_values`` and ``diff_workbooks`` read workbooks back for the
"text form and workbook agree" check (``scripts/build_workbook.py --check``).
"""

from __future__ import annotations

import datetime
import io
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Final, TypeAlias

import openpyxl  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
    DataValidation,
)
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

from metrics.contract import (
    INDICATORS,
    INSTRUCTIONS_SHEET,
    META,
    META_KEYS,
    OBSERVATIONS,
    TASKS,
    Column,
    Direction,
    MetaKey,
    SheetSpec,
    TaskStatus,
)
from metrics.values.dates import DateError, parse_date

__all__ = (
    "CREATOR",
    "DATE_FORMAT",
    "FIXED_TIMESTAMP",
    "SHEET_ORDER",
    "VALIDATION_LAST_ROW",
    "WorkbookValueError",
    "diff_workbooks",
    "read_cell_values",
    "template_bytes",
    "workbook_bytes",
    "write_template",
    "write_workbook",
)

Target: TypeAlias = str | os.PathLike[str] | IO[bytes]
Row: TypeAlias = Mapping[str, object]
CellValue: TypeAlias = str | int | float | Decimal | datetime.date | None
SheetValues: TypeAlias = tuple[tuple[object, ...], ...]

# Sheet order of every written workbook: staff land on 概况; 说明 comes last.
SHEET_ORDER: Final[tuple[str, ...]] = (
    META.name,
    TASKS.name,
    INDICATORS.name,
    OBSERVATIONS.name,
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
_INSTRUCTIONS_TAB: Final = "A6A6A6"
_ZIP_TIMESTAMP: Final = (2021, 5, 31, 0, 0, 0)

_KIND_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "text": "文本",
        "int": "整数",
        "date": "日期",
        "number": "数值",
        "status": "下拉选择",
        "direction": "下拉选择",
    }
)
_DIRECTION_NOTES: Final[Mapping[str, str]] = MappingProxyType(
    {
        Direction.HIGHER_IS_BETTER.value: "数值越大越好，如完成率、覆盖率、投资额",
        Direction.LOWER_IS_BETTER.value: "数值越小越好，如 PM2.5 浓度、欠款金额",
        Direction.MONITOR_ONLY.value: "只看变化趋势，不设目标值，不评定进度",
    }
)


class WorkbookValueError(ValueError):
    """A value cannot be written to its cell (wrong type, unknown field, ...)."""


# ---------------------------------------------------------------------------
# Public API


def write_workbook(
    target: Target,
    *,
    tasks: Sequence[Row] = (),
    indicators: Sequence[Row] = (),
    observations: Sequence[Row] = (),
    meta: Mapping[str, object] | None = None,
    meta_notes: Mapping[str, str] | None = None,
) -> None:
    """Write a workbook with the given rows to a path or a binary file object.

    ``meta`` and ``meta_notes`` are keyed by ``MetaKey.field`` (``"as_of"``, ...);
    a key without a note gets ``MetaKey.hint`` in the 说明 column. A path is
    replaced atomically. Raises WorkbookValueError for a value that does not fit
    its column or a key the contract does not know.
    """
    data = workbook_bytes(
        tasks=tasks,
        indicators=indicators,
        observations=observations,
        meta=meta,
        meta_notes=meta_notes,
    )
    _write_target(target, data)


def workbook_bytes(
    *,
    tasks: Sequence[Row] = (),
    indicators: Sequence[Row] = (),
    observations: Sequence[Row] = (),
    meta: Mapping[str, object] | None = None,
    meta_notes: Mapping[str, str] | None = None,
) -> bytes:
    """The .xlsx file that ``write_workbook`` writes, as bytes."""
    workbook = _build_workbook(
        tasks=tasks,
        indicators=indicators,
        observations=observations,
        meta=meta or {},
        meta_notes=meta_notes or {},
    )
    return _save(workbook)


def template_bytes() -> bytes:
    """The blank template: all sheets, headers, drop-downs, 说明, 概况 keys, no data."""
    return workbook_bytes()


def write_template(target: Target) -> None:
    """Write the blank template to a path or a binary file object."""
    _write_target(target, template_bytes())


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


# ---------------------------------------------------------------------------
# Building the workbook


@dataclass(frozen=True, slots=True)
class _Styles:
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


def _make_styles() -> _Styles:
    return _Styles(
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


def _build_workbook(
    *,
    tasks: Sequence[Row],
    indicators: Sequence[Row],
    observations: Sequence[Row],
    meta: Mapping[str, object],
    meta_notes: Mapping[str, str],
) -> Any:
    styles = _make_styles()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = CREATOR
    workbook.properties.lastModifiedBy = CREATOR
    workbook.properties.title = "整改进展看板数据"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    sheets = {name: workbook.create_sheet(name) for name in SHEET_ORDER}

    _write_meta(sheets[META.name], meta, meta_notes, styles)
    _write_table(sheets[TASKS.name], TASKS, tasks, styles)
    _add_list_validation(
        sheets[TASKS.name],
        TASKS,
        "status",
        [status.value for status in TaskStatus],
    )
    _write_table(sheets[INDICATORS.name], INDICATORS, indicators, styles)
    _add_list_validation(
        sheets[INDICATORS.name],
        INDICATORS,
        "direction",
        [direction.value for direction in Direction],
    )
    _write_table(sheets[OBSERVATIONS.name], OBSERVATIONS, observations, styles)
    _write_instructions(sheets[INSTRUCTIONS_SHEET], styles)
    workbook.active = 0
    return workbook


def _write_header(worksheet: Any, columns: Sequence[Column], styles: _Styles) -> None:
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.data_type = "s"
        cell.font = styles.header_font
        cell.fill = styles.header_fill if column.required else styles.optional_header_fill
        cell.alignment = styles.header_alignment
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        # Column-level formats apply to cells staff type in later, too.
        if column.kind == "date":
            dimension.number_format = DATE_FORMAT
        dimension.alignment = styles.wrap_top if _wraps(column) else styles.top
    worksheet.freeze_panes = "A2"
    worksheet.print_title_rows = "1:1"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True


def _wraps(column: Column) -> bool:
    return column.kind == "text" and column.width >= WRAP_MIN_WIDTH


def _write_table(worksheet: Any, spec: SheetSpec, rows: Sequence[Row], styles: _Styles) -> None:
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
            value = _cell_value(row.get(column.field), column.kind, where)
            if value is not None:
                _put(worksheet, row_number, col_number, value, _wraps(column), styles)
    last_column = get_column_letter(len(spec.columns))
    worksheet.auto_filter.ref = f"A1:{last_column}{len(rows) + 1}"


def _put(
    worksheet: Any,
    row: int,
    column: int,
    value: CellValue,
    wrap: bool,
    styles: _Styles,
) -> Any:
    cell = worksheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula ("=...") or an error value ("#N/A")
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    cell.alignment = styles.wrap_top if wrap else styles.top
    return cell


def _add_list_validation(
    worksheet: Any, spec: SheetSpec, field: str, choices: Sequence[str]
) -> None:
    column = spec.column(field)
    letter = get_column_letter(spec.columns.index(column) + 1)
    last_row = max(VALIDATION_LAST_ROW, worksheet.max_row)
    listed = "、".join(choices)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showDropDown=False,  # (sic) False *shows* the in-cell arrow
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=f"{column.header}填写有误",
        error=f"请从下拉列表中选择：{listed}",
        promptTitle=column.header,
        prompt=f"请从下拉列表中选择：{listed}",
    )
    validation.add(f"{letter}2:{letter}{last_row}")
    worksheet.add_data_validation(validation)


def _write_meta(
    worksheet: Any,
    meta: Mapping[str, object],
    notes: Mapping[str, str],
    styles: _Styles,
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
        value = _cell_value(meta.get(key.field), key.kind, where)
        if value is not None:
            _put(worksheet, row_number, 2, value, _wraps(value_column), styles)
        note = _cell_value(notes.get(key.field), "text", f"{where} note") or key.hint
        if note:
            _put(worksheet, row_number, 3, note, _wraps(note_column), styles)


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


# ---------------------------------------------------------------------------
# The 说明 sheet


def _instruction_lines() -> list[str]:
    status_values = "、".join(status.value for status in TaskStatus)
    complete = "和".join(status.value for status in TaskStatus if status.complete)
    data_sheets = "".join(f"“{name}”" for name in SHEET_ORDER[:-1])
    return [
        f"本工作簿是整改进展看板的数据来源。看板只读取{data_sheets}四张表，"
        f"本“{INSTRUCTIONS_SHEET}”表不会被读取。",
        "工作表顺序：" + "、".join(SHEET_ORDER) + "。请勿修改工作表名称和第 1 行的列名。",
        "每行填写一条记录；不要合并单元格，不要插入小计行。列的顺序可以调整，也可以增加自用列（看板不读取）。",
        f"“状态”“方向”两列请从下拉列表中选择。状态共四种：{status_values}；"
        f"其中{complete}计为完成。",
        "日期可写作 2021-05-31、2021/5/31 或 2021年5月31日。",
        "数值可写作 67.7、67.7%、9.62万、2500余 等形式，单位以“指标”表的单位列为准。"
        "只写一个数：不要写范围（如“三五家”“3-5”），不确切时写“3余”（3以上）或“约3”。",
        f"“{META.name}”表中的截至日期是所有按时间计算（进度、逾期、临近到期）的依据，"
        "看板不使用电脑的当前日期。",
        f"“{OBSERVATIONS.name}”表每次报送一行：同一指标在不同日期的数值逐行追加，"
        "不要覆盖旧值，历史由此累积。",
        "“必需列”为“是”的列必须保留，其中单元格能否留空见填写说明；为“否”的列可以删除。",
        f"蓝色表头为必需列，灰色表头为可选列。“{META.name}”表中“是否必填”为“是”的项目必须填写内容。",
    ]


def _write_instructions(worksheet: Any, styles: _Styles) -> None:
    worksheet.sheet_properties.tabColor = _INSTRUCTIONS_TAB
    for letter, width in zip("ABCD", (16, 10, 10, 70), strict=True):
        worksheet.column_dimensions[letter].width = width
    writer = _InstructionWriter(worksheet, styles)
    writer.text("整改进展看板 数据填写说明", font=styles.title_font)
    writer.blank()
    writer.section("填写要点")
    for number, line in enumerate(_instruction_lines(), start=1):
        writer.text(f"{number}. {line}")

    numerals = "一二三四五六七八九十"
    sections: list[tuple[str, Callable[[], None]]] = [
        (f"“{META.name}”表：每个项目一行，在“内容”列填写", writer.meta_keys),
        *(
            (f"“{spec.name}”表：{spec.description}", _table_rows(writer, spec))
            for spec in (TASKS, INDICATORS, OBSERVATIONS)
        ),
        ("状态的取值（“任务”表）", writer.statuses),
        ("方向的取值（“指标”表）", writer.directions),
    ]
    for numeral, (title, body) in zip(numerals, sections, strict=False):
        writer.blank()
        writer.section(f"{numeral}、{title}")
        body()


def _table_rows(writer: _InstructionWriter, spec: SheetSpec) -> Callable[[], None]:
    return lambda: writer.columns(spec)


class _InstructionWriter:
    """Appends rows to the 说明 sheet (short lines that spill over, small tables)."""

    def __init__(self, worksheet: Any, styles: _Styles) -> None:
        self.worksheet = worksheet
        self.styles = styles
        self.row = 0

    def text(self, line: str, *, font: Any = None) -> None:
        self.row += 1
        cell = self.worksheet.cell(row=self.row, column=1, value=line)
        cell.data_type = "s"
        if font is not None:
            cell.font = font

    def blank(self) -> None:
        self.row += 1

    def section(self, title: str) -> None:
        self.text(title, font=self.styles.bold)

    def table_row(self, cells: Sequence[str], *, header: bool = False) -> None:
        self.row += 1
        for index, text in enumerate(cells, start=1):
            if not text:
                continue
            cell = self.worksheet.cell(row=self.row, column=index, value=text)
            cell.data_type = "s"
            cell.alignment = self.styles.wrap_top
            if header:
                cell.font = self.styles.bold
                cell.fill = self.styles.section_fill

    def columns(self, spec: SheetSpec) -> None:
        self.table_row(("列名", "必需列", "格式", "填写说明"), header=True)
        for column in spec.columns:
            self.table_row(
                (
                    column.header,
                    "是" if column.required else "否（可删除）",
                    _KIND_LABELS.get(column.kind, column.kind),
                    column.hint,
                )
            )

    def meta_keys(self) -> None:
        self.table_row(("项目", "是否必填", "格式", "填写说明"), header=True)
        for key in META_KEYS:
            self.table_row(_meta_key_cells(key))

    def statuses(self) -> None:
        self.table_row(("状态", "计为完成", "", ""), header=True)
        for status in TaskStatus:
            self.table_row((status.value, "是" if status.complete else "否", "", ""))

    def directions(self) -> None:
        self.table_row(("方向", "", "", "含义"), header=True)
        for direction in Direction:
            self.table_row((direction.value, "", "", _DIRECTION_NOTES.get(direction.value, "")))


def _meta_key_cells(key: MetaKey) -> tuple[str, str, str, str]:
    return (
        key.label,
        "是" if key.required else "否",
        _KIND_LABELS.get(key.kind, key.kind),
        key.hint,
    )


# ---------------------------------------------------------------------------
# Saving


def _save(workbook: Any) -> bytes:
    """Serialise without openpyxl's save_workbook, which stamps the current time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same package with every member dated ``_ZIP_TIMESTAMP``."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 3
            member.external_attr = 0o644 << 16
            archive.writestr(member, source.read(info))
    return output.getvalue()


def _write_target(target: Target, data: bytes) -> None:
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        target.write(data)


# ---------------------------------------------------------------------------
# Comparing


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
