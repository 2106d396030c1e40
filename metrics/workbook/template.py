"""Write the workbook staff fill in: the bundled data and the blank template.

The shape comes entirely from ``metrics.contract``: sheet names, headers in contract
order, column widths, the 概况 keys and the allowed 状态 / 方向 values. Rows are
mappings keyed by the contract's English field names; a missing key or ``None`` is an
empty cell.

The written workbook is meant to be pleasant in Excel and WPS:

* sheets in the order 概况, 任务, 指标, 数据, 进展, 说明 (staff land on 概况);
* a bold, shaded header row, frozen below the header, with auto-filter on the
  data sheets and print settings (landscape, fit to width, header on every page);
* dates as real Excel dates (``yyyy-mm-dd``), numbers as numbers, text as text
  (``"2500余"``, ``"67.7%"`` and even ``"=..."`` or ``"#N/A"`` stay text);
* drop-down lists on 任务.状态, 任务.延期决定 and 指标.方向 with a Chinese prompt and error;
* long text columns wrap and every cell is top-aligned; column-level formats make
  dates typed into the blank template look like dates too;
* a 说明 sheet generated from the contract (the loader ignores it).

Output is deterministic: fixed document properties and fixed zip timestamps, so
regenerating from unchanged inputs gives the same bytes on the same machine.

The parts: ``template_sheets`` (the data sheets), ``instructions`` (the 说明 sheet);
``workbook_diff`` reads workbooks back and compares them.
"""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from collections.abc import Mapping, Sequence
from typing import IO, Any, Final, TypeAlias

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from metrics.contract import (
    INDICATORS,
    INSTRUCTIONS_SHEET,
    META,
    OBSERVATIONS,
    PROGRESS,
    REPORT_TEXT,
    TASKS,
    Direction,
    ExtensionDecision,
    ReportPart,
    TargetKind,
    TaskStatus,
)
from metrics.store.files import write_atomically
from metrics.workbook.instructions import write_instructions
from metrics.workbook.template_sheets import (
    DATE_FORMAT,
    SHEET_ORDER,
    VALIDATION_LAST_ROW,
    Row,
    WorkbookValueError,
    add_list_validation,
    make_styles,
    write_meta,
    write_table,
)
from metrics.workbook.workbook_diff import diff_workbooks, read_cell_values

__all__ = (
    "CREATOR",
    "DATE_FORMAT",
    "FIXED_TIMESTAMP",
    "SHEET_ORDER",
    "VALIDATION_LAST_ROW",
    "WorkbookValueError",
    "deterministic_bytes",
    "diff_workbooks",
    "read_cell_values",
    "template_bytes",
    "workbook_bytes",
    "write_template",
    "write_workbook",
)

Target: TypeAlias = str | os.PathLike[str] | IO[bytes]

CREATOR: Final = "整改进展看板"
FIXED_TIMESTAMP: Final = datetime.datetime(2021, 5, 31)

_ZIP_TIMESTAMP: Final = (2021, 5, 31, 0, 0, 0)

# ---------------------------------------------------------------------------
# Public API


def write_workbook(
    target: Target,
    *,
    tasks: Sequence[Row] = (),
    indicators: Sequence[Row] = (),
    observations: Sequence[Row] = (),
    progress: Sequence[Row] = (),
    paragraphs: Sequence[Row] = (),
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
        progress=progress,
        paragraphs=paragraphs,
        meta=meta,
        meta_notes=meta_notes,
    )
    _write_target(target, data)


def workbook_bytes(
    *,
    tasks: Sequence[Row] = (),
    indicators: Sequence[Row] = (),
    observations: Sequence[Row] = (),
    progress: Sequence[Row] = (),
    paragraphs: Sequence[Row] = (),
    meta: Mapping[str, object] | None = None,
    meta_notes: Mapping[str, str] | None = None,
) -> bytes:
    """The .xlsx file that ``write_workbook`` writes, as bytes."""
    workbook = _build_workbook(
        tasks=tasks,
        indicators=indicators,
        observations=observations,
        progress=progress,
        paragraphs=paragraphs,
        meta=meta or {},
        meta_notes=meta_notes or {},
    )
    return deterministic_bytes(workbook)


def template_bytes() -> bytes:
    """The blank template: all sheets, headers, drop-downs, 说明, 概况 keys, no data."""
    return workbook_bytes()


def write_template(target: Target) -> None:
    """Write the blank template to a path or a binary file object."""
    _write_target(target, template_bytes())


def _build_workbook(
    *,
    tasks: Sequence[Row],
    indicators: Sequence[Row],
    observations: Sequence[Row],
    progress: Sequence[Row],
    paragraphs: Sequence[Row],
    meta: Mapping[str, object],
    meta_notes: Mapping[str, str],
) -> Any:
    styles = make_styles()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.worksheets[0])  # the blank sheet a new workbook starts with
    workbook.properties.creator = CREATOR
    workbook.properties.lastModifiedBy = CREATOR
    workbook.properties.title = "整改进展看板数据"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    sheets = {name: workbook.create_sheet(name) for name in SHEET_ORDER}

    write_meta(sheets[META.name], meta, meta_notes, styles)
    write_table(sheets[TASKS.name], TASKS, tasks, styles)
    add_list_validation(
        sheets[TASKS.name],
        TASKS,
        "status",
        [status.value for status in TaskStatus],
    )
    add_list_validation(
        sheets[TASKS.name],
        TASKS,
        "extension_decision",
        [decision.value for decision in ExtensionDecision],
    )
    write_table(sheets[INDICATORS.name], INDICATORS, indicators, styles)
    add_list_validation(
        sheets[INDICATORS.name],
        INDICATORS,
        "direction",
        [direction.value for direction in Direction],
    )
    add_list_validation(
        sheets[INDICATORS.name],
        INDICATORS,
        "target_kind",
        [kind.value for kind in TargetKind],
    )
    write_table(sheets[OBSERVATIONS.name], OBSERVATIONS, observations, styles)
    write_table(sheets[PROGRESS.name], PROGRESS, progress, styles)
    write_table(sheets[REPORT_TEXT.name], REPORT_TEXT, paragraphs, styles)
    add_list_validation(
        sheets[REPORT_TEXT.name], REPORT_TEXT, "part", [part.value for part in ReportPart]
    )
    write_instructions(sheets[INSTRUCTIONS_SHEET], styles)
    workbook.active = 0
    return workbook


# ---------------------------------------------------------------------------
# Saving


def deterministic_bytes(workbook: Any) -> bytes:
    """An openpyxl workbook as .xlsx bytes without openpyxl's save_workbook, which stamps
    the current time: every zip member dated ``_ZIP_TIMESTAMP``."""
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
        write_atomically(target, data, mode=0o644)
    else:
        target.write(data)
