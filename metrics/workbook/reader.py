"""Raw reading of a workbook: sheets as rows of cell values, with Excel row numbers.

python-calamine reads the cells (several times faster than openpyxl); the package
scanner (``ooxml``) adds what calamine does not report: the 1904 date system,
and cells holding an Excel error or a formula without a saved value, which calamine
would silently return as empty strings.

Nothing here knows what the columns mean; ``table`` finds header rows and
``loader`` interprets the values.
"""

from __future__ import annotations

import io
import os
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import python_calamine

from metrics.contract import normalise_header
from metrics.workbook.ooxml import CellIssue, XlsxScanError, scan_xlsx

Source = str | os.PathLike[str] | bytes


MSG_UNREADABLE = (
    "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx），或文件已损坏。"
    "请在 Excel 中另存为 .xlsx 后重试"
)


class WorkbookReadError(ValueError):
    """The file cannot be read as a workbook; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class RawSheet:
    name: str  # the name as written in the workbook
    rows: Sequence[Sequence[object]]  # rows[i] is Excel row i + 1; "" for empty cells
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class RawWorkbook:
    sheets: Mapping[str, RawSheet]  # keyed by the *wanted* (contract) sheet name
    date1904: bool
    cell_issues: tuple[CellIssue, ...]


def read_workbook(source: Source, wanted: Collection[str]) -> RawWorkbook:
    """Read the sheets named in ``wanted`` (matched leniently: spaces, full-width).

    Sheets that are missing are simply absent from ``RawWorkbook.sheets``.
    Raises WorkbookReadError for a file that is not a readable .xlsx workbook.
    """
    data = _read_bytes(source)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise WorkbookReadError(MSG_UNREADABLE) from exc
    actual = _match_sheet_names(workbook.sheet_names, wanted)
    # The package scan (mostly zlib, which releases the GIL) overlaps calamine's parse.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_xlsx, data, list(actual.values()))
        cells = {name: _sheet_rows(workbook, name) for name in actual.values()}
        try:
            facts = scanning.result()
        except XlsxScanError as exc:
            raise WorkbookReadError(str(exc)) from exc
    hidden = {info.name for info in facts.sheets if info.state != "visible"}
    sheets = {key: RawSheet(name, cells[name], name in hidden) for key, name in actual.items()}
    return RawWorkbook(sheets, facts.date1904, facts.cell_issues)


def _sheet_rows(
    workbook: python_calamine.CalamineWorkbook, name: str
) -> Sequence[Sequence[object]]:
    try:
        rows: Sequence[Sequence[object]] = workbook.get_sheet_by_name(name).to_python(
            skip_empty_area=False
        )
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise WorkbookReadError(
            f"无法读取工作表“{name}”：表中有超出范围的日期或时间（例如在日期格式的单元格里"
            "填了很大的负数），或文件已损坏。请检查该表的日期列，或在 Excel 中另存为 .xlsx 后重试"
        ) from exc
    return rows


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        with open(source, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise WorkbookReadError(f"无法打开文件“{os.fspath(source)}”：{exc.strerror}") from exc


def _match_sheet_names(names: list[str], wanted: Collection[str]) -> dict[str, str]:
    """Map each wanted name to the workbook's spelling of it (exact match first)."""
    found: dict[str, str] = {}
    loose: dict[str, str] = {}
    for name in names:
        loose.setdefault(normalise_header(name), name)
    for want in wanted:
        if want in names:
            found[want] = want
        elif normalise_header(want) in loose:
            found[want] = loose[normalise_header(want)]
    return found


def _reraise_interrupts(exc: BaseException) -> None:
    """calamine raises its own exception types for bad input, and a Rust panic surfaces
    as pyo3's PanicException, which derives from BaseException (a date-formatted cell
    holding -1e15 does it). All of those mean "cannot read this file"; an interrupt or
    exit must still propagate."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
