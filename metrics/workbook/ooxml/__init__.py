"""Reading an .xlsx (OOXML) package directly, for the facts python-calamine hides.

- ``scan``: ``scan_xlsx`` (the entry): date system, worksheets and problem cells.
- ``facts``: what it reports (``XlsxFacts``, ``SheetInfo``, ``CellIssue``), the error
  ``XlsxScanError`` with its Chinese messages, and ``column_letter``.
- ``package``: the zip package: size-limited reads of parts, encodings, DTD checks.
- ``workbook``: workbook.xml and its relationships: worksheets, visibility, 1904 dates.
- ``cell_scan``: the streaming row/cell scan of one worksheet for error values and
  formulas without a saved result.
"""

from metrics.workbook.ooxml.facts import (
    CellIssue,
    IssueKind,
    SheetInfo,
    SheetState,
    XlsxFacts,
    XlsxScanError,
    column_letter,
)
from metrics.workbook.ooxml.scan import scan_xlsx

__all__ = (
    "CellIssue",
    "IssueKind",
    "SheetInfo",
    "SheetState",
    "XlsxFacts",
    "XlsxScanError",
    "column_letter",
    "scan_xlsx",
)
