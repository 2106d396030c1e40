"""Tests for metrics.workbook.ooxml (raw .xlsx package facts that python-calamine hides)."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from metrics.workbook.ooxml import cell_scan, package
from metrics.workbook.ooxml.facts import (
    MSG_CFB,
    MSG_DTD,
    MSG_EMPTY,
    MSG_NO_WORKBOOK,
    MSG_NOT_XLSX,
    CellIssue,
    SheetInfo,
    XlsxFacts,
    XlsxScanError,
    column_letter,
)
from metrics.workbook.ooxml.scan import scan_xlsx

REAL = Path(__file__).parent / "data" / "real"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WS_TYPE = f"{REL_NS}/worksheet"
OFFICE_DOC_TYPE = f"{REL_NS}/officeDocument"


# ---------------------------------------------------------------------------------------
# Helpers


def _issues(facts: XlsxFacts) -> list[tuple[str, int, int, str, str]]:
    return [(i.sheet, i.row, i.column, i.kind, i.detail) for i in facts.cell_issues]


def _sheets(facts: XlsxFacts) -> list[tuple[str, str, str]]:
    return [(s.name, s.part, s.state) for s in facts.sheets]


def _zip_bytes(parts: Mapping[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def _worksheet(sheet_data: str, *, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {xmlns}>'
        f"<{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>"
    )


def _package(
    sheets: Mapping[str, str],
    *,
    targets: Mapping[str, str] | None = None,
    members: Mapping[str, str] | None = None,
    workbook_pr: str = "",
    extra: Mapping[str, bytes | str] | None = None,
    package_rels: bool = True,
) -> bytes:
    """A minimal package; ``sheets`` maps sheet name -> worksheet XML (workbook order)."""
    sheet_els = []
    rel_els = []
    parts: dict[str, bytes | str] = {}
    for n, (name, xml) in enumerate(sheets.items(), start=1):
        target = (targets or {}).get(name, f"worksheets/sheet{n}.xml")
        member = (members or {}).get(name, f"xl/worksheets/sheet{n}.xml")
        sheet_els.append(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>')
        rel_els.append(f'<Relationship Id="rId{n}" Type="{WS_TYPE}" Target="{target}"/>')
        parts[member] = xml
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"{workbook_pr}<sheets>{''.join(sheet_els)}</sheets></workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}">'
        f"{''.join(rel_els)}</Relationships>"
    )
    if package_rels:
        parts["_rels/.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_DOC_TYPE}" Target="xl/workbook.xml"/>'
            "</Relationships>"
        )
    parts.update(extra or {})
    return _zip_bytes(parts)


def _rewrite_member(path: Path, dest: Path, member: str, edit: Callable[[bytes], bytes]) -> None:
    """Copy a package, passing one member's bytes through ``edit``."""
    with (
        zipfile.ZipFile(path) as zin,
        zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                data = edit(data)
            zout.writestr(info, data)


# ---------------------------------------------------------------------------------------
# column_letter


@pytest.mark.parametrize(
    ("index", "letters"),
    [
        (1, "A"),
        (2, "B"),
        (26, "Z"),
        (27, "AA"),
        (52, "AZ"),
        (53, "BA"),
        (702, "ZZ"),
        (703, "AAA"),
        (16384, "XFD"),
    ],
)
def test_column_letter_examples(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def test_column_letter_matches_openpyxl_everywhere() -> None:
    for index in range(1, 16385):
        assert column_letter(index) == get_column_letter(index)


@pytest.mark.parametrize("index", [0, -1, 16385])
def test_column_letter_rejects_out_of_range(index: int) -> None:
    with pytest.raises(ValueError):
        column_letter(index)


# ---------------------------------------------------------------------------------------
# Workbooks generated with openpyxl


def test_openpyxl_formula_error_visibility_and_1904(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "数据"
    ws["A1"] = 1
    ws["B2"] = "=SUM(A1:A3)"  # openpyxl saves formulas without a cached value
    ws["C3"] = "#DIV/0!"  # openpyxl saves this string as an error cell (t="e")
    ws["D4"] = '="a"&"<b>"'
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["E5"] = "#N/A"
    very = wb.create_sheet("VeryHidden")
    very.sheet_state = "veryHidden"
    very["A1"] = "plain text"
    wb.epoch = CALENDAR_MAC_1904
    path = tmp_path / "generated.xlsx"
    wb.save(path)

    with zipfile.ZipFile(path) as zf:  # the premise of this test
        sheet1 = zf.read("xl/worksheets/sheet1.xml")
    assert b'<c r="C3" t="e"><v>#DIV/0!</v></c>' in sheet1
    # No cached value: "<v/>", or "<v></v>" when openpyxl writes through lxml.
    assert re.search(rb"<f>SUM\(A1:A3\)</f>(<v/>|<v></v>)?</c>", sheet1)

    facts = scan_xlsx(path)
    assert facts.date1904 is True
    assert _sheets(facts) == [
        ("数据", "xl/worksheets/sheet1.xml", "visible"),
        ("隐藏", "xl/worksheets/sheet2.xml", "hidden"),
        ("VeryHidden", "xl/worksheets/sheet3.xml", "veryHidden"),
    ]
    assert _issues(facts) == [
        ("数据", 2, 2, "formula_without_value", "SUM(A1:A3)"),
        ("数据", 3, 3, "error", "#DIV/0!"),
        ("数据", 4, 4, "formula_without_value", '"a"&"<b>"'),
        ("隐藏", 5, 5, "error", "#N/A"),
    ]
    assert facts.cell_issues[0] == CellIssue("数据", 2, 2, "formula_without_value", "SUM(A1:A3)")
    # bytes input gives the same answer
    assert scan_xlsx(path.read_bytes()) == facts


def test_openpyxl_default_epoch_is_1900(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    facts = scan_xlsx(path)
    assert facts.date1904 is False
    assert facts.cell_issues == ()
    assert _sheets(facts) == [("Sheet", "xl/worksheets/sheet1.xml", "visible")]


def test_openpyxl_write_only_formulas(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("S")
    ws.append(["a", 1, "=B1*2"])
    ws.append(["b", 2, "=B2*2"])
    path = tmp_path / "wo.xlsx"
    wb.save(path)
    assert _issues(scan_xlsx(path)) == [
        ("S", 1, 3, "formula_without_value", "B1*2"),
        ("S", 2, 3, "formula_without_value", "B2*2"),
    ]


def _three_sheet_workbook(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "一"
    for row in range(1, 6):
        first.cell(row=row, column=2, value=f"=A{row}+1")
    second = wb.create_sheet("二")
    second["A1"] = "#REF!"
    second["B1"] = "#VALUE!"
    third = wb.create_sheet("三")
    third["C9"] = "=1/0"
    path = tmp_path / "three.xlsx"
    wb.save(path)
    return path


def test_sheet_selection(tmp_path: Path) -> None:
    path = _three_sheet_workbook(tmp_path)
    facts = scan_xlsx(path, ["三", "二", "不存在"])
    assert [s.name for s in facts.sheets] == ["一", "二", "三"]  # always all worksheets
    assert _issues(facts) == [  # workbook order, not the order asked for
        ("二", 1, 1, "error", "#REF!"),
        ("二", 1, 2, "error", "#VALUE!"),
        ("三", 9, 3, "formula_without_value", "1/0"),
    ]
    assert _issues(scan_xlsx(path, "三")) == [("三", 9, 3, "formula_without_value", "1/0")]
    assert scan_xlsx(path, []).cell_issues == ()


def test_max_issues(tmp_path: Path) -> None:
    path = _three_sheet_workbook(tmp_path)
    assert len(scan_xlsx(path).cell_issues) == 8
    assert _issues(scan_xlsx(path, max_issues=6)) == [
        ("一", row, 2, "formula_without_value", f"A{row}+1") for row in range(1, 6)
    ] + [("二", 1, 1, "error", "#REF!")]
    assert _issues(scan_xlsx(path, max_issues=2)) == [
        ("一", 1, 2, "formula_without_value", "A1+1"),
        ("一", 2, 2, "formula_without_value", "A2+1"),
    ]
    facts = scan_xlsx(path, max_issues=0)
    assert facts.cell_issues == () and len(facts.sheets) == 3
    with pytest.raises(ValueError):
        scan_xlsx(path, max_issues=-1)


# ---------------------------------------------------------------------------------------
# Real files from other projects' test suites (see tests/data/real/MANIFEST.tsv)


def test_manifest_lists_exactly_the_copied_files() -> None:
    lines = (REAL / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[0] == "file"
    listed = sorted(line.split("\t")[0] for line in lines[1:])
    assert listed == sorted(p.name for p in REAL.glob("*.xlsx"))


def test_real_errors() -> None:
    facts = scan_xlsx(REAL / "calamine__errors.xlsx")
    assert facts.date1904 is False
    assert _sheets(facts) == [
        ("Feuil1", "xl/worksheets/sheet1.xml", "visible"),
        ("Feuil2", "xl/worksheets/sheet2.xml", "visible"),
        ("Feuil3", "xl/worksheets/sheet3.xml", "visible"),
    ]
    # Every cell is a formula WITH a cached error value -> reported as "error".
    assert _issues(facts) == [
        ("Feuil1", 1, 1, "error", "#DIV/0!"),
        ("Feuil1", 2, 1, "error", "#NAME?"),
        ("Feuil1", 3, 1, "error", "#VALUE!"),
        ("Feuil1", 4, 1, "error", "#NULL!"),
        ("Feuil1", 5, 1, "error", "#REF!"),
        ("Feuil1", 6, 1, "error", "#NUM!"),
        ("Feuil1", 7, 1, "error", "#N/A"),
    ]


def test_real_formulas_with_cached_values_are_fine() -> None:
    facts = scan_xlsx(REAL / "calamine__formula.issue.xlsx")
    assert _sheets(facts) == [("Sheet1", "xl/worksheets/sheet1.xml", "visible")]
    assert facts.cell_issues == ()
    assert facts.date1904 is False


def test_real_date_1904() -> None:
    facts = scan_xlsx(REAL / "calamine__date_1904.xlsx")
    assert facts.date1904 is True  # LibreOffice writes date1904="true"
    assert _sheets(facts) == [("Sheet1", "xl/worksheets/sheet1.xml", "visible")]
    assert facts.cell_issues == ()


def test_real_visibility_and_chartsheet_skipped() -> None:
    facts = scan_xlsx(REAL / "calamine__any_sheets.xlsx")
    assert _sheets(facts) == [
        ("Visible", "xl/worksheets/sheet1.xml", "visible"),
        ("Hidden", "xl/worksheets/sheet2.xml", "hidden"),
        ("VeryHidden", "xl/worksheets/sheet3.xml", "veryHidden"),
    ]  # "Chart" (xl/chartsheets/sheet1.xml) is a chartsheet
    assert facts.cell_issues == ()
    assert scan_xlsx(REAL / "calamine__any_sheets.xlsx", ["Chart"]).cell_issues == ()


def test_real_nonstandard_namespace_prefix() -> None:
    facts = scan_xlsx(REAL / "calamine__nonstandard-xml-ns-prefix.xlsx")
    assert _sheets(facts) == [("Sheet1", "xl/worksheets/sheet1.xml", "visible")]
    assert facts.cell_issues == ()


def test_real_capitalised_shared_strings_part() -> None:
    path = REAL / "calamine__issue_419.xlsx"
    with zipfile.ZipFile(path) as zf:
        assert "xl/SharedStrings.xml" in zf.namelist()
        pkg = package.Package(zf)
        found = pkg.find("xl/sharedStrings.xml")
        assert found is not None and found.filename == "xl/SharedStrings.xml"
    facts = scan_xlsx(path)
    assert _sheets(facts) == [("Sheet1", "xl/worksheets/sheet1.xml", "visible")]
    assert facts.cell_issues == ()


def test_real_backslash_member_names() -> None:
    path = REAL / "calamine__issue_530.xlsx"
    facts = scan_xlsx(path)
    # SheetInfo.part is the zip member name as stored (with backslashes here).
    assert _sheets(facts) == [("出勤分类组织汇总表", "xl\\worksheets\\sheet26.xml", "visible")]
    with zipfile.ZipFile(path) as zf:
        data = zf.read(facts.sheets[0].part)
    # The sheet has an <xm:f> inside a data validation (not a cell): the cheap check
    # fires, but it must not be reported as a cell issue.
    assert b"<xm:f>" in data
    assert cell_scan._may_have_issues(data)
    assert facts.cell_issues == ()


def test_real_cells_without_r_plain() -> None:
    facts = scan_xlsx(REAL / "calamine__issue_261.xlsx")
    assert _sheets(facts) == [("Some Sheet", "xl/worksheets/sheet1.xml", "visible")]
    assert facts.cell_issues == ()


def _inject_issues_261(data: bytes) -> bytes:
    """Turn shared-string cells into errors and numeric cells into value-less formulas."""
    data = re.sub(
        rb'<c((?: r="[A-Z]+[0-9]+")?(?: s="[0-9]+")?) t="s">\s*<v>[0-9]+</v>\s*</c>',
        rb'<c\1 t="e"><v>#N/A</v></c>',
        data,
    )
    return re.sub(
        rb'<c( s="[0-9]+")>\s*<v>([0-9.]+)</v>\s*</c>',
        rb"<c\1><f>N(\2)</f></c>",
        data,
    )


def test_real_cells_without_r_counted_like_openpyxl(tmp_path: Path) -> None:
    src = REAL / "calamine__issue_261.xlsx"
    dest = tmp_path / "issue_261_with_issues.xlsx"
    _rewrite_member(src, dest, "xl/worksheets/sheet1.xml", _inject_issues_261)

    facts = scan_xlsx(dest, max_issues=10_000)
    got = _issues(facts)
    assert len(got) > 100
    # Hand-checked positions: row r="7" follows five rows without r; E61 / D66 carry r=;
    # A66 is counted in a row that mixes cells with and without r.
    assert ("Some Sheet", 7, 2, "formula_without_value", "N(45000)") in got
    assert ("Some Sheet", 7, 7, "formula_without_value", "N(901)") in got
    assert ("Some Sheet", 8, 7, "formula_without_value", "N(902)") in got
    assert ("Some Sheet", 61, 5, "error", "#N/A") in got
    assert ("Some Sheet", 61, 7, "formula_without_value", "N(939)") in got
    assert ("Some Sheet", 66, 1, "error", "#N/A") in got
    assert ("Some Sheet", 66, 4, "error", "#N/A") in got

    # Independent oracle: openpyxl's reader counts rows/columns the same way.
    wb = openpyxl.load_workbook(dest)
    ws = wb["Some Sheet"]
    expected = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                expected.append(
                    (
                        "Some Sheet",
                        cell.row,
                        cell.column,
                        "formula_without_value",
                        str(cell.value)[1:],
                    )
                )
            elif cell.data_type == "e":
                expected.append(("Some Sheet", cell.row, cell.column, "error", str(cell.value)))
    assert got == sorted(expected, key=lambda t: (t[1], t[2]))

    # The regex scan refuses to guess positions; the streaming scan did the counting.
    with zipfile.ZipFile(dest) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")
    with pytest.raises(cell_scan._Bail):
        cell_scan._scan_cells_fast(data, 10_000)


def test_real_billion_laughs_refused() -> None:
    path = REAL / "poi__54764.xlsx"
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(path)
    assert str(info.value) == MSG_DTD
    # The DTDs sit in xl/sharedStrings.xml and docProps/core.xml, not in a worksheet:
    # they are refused even when no worksheet is scanned.
    with pytest.raises(XlsxScanError, match="DTD"):
        scan_xlsx(path, [])
    with pytest.raises(XlsxScanError, match="DTD"):
        scan_xlsx(path.read_bytes())


def test_real_fuzzer_truncated_zip() -> None:
    path = REAL / "poi__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx"
    assert path.read_bytes().startswith(b"PK\x03\x04")
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(path)
    assert str(info.value) == MSG_NOT_XLSX
    with pytest.raises(XlsxScanError):
        scan_xlsx(path.read_bytes())


def test_real_empty_file() -> None:
    path = REAL / "openpyxl__null_file.xlsx"
    assert path.stat().st_size == 0
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(path)
    assert str(info.value) == MSG_EMPTY
    with pytest.raises(XlsxScanError):
        scan_xlsx(b"")


def test_real_password_protected_is_not_a_zip() -> None:
    path = REAL / "calamine__pass_protected.xlsx"
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(path)
    assert str(info.value) == MSG_CFB
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------------------------
# Synthetic packages


def test_not_a_zip_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(b"hello, this is not a workbook")
    assert str(info.value) == MSG_NOT_XLSX
    with pytest.raises(XlsxScanError):
        scan_xlsx(tmp_path / "does-not-exist.xlsx")


def test_zip_without_workbook() -> None:
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(_zip_bytes({"hello.txt": "hi"}))
    assert str(info.value) == MSG_NO_WORKBOOK


def test_workbook_without_package_rels_falls_back() -> None:
    data = _package(
        {"S": _worksheet('<row r="1"><c r="A1"><f>1+1</f></c></row>')},
        package_rels=False,
    )
    assert _issues(scan_xlsx(data)) == [("S", 1, 1, "formula_without_value", "1+1")]


def test_workbook_found_through_package_rels() -> None:
    sheet = _worksheet('<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>')
    data = _package({"S": sheet})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    # Move the workbook somewhere unusual; only _rels/.rels knows where it is.
    moved = {
        "_rels/.rels": parts["_rels/.rels"].replace(b"xl/workbook.xml", b"/book/main.xml"),
        "book/main.xml": parts["xl/workbook.xml"],
        "book/_rels/main.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
            b"worksheets/sheet1.xml", b"../xl/worksheets/sheet1.xml"
        ),
        "xl/worksheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"],
    }
    facts = scan_xlsx(_zip_bytes(moved))
    assert _sheets(facts) == [("S", "xl/worksheets/sheet1.xml", "visible")]
    assert _issues(facts) == [("S", 1, 1, "error", "#N/A")]


@pytest.mark.parametrize(
    ("target", "member"),
    [
        ("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("worksheets\\sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("./worksheets/../worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("worksheets/sheet1.xml", "xl/Worksheets/Sheet1.XML"),
        ("worksheets/sheet%201.xml", "xl/worksheets/sheet 1.xml"),
        ("worksheets/sheet1.xml", "xl\\worksheets\\sheet1.xml"),
    ],
)
def test_target_resolution(target: str, member: str) -> None:
    sheet = _worksheet('<row r="3"><c r="B3"><f>A3</f><v/></c></row>')
    data = _package({"S": sheet}, targets={"S": target}, members={"S": member})
    facts = scan_xlsx(data)
    assert _sheets(facts) == [("S", member, "visible")]
    assert _issues(facts) == [("S", 3, 2, "formula_without_value", "A3")]


def test_missing_sheet_relationship_and_part() -> None:
    sheet = _worksheet("")
    data = _package({"S": sheet}, targets={"S": "worksheets/nowhere.xml"})
    facts = scan_xlsx(data, [])  # not scanned: only listed
    assert _sheets(facts) == [("S", "xl/worksheets/nowhere.xml", "visible")]
    with pytest.raises(XlsxScanError, match="S"):
        scan_xlsx(data)
    bad_rel = _zip_bytes(
        {
            "xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId9"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_REL_NS}"/>',
        }
    )
    with pytest.raises(XlsxScanError, match="关系"):
        scan_xlsx(bad_rel)


def test_date1904_flag_variants() -> None:
    sheet = _worksheet("")
    for pr, expected in [
        ('<workbookPr date1904="1"/>', True),
        ('<workbookPr date1904="true"/>', True),
        ('<workbookPr date1904="false"/>', False),
        ('<workbookPr date1904="0"/>', False),
        ("<workbookPr/>", False),
        ("", False),
    ]:
        assert scan_xlsx(_package({"S": sheet}, workbook_pr=pr)).date1904 is expected, pr


def test_prefixed_spreadsheetml_namespace() -> None:
    rows = (
        '<x:row r="2"><x:c r="A2"><x:f>SUM(B2:C2)</x:f></x:c>'
        '<x:c r="B2" t="e"><x:v>#NUM!</x:v></x:c><x:c r="C2"><x:f>1</x:f><x:v>1</x:v></x:c>'
        "</x:row>"
    )
    sheet = _worksheet(rows, prefix="x")
    workbook = (
        f'<x:workbook xmlns:x="{MAIN_NS}" xmlns:rel="{REL_NS}"><x:workbookPr date1904="1"/>'
        '<x:sheets><x:sheet name="P" sheetId="1" rel:id="rId1" state="hidden"/></x:sheets>'
        "</x:workbook>"
    )
    data = _package({"P": sheet}, extra={"xl/workbook.xml": workbook})
    facts = scan_xlsx(data)
    assert facts.date1904 is True
    assert _sheets(facts) == [("P", "xl/worksheets/sheet1.xml", "hidden")]
    assert _issues(facts) == [
        ("P", 2, 1, "formula_without_value", "SUM(B2:C2)"),
        ("P", 2, 2, "error", "#NUM!"),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('<c r="A1"><f>1</f></c>', ("formula_without_value", "1")),
        ('<c r="A1"><f>1</f><v/></c>', ("formula_without_value", "1")),
        ('<c r="A1"><f>1</f><v></v></c>', ("formula_without_value", "1")),
        ('<c r="A1" t="n"><f>1</f><v> </v></c>', ("formula_without_value", "1")),
        ('<c r="A1"><f>1</f><v>1</v></c>', None),
        ('<c r="A1" t="str"><f>""</f><v></v></c>', None),  # result is the empty string
        ('<c r="A1" t="str"><f>""</f></c>', ("formula_without_value", '""')),
        ('<c r="A1" t="b"><f>TRUE()</f><v/></c>', ("formula_without_value", "TRUE()")),
        (
            '<c r="A1" t="shared"><f t="shared" si="0"/></c>',
            ("formula_without_value", ""),
        ),
        ('<c r="A1"><f t="shared" si="0"/><v>3</v></c>', None),
        ('<c r="A1" t="e"><v>#N/A</v></c>', ("error", "#N/A")),
        ("<c r='A1' t='e'><v>#GETTING_DATA</v></c>", ("error", "#GETTING_DATA")),
        ('<c r="A1" t = "e" ><v>#REF!</v></c>', ("error", "#REF!")),
        ('<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', ("error", "#DIV/0!")),
        ('<c r="A1" t="e"><f>1/0</f></c>', ("formula_without_value", "1/0")),
        ('<c r="A1" t="e"/>', None),
        ('<c r="A1" t="e"><v></v></c>', None),
        ('<c r="A1" t="inlineStr"><f>"x"</f><is><t>x</t></is></c>', None),
        ('<c r="A1" t="inlineStr"><is><t>t="e"</t></is></c>', None),
        ('<c r="A1" t="s"><v>0</v></c>', None),
        (
            '<c r="A1"><f>A&amp;B&lt;C&#x41;&#66;</f></c>',
            ("formula_without_value", "A&B<CAB"),
        ),
        (
            '<c r="A1">\n  <f>\n  X1\n  </f>\n  <v/>\n</c>',
            ("formula_without_value", "X1"),
        ),
        (
            '<c r="A1"><f>IF(A2>B2,1,0)</f></c>',
            ("formula_without_value", "IF(A2>B2,1,0)"),
        ),
        ('<c r="A1" x="a>b/c" t="e"><v>#NULL!</v></c>', ("error", "#NULL!")),
        ("<c r=\"A1\" t='e'><extLst/></c>", None),
    ],
)
def test_cell_classification_fast_and_stream(cell: str, expected: tuple[str, str] | None) -> None:
    data = _worksheet(f'<row r="1">{cell}</row>').encode()
    want = [] if expected is None else [(1, 1, *expected)]
    assert cell_scan._scan_cells_fast(data, 100) == want
    assert cell_scan._scan_cells_stream(data, 100) == want
    assert _issues(scan_xlsx(_package({"S": data.decode()}))) == [("S", *w) for w in want]


def test_detail_truncated_to_200_chars() -> None:
    formula = "+".join(f"A{i}" for i in range(1, 200))
    assert len(formula) > 200
    sheet = _worksheet(f'<row r="1"><c r="A1"><f>{formula}</f></c></row>')
    (issue,) = scan_xlsx(_package({"S": sheet})).cell_issues
    assert issue.detail == formula[:200]


def test_comments_force_the_streaming_scan() -> None:
    rows = (
        '<row r="1"><c r="A1"><f>1</f></c></row><!-- <row r="9"><c r="Z9"><f>X</f></c></row> -->'
        '<row r="2"><c r="B2"><![CDATA[]]><f>2</f></c></row>'
    )
    data = _worksheet(rows).encode()
    with pytest.raises(cell_scan._Bail):
        cell_scan._scan_cells_fast(data, 100)
    assert _issues(scan_xlsx(_package({"S": data.decode()}))) == [
        ("S", 1, 1, "formula_without_value", "1"),
        ("S", 2, 2, "formula_without_value", "2"),
    ]


def test_formula_text_in_cdata() -> None:
    rows = '<row r="1"><c r="C1"><f><![CDATA[IF(A1<B1,1,2)]]></f></c></row>'
    assert _issues(scan_xlsx(_package({"S": _worksheet(rows)}))) == [
        ("S", 1, 3, "formula_without_value", "IF(A1<B1,1,2)")
    ]


def test_cells_out_of_schema_order_use_streaming_scan() -> None:
    rows = '<row r="4"><c r="D4"><v>7</v><f>A1</f></c><c r="E4"><v/><f>B1</f></c></row>'
    data = _worksheet(rows).encode()
    with pytest.raises(cell_scan._Bail):
        cell_scan._scan_cells_fast(data, 100)
    assert cell_scan._scan_cells_stream(data, 100) == [(4, 5, "formula_without_value", "B1")]


def test_cheap_check_skips_sheets_without_candidates() -> None:
    plain = _worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c></row>')
    assert not cell_scan._may_have_issues(plain.encode())
    assert cell_scan._may_have_issues(_worksheet("<row><c><f>1</f></c></row>").encode())
    assert cell_scan._may_have_issues(_worksheet("<row><c t='e'><v>#N/A</v></c></row>").encode())
    prefixed = _worksheet("<x:row><x:c><x:f>1</x:f></x:c></x:row>", prefix="x")
    assert cell_scan._may_have_issues(prefixed.encode())


def test_dtd_in_scanned_worksheet_refused() -> None:
    evil = (
        '<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY e "#N/A">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="e"><v>&e;</v></c>'
        "</row></sheetData></worksheet>"
    )
    data = _package({"Evil": evil, "Fine": _worksheet("")})
    with pytest.raises(XlsxScanError) as info:
        scan_xlsx(data)
    assert str(info.value) == MSG_DTD
    with pytest.raises(XlsxScanError, match="DTD"):
        scan_xlsx(data, ["Evil"], max_issues=0)  # checked even when nothing is collected
    # A worksheet that is not asked for is not read at all.
    assert scan_xlsx(data, ["Fine"]).cell_issues == ()


def test_dtd_in_workbook_and_utf16_part_refused() -> None:
    sheet = _worksheet("")
    wb_dtd = f'<!DOCTYPE x SYSTEM "http://example.com/x.dtd"><workbook xmlns="{MAIN_NS}"/>'
    with pytest.raises(XlsxScanError, match="DTD"):
        scan_xlsx(_package({"S": sheet}, extra={"xl/workbook.xml": wb_dtd}))
    utf16 = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "c">]>'
        f'<worksheet xmlns="{MAIN_NS}"/>'
    ).encode("utf-16")
    with pytest.raises(XlsxScanError, match="DTD"):
        scan_xlsx(_package({"S": sheet}, extra={"xl/worksheets/sheet1.xml": utf16}))


def test_other_encodings_are_converted() -> None:
    rows = '<row r="1"><c r="A1"><f>"整改"&amp;"完成"</f></c></row>'
    text = _worksheet(rows)
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    gbk = text.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    bom = b"\xef\xbb\xbf" + text.encode()
    for raw in (utf16, gbk, bom):
        data = _package({"S": "placeholder"}, extra={"xl/worksheets/sheet1.xml": raw})
        assert _issues(scan_xlsx(data)) == [("S", 1, 1, "formula_without_value", '"整改"&"完成"')]
    unknown = text.replace('encoding="UTF-8"', 'encoding="x-no-such-codec"').encode()
    data = _package({"S": "placeholder"}, extra={"xl/worksheets/sheet1.xml": unknown})
    with pytest.raises(XlsxScanError, match="编码"):
        scan_xlsx(data)


def test_part_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = _worksheet('<row r="1"><c r="A1"><v>1</v></c></row>' * 200)
    data = _package({"S": sheet})
    monkeypatch.setattr(package, "MAX_PART_BYTES", 1000)
    with pytest.raises(XlsxScanError, match="200 MB"):
        scan_xlsx(data)


def test_lying_zip_directory_is_an_error() -> None:
    sheet = _worksheet('<row r="1"><c r="A1"><f>1</f></c></row>' * 50)
    data = bytearray(_package({"S": sheet}))
    # Shrink the uncompressed size recorded in the central directory for the sheet.
    name = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[cd + 24 : cd + 28] = (100).to_bytes(4, "little")
    with pytest.raises(XlsxScanError):
        scan_xlsx(bytes(data))


def test_xml_errors_are_scan_errors() -> None:
    broken = _package({"S": _worksheet("")}, extra={"xl/workbook.xml": "<workbook><sheets>"})
    with pytest.raises(XlsxScanError, match="XML"):
        scan_xlsx(broken)
    bad_sheet = "<worksheet><sheetData><row><c><f>1</f></c><!-- --></row>"  # unclosed
    with pytest.raises(XlsxScanError):
        scan_xlsx(_package({"S": bad_sheet}))


# ---------------------------------------------------------------------------------------
# Property tests


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_raise_scan_error(data: bytes) -> None:
    try:
        result = scan_xlsx(data)
    except XlsxScanError:
        return
    assert isinstance(result, XlsxFacts)


@pytest.fixture(scope="module")
def sample_package() -> bytes:
    sheet = _worksheet(
        '<row r="1"><c r="A1"><f>1</f></c><c r="B1" t="e"><v>#N/A</v></c></row>'
        "<row><c><f>2</f><v/></c></row>"
    )
    return _package({"S": sheet, "T": _worksheet("")}, workbook_pr='<workbookPr date1904="1"/>')


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_packages_only_raise_scan_error(sample_package: bytes, data: st.DataObject) -> None:
    blob = bytearray(sample_package)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    with contextlib.suppress(XlsxScanError):
        scan_xlsx(bytes(blob))


_XMLISH = st.text(alphabet="<>/=\"'&;!?[]-: abcfvrtex1#", max_size=80)


@settings(max_examples=200, deadline=None)
@given(
    wb=st.one_of(
        _XMLISH,
        st.just(
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="S" r:id="rId1"/></sheets></workbook>'
        ),
    ),
    rels=_XMLISH,
    sheet=_XMLISH.map(lambda s: _worksheet(s)),
)
def test_garbage_parts_only_raise_scan_error(wb: str, rels: str, sheet: str) -> None:
    data = _zip_bytes(
        {
            "xl/workbook.xml": wb,
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{WS_TYPE}" Target="worksheets/sheet1.xml"/>'
            f"</Relationships>{rels}",
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    with contextlib.suppress(XlsxScanError):
        scan_xlsx(data)


@dataclass(frozen=True)
class _GenCell:
    ref: bool
    col_step: int
    cell_type: str | None
    formula: str | None
    value: str | None
    inline: bool


_FORMULAS = [None, "<f>A1+1</f>", "<f/>", '<f t="shared" si="0"/>', "<f> B2 </f>"]
_VALUES = [None, "<v/>", "<v></v>", "<v>1</v>", "<v>#N/A</v>", "<v> </v>"]
_TYPES = [None, "n", "str", "e", "s", "b"]

_gen_cell = st.builds(
    _GenCell,
    ref=st.booleans(),
    col_step=st.integers(1, 3),
    cell_type=st.sampled_from(_TYPES),
    formula=st.sampled_from(_FORMULAS),
    value=st.sampled_from(_VALUES),
    inline=st.booleans(),
)
_gen_rows = st.lists(
    st.tuples(st.booleans(), st.integers(1, 3), st.lists(_gen_cell, max_size=5)),
    max_size=8,
)


def _expected_issue(cell: _GenCell) -> tuple[str, str] | None:
    """Independent statement of the rules, written from the spec."""
    text = {"<f>A1+1</f>": "A1+1", "<f> B2 </f>": "B2"}.get(cell.formula or "", "")
    value = None
    if cell.value is not None:
        value = re.sub(r"</?v/?>", "", cell.value)
    has_value = cell.inline or (
        value is not None and (value.strip() != "" or cell.cell_type == "str")
    )
    if cell.formula is not None and not has_value:
        return "formula_without_value", text
    if cell.cell_type == "e" and value is not None and value.strip():
        return "error", value.strip()
    return None


@settings(max_examples=300, deadline=None)
@given(rows=_gen_rows, prefix=st.sampled_from(["", "x"]), ws=st.sampled_from(["", "\n  "]))
def test_fast_and_stream_scans_agree_with_the_rules(
    rows: list[tuple[bool, int, list[_GenCell]]], prefix: str, ws: str
) -> None:
    p = f"{prefix}:" if prefix else ""
    parts: list[str] = []
    expected: list[tuple[int, int, str, str]] = []
    all_refs = True
    row_no = 0
    for row_has_r, row_step, cells in rows:
        # Rows without r= are previous + 1; rows with r= may skip ahead.
        row_no = row_no + row_step if row_has_r else row_no + 1
        row_attr = f' r="{row_no}"' if row_has_r else ""
        parts.append(f"<{p}row{row_attr}>{ws}")
        col = 0
        for cell in cells:
            col = col + cell.col_step if cell.ref else col + 1
            all_refs = all_refs and cell.ref
            attrs = f' r="{get_column_letter(col)}{row_no}"' if cell.ref else ""
            if cell.cell_type is not None:
                attrs += f' t="{cell.cell_type}"'
            body = ""
            if cell.formula is not None:
                body += cell.formula.replace("<f", f"<{p}f").replace("</f", f"</{p}f") + ws
            if cell.value is not None:
                body += cell.value.replace("<v", f"<{p}v").replace("</v", f"</{p}v") + ws
            if cell.inline:
                body += f"<{p}is><{p}t>x</{p}t></{p}is>"
            parts.append(f"<{p}c{attrs}>{ws}{body}</{p}c>{ws}")
            verdict = _expected_issue(cell)
            if verdict is not None:
                expected.append((row_no, col, *verdict))
        parts.append(f"</{p}row>{ws}")
    data = _worksheet("".join(parts), prefix=prefix).encode()
    expected.sort()

    assert cell_scan._scan_cells_stream(data, 10_000) == expected
    try:
        fast = sorted(cell_scan._scan_cells_fast(data, 10_000))
    except cell_scan._Bail:
        assert not all_refs, "the regex scan gave up although every cell has r="
    else:
        assert fast == expected
    assert cell_scan.scan_sheet_cells(data, 10_000) == expected


# ---------------------------------------------------------------------------------------
# 100,000 rows x 4 columns, written with openpyxl (write_only)


def _big_workbook(path: Path, formulas: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["地区", "整改任务", "已完成", "总数"])
    every = 100_000 // formulas if formulas else 0
    for i in range(2, 100_002):
        row: list[object] = [f"区县{i % 97}", f"整改任务{i}", i % 13, 20]
        if every and i % every == 0:
            row[3] = f"=C{i}*2"
        ws.append(row)
    wb.save(path)


@pytest.fixture(scope="module")
def big_workbooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("big")
    plain, with_formulas = folder / "plain.xlsx", folder / "formulas.xlsx"
    _big_workbook(plain, 0)
    _big_workbook(with_formulas, 100)
    return plain, with_formulas


def test_scan_100k_rows(big_workbooks: tuple[Path, Path]) -> None:
    """What the scan finds in 100,000 rows; its speed is measured in scripts/bench.py."""
    plain, with_formulas = big_workbooks
    plain_facts = scan_xlsx(plain)
    formula_facts = scan_xlsx(with_formulas)
    assert plain_facts.cell_issues == ()
    assert len(formula_facts.cell_issues) == 100
    assert formula_facts.cell_issues[0] == CellIssue(
        "台账", 1000, 4, "formula_without_value", "C1000*2"
    )
    assert formula_facts.cell_issues[-1].row == 100_000
    assert formula_facts.sheets == (SheetInfo("台账", "xl/worksheets/sheet1.xml", "visible"),)
