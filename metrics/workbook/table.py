"""Locate a contract table inside a raw sheet: the header row and each column.

Staff move headers down a row or two, add a title above them, write " 编号 " or
"编号（必填）", leave blank rows and add columns of their own. The header row is
the row (among the first few) that names most of the contract's columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from metrics.contract import SheetSpec, normalise_header
from metrics.problems import ProblemLog
from metrics.workbook.reader import RawSheet

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True, slots=True)
class Record:
    row: int  # Excel row number
    values: dict[str, object]  # field -> cell value (None when empty)


@dataclass(frozen=True, slots=True)
class Table:
    sheet: str  # name as written in the workbook
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # field -> 0-based column index
    headers_by_index: dict[int, str]  # 0-based column index -> contract header

    def records(self, rows: Sequence[Sequence[object]]) -> Iterator[Record]:
        """Non-blank rows below the header, with only the contract's columns."""
        for index in range(self.header_row, len(rows)):
            record = self.record_at(rows, index)
            if record is not None:
                yield record

    def record_at(self, rows: Sequence[Sequence[object]], index: int) -> Record | None:
        """Row ``index`` (0-based) as a record; None when its contract cells are blank."""
        cells = rows[index]
        width = len(cells)
        values: dict[str, object] = {}
        blank = True
        for field, col in self.columns.items():
            value = cells[col] if col < width else None
            if isinstance(value, str):
                value = value.strip() or None
            if value is not None:
                blank = False
            values[field] = value
        return None if blank else Record(index + 1, values)


def locate_table(sheet: RawSheet, spec: SheetSpec, log: ProblemLog) -> Table | None:
    """Find the header row of ``spec`` in ``sheet``; log missing columns.

    Returns None (after logging an error) when a required column is missing.
    """
    wanted = {normalise_header(col.header): col for col in spec.columns}
    best_row, best_map = -1, dict[str, int]()
    for index, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        mapping: dict[str, int] = {}
        for col_index, cell in enumerate(cells):
            column = wanted.get(normalise_header(cell))
            if column is not None and column.field not in mapping:
                mapping[column.field] = col_index
        if len(mapping) > len(best_map):
            best_row, best_map = index, mapping
    if not best_map:
        expected = "、".join(spec.headers)
        log.error(
            spec.name,
            None,
            None,
            f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头：第一行应为列名 {expected}",
        )
        return None
    missing = [col for col in spec.columns if col.required and col.field not in best_map]
    for col in missing:
        log.error(
            spec.name,
            best_row + 1,
            col.header,
            f"缺少必需的列“{col.header}”：请在表头行（第 {best_row + 1} 行）加上这一列",
        )
    if missing:
        return None
    headers = {index: spec.column(field).header for field, index in best_map.items()}
    return Table(sheet.name, best_row + 1, best_map, headers)
