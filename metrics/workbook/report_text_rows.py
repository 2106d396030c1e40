"""The rows of 报告段落: the Word report's paragraphs that are not about one task.

The sheet is optional (``metrics.contract.OPTIONAL_SHEETS``); the loader calls this only
when the workbook has it. Every cell goes through the general cell readers
(``CellReader``), so its problems read like those of the other sheets.
"""

from __future__ import annotations

from collections.abc import Sequence

from metrics.contract import REPORT_TEXT, ReportPart
from metrics.model import ReportParagraph
from metrics.values.cells import read_text
from metrics.workbook.cell_readers import CellReader
from metrics.workbook.table import Record, Table

_PARTS = "、".join(part.value for part in ReportPart)


class ReportTextRows:
    """Reads the 报告段落 sheet of one load."""

    def __init__(self, cells: CellReader) -> None:
        self.cells = cells
        self.log = cells.log

    def read(self, table: Table, rows: Sequence[Sequence[object]]) -> list[ReportParagraph]:
        """Every accepted paragraph, in sheet order; problems go to the log."""
        paragraphs: list[ReportParagraph] = []
        for record in table.records(rows):
            paragraph = self._paragraph(record)
            if paragraph is not None:
                paragraphs.append(paragraph)
        return paragraphs

    def _paragraph(self, record: Record) -> ReportParagraph | None:
        spec = REPORT_TEXT
        values: dict[str, str] = {}
        ok = True
        for column in spec.columns:
            good, value = self.cells.read(spec, record, column.field, required=False)
            ok = ok and good
            values[column.field] = read_text(value) if value is not None else ""
        part = _part(values["part"])
        if part is None:
            self._error(
                record,
                "part",
                f"未填写“部分”：请从下拉列表中选择{_PARTS}"
                if not values["part"]
                else f"“部分”写作“{values['part']}”，无法识别：请从下拉列表中选择{_PARTS}",
            )
            ok = False
        if not values["text"]:
            self._error(record, "text", "未填写“内容”：请填写段落正文，或删除这一行")
            ok = False
        if not ok or part is None:
            return None
        return ReportParagraph(
            part=part,
            heading=values["heading"],
            text=values["text"],
            source=values["source"],
            note=values["note"],
            row=record.row,
        )

    def _error(self, record: Record, field: str, message: str) -> None:
        self.log.error(REPORT_TEXT.name, record.row, REPORT_TEXT.column(field).header, message)


def _part(text: str) -> ReportPart | None:
    folded = "".join(text.split())
    return next((part for part in ReportPart if part.value == folded), None)
