"""Hostile and odd files for intake tests, generated in memory."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tests.builders import write_valid

REAL = Path(__file__).parent / "data" / "real"


def valid_bytes(tmp_path: Path) -> bytes:
    return write_valid(tmp_path / "valid.xlsx").read_bytes()


def rezip(
    source: bytes,
    *,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """A copy of the package with entries added, dropped or replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def raw_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip with exactly these entries (duplicates and odd names allowed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def sheet_part(source: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        return next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))


def with_dimension(source: bytes, ref: str) -> bytes:
    """The first worksheet claiming ``ref`` (e.g. "A1:XFD1048576") as its dimension."""
    name = sheet_part(source)
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        xml = zf.read(name)
    start = xml.index(b"<sheetData")
    patched = xml[:start] + f'<dimension ref="{ref}"/>'.encode() + xml[start:]
    if b"<dimension" in xml:
        head, _, rest = xml.partition(b"<dimension")
        patched = head + f'<dimension ref="{ref}"'.encode() + rest[rest.index(b"/>") :]
    return rezip(source, replace={name: patched})


def with_far_cell(source: bytes) -> bytes:
    """The first worksheet with one more cell, at XFD1048576 (the grid's last cell)."""
    name = sheet_part(source)
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        xml = zf.read(name)
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return rezip(source, replace={name: xml.replace(b"</sheetData>", far + b"</sheetData>")})


def replace_text(xml: bytes, old: str, new: bytes) -> bytes:
    """``xml`` with the first occurrence of the text ``old`` replaced by raw ``new`` bytes.

    openpyxl writes non-ASCII text as UTF-8, or as character references (``&#19968;``)
    when lxml is installed; both spellings are looked for."""
    references = "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in old).encode()
    for spelling in (old.encode(), references):
        if spelling in xml:
            return xml.replace(spelling, new, 1)
    raise AssertionError(f"{old!r} not found in the worksheet XML")


def declared_size_lie(data: bytes, name: str, size: int) -> bytes:
    """Make the zip directory lie about ``name``'s uncompressed size."""
    patched = bytearray(data)
    encoded = name.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            if patched[start + name_offset : start + name_offset + len(encoded)] == encoded:
                struct.pack_into("<I", patched, start + size_offset, size)
            start += 4
    return bytes(patched)


def strict_open_xml(valid: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(valid)) as zf:
        workbook = zf.read("xl/workbook.xml")
    strict = workbook.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    )
    return rezip(valid, replace={"xl/workbook.xml": strict})


class Hostile(NamedTuple):
    name: str
    data: bytes
    accepted: bool  # a correct acceptance (True) or a clear refusal (False)


def catalogue(tmp_path: Path) -> list[Hostile]:
    """Every hostile or odd file of the intake brief, each with its right outcome."""
    valid = valid_bytes(tmp_path)
    first_sheet = sheet_part(valid)
    with zipfile.ZipFile(io.BytesIO(valid)) as zf:
        sheet = zf.read(first_sheet)
    rng = random.Random(7)
    long_text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(1_000_000))
    million_rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1_000_001)
    )
    entity = "x" * 50_000
    quadratic = (
        f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "{entity}">]><sst>'
        + "&a;" * 50_000
        + "</sst>"
    ).encode()
    xxe = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s>&x;</s>'
    crc = bytearray(valid)
    offset = crc.index(first_sheet.encode()) + len(first_sheet) + 20
    crc[offset] ^= 0xFF
    lie_name = "xl/media/lie.xml"

    def tweaked(name: str, tweak: Callable[[Workbook], None]) -> bytes:
        return write_valid(tmp_path / f"{name}.xlsx", tweak=tweak).read_bytes()

    def formula(wb: Workbook) -> None:
        wb["数据"]["C3"] = "=1+1"

    def error_cell(wb: Workbook) -> None:
        wb["数据"]["C2"] = "#DIV/0!"

    def mac_1904(wb: Workbook) -> None:
        wb.epoch = CALENDAR_MAC_1904

    return [
        Hostile("zip bomb by ratio", rezip(valid, add={"xl/media/p.xml": b" " * 5_000_000}), False),
        Hostile(
            "zip bomb behind a declared-size lie",
            declared_size_lie(rezip(valid, add={lie_name: b" " * 30_000_000}), lie_name, 100),
            False,
        ),
        Hostile("billion laughs", (REAL / "poi__54764.xlsx").read_bytes(), False),
        Hostile("quadratic blow-up", rezip(valid, add={"xl/sharedStrings.xml": quadratic}), False),
        Hostile("external entity", rezip(valid, add={"xl/sharedStrings.xml": xxe}), False),
        Hostile("sheet claiming the whole grid", with_dimension(valid, "A1:XFD1048576"), False),
        Hostile("16,384 columns", with_dimension(valid, "A1:XFD3"), False),
        Hostile("a cell at XFD1048576", with_far_cell(valid), False),
        Hostile(
            "a million real rows",
            rezip(valid, add={"xl/worksheets/sheet9.xml": b"<sheetData>" + million_rows}),
            False,
        ),
        Hostile(
            "2,000 sheets",
            rezip(
                valid, add={f"xl/worksheets/sheet{i}.xml": b"<worksheet/>" for i in range(9, 2009)}
            ),
            False,
        ),
        Hostile(
            "a million-character cell",
            rezip(
                valid,
                replace={first_sheet: replace_text(sheet, "一是……", long_text.encode())},
            ),
            False,
        ),
        Hostile("truncated zip", valid[: len(valid) // 2], False),
        Hostile("CRC-corrupted zip", bytes(crc), False),
        Hostile("duplicate entry names", raw_zip([("xl/workbook.xml", b"<w/>")] * 2), False),
        Hostile(
            "path traversal", raw_zip([("xl/workbook.xml", b"<w/>"), ("../x.xml", b"x")]), False
        ),
        Hostile("renamed PNG", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, False),
        Hostile("renamed CSV", "编号,任务\n1,回迁\n".encode("gb18030"), False),
        Hostile(
            "renamed HTML", b"<html><body><table><tr><td>1</td></tr></table></body></html>", False
        ),
        Hostile("encrypted workbook", (REAL / "calamine__pass_protected.xlsx").read_bytes(), False),
        Hostile("macro workbook", rezip(valid, add={"xl/vbaProject.bin": b"\0" * 64}), False),
        Hostile("formula without a saved value", tweaked("formula", formula), False),
        Hostile("Excel error cell", tweaked("error", error_cell), False),
        Hostile("Strict Open XML", strict_open_xml(valid), False),
        # Control characters are kept as text by the reader: accepted.
        Hostile(
            "invalid XML characters",
            rezip(valid, replace={first_sheet: replace_text(sheet, "一是……", b"\x01\x0b")}),
            True,
        ),
        Hostile("1904 dates", tweaked("mac", mac_1904), True),
    ]
