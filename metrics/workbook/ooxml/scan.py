"""``scan_xlsx``: the facts of an .xlsx package that python-calamine does not report.

python-calamine silently turns Excel error values and formula cells without a saved result
into empty strings, and hides the 1904 date system and sheet visibility. ``scan_xlsx``
reads the zip package directly (``package``), the workbook part (``workbook``) and the
selected worksheets (``cell_scan``) so the dashboard can tell staff exactly which cells
(sheet, row, column) need attention.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from metrics.workbook.ooxml.cell_scan import scan_sheet_cells
from metrics.workbook.ooxml.facts import (
    MSG_BAD_XML,
    MSG_CORRUPT,
    MSG_NO_SHEET_PART,
    CellIssue,
    XlsxFacts,
    XlsxScanError,
)
from metrics.workbook.ooxml.package import INPUT_ERRORS, Package, open_zip
from metrics.workbook.ooxml.workbook import find_workbook, read_workbook_part


def scan_xlsx(
    source: str | os.PathLike[str] | bytes,
    sheets: Collection[str] | None = None,
    *,
    max_issues: int = 1000,
) -> XlsxFacts:
    """Read date system, worksheet visibility and problem cells from an .xlsx package.

    ``sheets`` limits the cell scan to these sheet names (``None`` = all worksheets); names
    that are not worksheets of the workbook are ignored. At most ``max_issues`` issues are
    collected in total (workbook order, then row, then column).

    Raises XlsxScanError (Chinese message) for anything that is not a readable .xlsx package.
    """
    if max_issues < 0:
        raise ValueError("max_issues must be >= 0")
    try:
        with open_zip(source) as zf:
            return _scan_package(Package(zf), sheets, max_issues)
    except XlsxScanError:
        raise
    except INPUT_ERRORS as exc:
        raise XlsxScanError(MSG_CORRUPT) from exc


def _scan_package(pkg: Package, sheets: Collection[str] | None, max_issues: int) -> XlsxFacts:
    wb_info = find_workbook(pkg)
    workbook = read_workbook_part(pkg, wb_info)

    if sheets is None:
        wanted = {info.name for info in workbook.sheets}
    elif isinstance(sheets, str):
        wanted = {sheets}
    else:
        wanted = set(sheets)
    selected = [info for info in workbook.sheets if info.name in wanted]

    # Every other XML part is checked for DTDs too, because downstream readers parse them.
    # Worksheets are skipped here: the selected ones are read below, the others not at all.
    worksheet_parts = {info.part for info in workbook.sheets}
    for member in pkg.members():
        name = member.filename
        if name in pkg.read_names or name in worksheet_parts:
            continue
        if name.lower().endswith((".xml", ".rels")):
            pkg.read_xml(member)

    issues: list[CellIssue] = []
    for sheet in selected:
        info = pkg.find(sheet.part)
        if info is None:
            raise XlsxScanError(MSG_NO_SHEET_PART.format(sheet=sheet.name, part=sheet.part))
        data = pkg.read_xml(info)  # always read: the DTD check must not depend on the limit
        remaining = max_issues - len(issues)
        if remaining <= 0:
            continue
        try:
            found = scan_sheet_cells(data, remaining)
        except (ParseError, DefusedXmlException) as exc:
            raise XlsxScanError(MSG_BAD_XML.format(part=info.filename)) from exc
        issues.extend(
            CellIssue(sheet=sheet.name, row=row, column=col, kind=kind, detail=detail)
            for row, col, kind, detail in found
        )
    return XlsxFacts(date1904=workbook.date1904, sheets=workbook.sheets, cell_issues=tuple(issues))
