"""Hostile and odd files for intake tests, generated in memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.builders import write_valid


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
