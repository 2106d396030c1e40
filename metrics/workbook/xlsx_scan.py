"""Facts about an .xlsx package that python-calamine does not report.

python-calamine silently turns two kinds of cells into empty strings:

* Excel error values (``<c t="e"><v>#DIV/0!</v></c>``), and
* formula cells without a saved result (``<f>`` with no ``<v>``, or an empty ``<v/>``),
  typical of files written by scripts and never recalculated.

It also hides the workbook date system (``date1904``) and sheet visibility. This module
reads the zip package directly to find those facts so the dashboard can tell staff exactly
which cells (sheet, row, column) need attention.

Design notes
------------
* Every part is read in chunks with a hard limit on the decompressed size; the sizes
  declared in the zip directory are not trusted.
* Every XML part that is read is byte-checked for ``<!DOCTYPE`` / ``<!ENTITY`` before any
  parsing, and the few parses done with a real parser use defusedxml.
* Worksheets are first checked with a cheap byte search; only sheets that may contain a
  formula or an error value are scanned. The scan is a regex pass that only looks at the
  candidate cells; when a candidate cell lacks an ``r=`` reference, or the part contains
  comments / CDATA / processing instructions, the sheet is re-scanned with a streaming
  (defusedxml) parser that counts rows and columns the way openpyxl does.
"""

from __future__ import annotations

import codecs
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, TypeAlias
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as _defused_et  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException

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

IssueKind: TypeAlias = Literal["error", "formula_without_value"]
SheetState: TypeAlias = Literal["visible", "hidden", "veryHidden"]

# Hard limits (bytes of decompressed data).
MAX_PART_BYTES: Final = 200 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 1024 * 1024 * 1024
DETAIL_MAX_CHARS: Final = 200

_CHUNK_BYTES: Final = 1024 * 1024
_MAX_ROW: Final = 1_048_576
_MAX_COL: Final = 16_384
_CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_DEFAULT_WORKBOOK: Final = "xl/workbook.xml"

# User-facing messages (Chinese, shown to staff as is).
MSG_NOT_XLSX: Final = "文件不是有效的 .xlsx（Excel 2007 及以上）工作簿"
MSG_EMPTY: Final = "文件是空的（0 字节），不是有效的 .xlsx 工作簿"
MSG_CFB: Final = (
    "文件不是 .xlsx 压缩包，而是 OLE2 复合文档：可能是设置了打开密码的工作簿，"
    "或是改了扩展名的旧版 .xls 文件。请去除密码或在 Excel 中另存为 .xlsx 后重新上传"
)
MSG_CORRUPT: Final = "文件已损坏，无法作为 .xlsx 工作簿读取"
MSG_NO_WORKBOOK: Final = "文件中找不到工作簿主体（xl/workbook.xml），不是有效的 .xlsx 工作簿"
MSG_DTD: Final = "文件包含 DTD/实体声明，出于安全原因拒绝读取"
MSG_TOO_LARGE: Final = "文件中的部件“{part}”解压后超过 200 MB，出于安全原因拒绝读取"
MSG_TOTAL_TOO_LARGE: Final = "文件解压后的总大小超过 1 GB，出于安全原因拒绝读取"
MSG_BAD_XML: Final = "文件中的部件“{part}”不是格式正确的 XML，文件可能已损坏"
MSG_BAD_ENCODING: Final = "文件中的部件“{part}”使用了无法识别的字符编码，文件可能已损坏"
MSG_ENCRYPTED_MEMBER: Final = "文件中的部件“{part}”被加密，无法读取"
MSG_UNSUPPORTED_COMPRESSION: Final = "文件中的部件“{part}”使用了不支持的压缩方式"
MSG_NO_SHEET_REL: Final = "工作簿中工作表“{sheet}”的关系记录缺失，文件可能已损坏"
MSG_NO_SHEET_PART: Final = "找不到工作表“{sheet}”的数据部件（{part}），文件可能已损坏"
MSG_SHEET_NO_NAME: Final = "工作簿中有一个工作表没有名称，文件可能已损坏"
MSG_CANNOT_OPEN: Final = "无法打开文件：{path}"


class XlsxScanError(ValueError):
    """The package cannot be understood; the message is Chinese and meant for staff."""


@dataclass(frozen=True, slots=True)
class CellIssue:
    """A cell whose value python-calamine would silently report as an empty string."""

    sheet: str
    row: int
    column: int
    kind: IssueKind
    detail: str


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """A worksheet as listed in the workbook."""

    name: str
    part: str
    state: SheetState


@dataclass(frozen=True, slots=True)
class XlsxFacts:
    """Workbook-level facts plus the cell issues of the scanned sheets."""

    date1904: bool
    sheets: tuple[SheetInfo, ...]
    cell_issues: tuple[CellIssue, ...]


def column_letter(index: int) -> str:
    """Return the Excel column letters for a 1-based column index (1 -> "A", 27 -> "AA")."""
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError("column index must be an int")
    if not 1 <= index <= _MAX_COL:
        raise ValueError(f"column index must be between 1 and {_MAX_COL}, got {index}")
    letters: list[str] = []
    while index:
        index, rem = divmod(index - 1, 26)
        letters.append(chr(ord("A") + rem))
    return "".join(reversed(letters))


# Exceptions that bad input can raise from zipfile / zlib / expat / codecs. They are all
# turned into XlsxScanError at the public boundary.
_INPUT_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,  # includes UnicodeError and DefusedXmlException
    LookupError,  # includes KeyError and IndexError
    RuntimeError,  # includes NotImplementedError (unsupported compression)
    OverflowError,
    ParseError,
)


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
        with _open_zip(source) as zf:
            return _scan_package(_Package(zf), sheets, max_issues)
    except XlsxScanError:
        raise
    except _INPUT_ERRORS as exc:
        raise XlsxScanError(MSG_CORRUPT) from exc


# ---------------------------------------------------------------------------------------
# Zip package access


def _open_zip(source: str | os.PathLike[str] | bytes) -> zipfile.ZipFile:
    target: str | io.BytesIO
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        head = data[:8]
        target = io.BytesIO(data)
    else:
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise XlsxScanError(MSG_CANNOT_OPEN.format(path=path)) from exc
        target = path
    if not head:
        raise XlsxScanError(MSG_EMPTY)
    if head == _CFB_MAGIC:
        raise XlsxScanError(MSG_CFB)
    try:
        return zipfile.ZipFile(target)
    except _INPUT_ERRORS as exc:
        raise XlsxScanError(MSG_NOT_XLSX) from exc


def _clean_name(name: str) -> str:
    """Normalise a zip member or part name: forward slashes, no leading slash, "." and
    ".." segments folded. Case is kept; lookups fall back to a case-insensitive match.
    """
    name = name.replace("\\", "/").lstrip("/")
    return posixpath.normpath(name) if name else ""


class _Package:
    """Size-limited view of the zip members with OPC-style (case-insensitive) lookup."""

    __slots__ = ("_budget", "_exact", "_folded", "_zf", "read_names")

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self._zf = zf
        self._exact: dict[str, zipfile.ZipInfo] = {}
        self._folded: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            if info.filename.endswith(("/", "\\")):
                continue  # directory entry
            name = _clean_name(info.filename)
            if name:
                self._exact[name] = info  # later duplicates win, like zipfile itself
                self._folded.setdefault(name.lower(), info)
        self._budget = MAX_TOTAL_BYTES
        self.read_names: set[str] = set()

    def find(self, part: str) -> zipfile.ZipInfo | None:
        """The member for a part name: exact match first, then case-insensitive."""
        candidates = (part, unquote(part)) if "%" in part else (part,)
        for candidate in candidates:
            name = _clean_name(candidate)
            info = self._exact.get(name) or self._folded.get(name.lower())
            if info is not None:
                return info
        return None

    def members(self) -> list[zipfile.ZipInfo]:
        return list(self._exact.values())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        self.read_names.add(name)
        if info.file_size > MAX_PART_BYTES:
            raise XlsxScanError(MSG_TOO_LARGE.format(part=name))
        chunks: list[bytes] = []
        total = 0
        try:
            with self._zf.open(info) as fh:
                while chunk := fh.read(_CHUNK_BYTES):
                    total += len(chunk)
                    if total > MAX_PART_BYTES:
                        raise XlsxScanError(MSG_TOO_LARGE.format(part=name))
                    self._budget -= len(chunk)
                    if self._budget < 0:
                        raise XlsxScanError(MSG_TOTAL_TOO_LARGE)
                    chunks.append(chunk)
        except NotImplementedError as exc:
            raise XlsxScanError(MSG_UNSUPPORTED_COMPRESSION.format(part=name)) from exc
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise XlsxScanError(MSG_ENCRYPTED_MEMBER.format(part=name)) from exc
        return b"".join(chunks)

    def read_xml(self, info: zipfile.ZipInfo) -> bytes:
        """Read a part, convert it to UTF-8 and refuse DTD / entity declarations."""
        data = _to_utf8(self.read(info), info.filename)
        if _DTD_RE.search(data) is not None:
            raise XlsxScanError(MSG_DTD)
        return data


_DTD_RE: Final = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_XML_DECL_ENCODING_RE: Final = re.compile(
    rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']"""
)
_XML_DECL_TEXT_RE: Final = re.compile(r"^\s*<\?xml[^>]*\?>")


def _to_utf8(data: bytes, part: str) -> bytes:
    """Return the XML bytes as UTF-8 without a BOM (the common case costs nothing)."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :]
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        elif data.startswith(b"<\x00?\x00"):
            text = data.decode("utf-16-le")
        elif data.startswith(b"\x00<\x00?"):
            text = data.decode("utf-16-be")
        else:
            match = _XML_DECL_ENCODING_RE.match(data)
            if match is None:
                return data
            codec = codecs.lookup(match.group(1).decode("ascii")).name
            if codec in ("utf-8", "ascii"):
                return data
            text = data.decode(codec)
    except (LookupError, UnicodeError, ValueError) as exc:
        raise XlsxScanError(MSG_BAD_ENCODING.format(part=part)) from exc
    # The declaration would now lie about the encoding; without one, XML means UTF-8.
    return _XML_DECL_TEXT_RE.sub("", text, count=1).encode("utf-8")


def _parse_small_xml(pkg: _Package, info: zipfile.ZipInfo) -> Element:
    """Parse a small part (relationships, workbook) with defusedxml."""
    data = pkg.read_xml(info)
    try:
        root: Element = _defused_et.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise XlsxScanError(MSG_BAD_XML.format(part=info.filename)) from exc
    return root


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# ---------------------------------------------------------------------------------------
# Relationships and workbook


@dataclass(frozen=True, slots=True)
class _Rel:
    type: str
    target: str  # resolved part name ("xl/worksheets/sheet1.xml")


def _rels_part_for(part: str) -> str:
    directory, _, base = part.replace("\\", "/").rpartition("/")
    return f"{directory}/_rels/{base}.rels" if directory else f"_rels/{base}.rels"


def _resolve_target(source_part: str, target: str) -> str:
    target = target.strip().replace("\\", "/")
    if target.startswith("/"):
        path = target.lstrip("/")
    else:
        base_dir = posixpath.dirname(source_part.replace("\\", "/"))
        path = posixpath.join(base_dir, target)
    path = posixpath.normpath(path) if path else path
    while path.startswith("../"):
        path = path[3:]  # cannot climb above the package root
    return path


def _read_rels(pkg: _Package, source_part: str) -> dict[str, _Rel] | None:
    """Relationships of ``source_part`` by Id, or None if it has no relationships part."""
    info = pkg.find(_rels_part_for(source_part))
    if info is None:
        return None
    rels: dict[str, _Rel] = {}
    for el in _parse_small_xml(pkg, info).iter():
        if _local(el.tag) != "Relationship":
            continue
        rel_id = el.get("Id")
        target = el.get("Target")
        if rel_id is None or target is None:
            continue
        if (el.get("TargetMode") or "").strip().lower() == "external":
            continue
        rels[rel_id] = _Rel(type=el.get("Type") or "", target=_resolve_target(source_part, target))
    return rels


def _find_workbook(pkg: _Package) -> zipfile.ZipInfo:
    package_rels = _read_rels(pkg, "")  # "_rels/.rels"
    if package_rels:
        for rel in package_rels.values():
            if rel.type.endswith("/officeDocument"):
                info = pkg.find(rel.target)
                if info is not None:
                    return info
    info = pkg.find(_DEFAULT_WORKBOOK)
    if info is None:
        raise XlsxScanError(MSG_NO_WORKBOOK)
    return info


def _xsd_bool(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true")


def _sheet_state(value: str | None) -> SheetState:
    state = (value or "").strip().lower()
    if state == "hidden":
        return "hidden"
    if state == "veryhidden":
        return "veryHidden"
    return "visible"


def _relationship_id(el: Element) -> str | None:
    """The r:id of a <sheet>, whatever prefix the relationships namespace is bound to."""
    fallback: str | None = None
    for key, value in el.attrib.items():
        if not key.startswith("{") or _local(key) != "id":
            continue
        if key[1:].partition("}")[0].endswith("/relationships"):
            return value
        fallback = value
    return fallback


@dataclass(frozen=True, slots=True)
class _Workbook:
    date1904: bool
    sheets: tuple[SheetInfo, ...]


def _read_workbook(pkg: _Package, wb_info: zipfile.ZipInfo) -> _Workbook:
    root = _parse_small_xml(pkg, wb_info)
    wb_part = wb_info.filename.replace("\\", "/")
    rels = _read_rels(pkg, wb_part) or {}
    date1904 = False
    seen_pr = False
    sheet_els: list[Element] = []
    for child in root:
        local = _local(child.tag)
        if local == "workbookPr" and not seen_pr:
            seen_pr = True
            date1904 = _xsd_bool(child.get("date1904"))
        elif local == "sheets":
            sheet_els.extend(el for el in child if _local(el.tag) == "sheet")
    infos: list[SheetInfo] = []
    for el in sheet_els:
        name = el.get("name")
        if name is None:
            raise XlsxScanError(MSG_SHEET_NO_NAME)
        rel_id = _relationship_id(el)
        rel = rels.get(rel_id) if rel_id is not None else None
        if rel is None:
            raise XlsxScanError(MSG_NO_SHEET_REL.format(sheet=name))
        if not rel.type.endswith("/worksheet"):
            continue  # chartsheet, dialogsheet, macrosheet
        info = pkg.find(rel.target)
        part = info.filename if info is not None else rel.target
        infos.append(SheetInfo(name=name, part=part, state=_sheet_state(el.get("state"))))
    return _Workbook(date1904=date1904, sheets=tuple(infos))


def _scan_package(pkg: _Package, sheets: Collection[str] | None, max_issues: int) -> XlsxFacts:
    wb_info = _find_workbook(pkg)
    workbook = _read_workbook(pkg, wb_info)

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
            found = _scan_sheet_cells(data, remaining)
        except (ParseError, DefusedXmlException) as exc:
            raise XlsxScanError(MSG_BAD_XML.format(part=info.filename)) from exc
        issues.extend(
            CellIssue(sheet=sheet.name, row=row, column=col, kind=kind, detail=detail)
            for row, col, kind, detail in found
        )
    return XlsxFacts(date1904=workbook.date1904, sheets=workbook.sheets, cell_issues=tuple(issues))


# ---------------------------------------------------------------------------------------
# Cell scanning

_Found: TypeAlias = tuple[int, int, IssueKind, str]  # row, column, kind, detail

# XML building blocks for the byte regexes. Prefixes are matched loosely: any name.
_PFX: Final = rb"""(?:[^\s<>/:="'!?]+:)?"""
# Attributes of a start tag; outside quoted values "/" can only start the "/>" ending.
_ATTRS: Final = rb"""(?:[^>"'/]|"[^"]*"|'[^']*')*"""

# Cheap checks: a formula element start, or the quoted value "e" (of a t= attribute).
_F_PLAIN_RE: Final = re.compile(rb"<f[\s/>]")
_F_PREFIXED_RE: Final = re.compile(rb":f[\s/>]")
_T_EQ_TAIL_RE: Final = re.compile(rb"\st\s*=\s*\Z")
_E_VALUES: Final = (b'"e"', b"'e'")

_SHEETDATA_RE: Final = re.compile(rb"<" + _PFX + rb"sheetData[\s/>]")
_CELL_START_RE: Final = re.compile(
    rb"<" + _PFX + rb"c(?P<attrs>\s" + _ATTRS + rb")?(?P<close>/?)>", re.DOTALL
)
_ATTR_RE: Final = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")

# A formula element followed by nothing, or by an empty <v>, up to the end of its cell.
_FWV_TAIL: Final = (
    rb"(?:\s" + _ATTRS + rb")?(?:/>|>[^<]*</" + _PFX + rb"f\s*>)\s*"
    rb"(?:<" + _PFX + rb"v(?:\s" + _ATTRS + rb")?(?:/>|>\s*</" + _PFX + rb"v\s*>)\s*)?"
    rb"(?:<" + _PFX + rb"extLst(?:\s" + _ATTRS + rb")?(?:/>|>.*?</" + _PFX + rb"extLst\s*>)\s*)?"
    rb"</" + _PFX + rb"c\s*>"
)
_FWV_PLAIN_RE: Final = re.compile(rb"<f" + _FWV_TAIL, re.DOTALL)
_FWV_ANY_RE: Final = re.compile(rb"<" + _PFX + rb"f" + _FWV_TAIL, re.DOTALL)

# The content of a cell in schema order: f?, v?, is?, extLst?, then the end tag.
_CELL_BODY_RE: Final = re.compile(
    rb"\s*(?P<f><" + _PFX + rb"f(?:\s" + _ATTRS + rb")?"
    rb"(?:/>|>(?P<ftext>[^<]*)</" + _PFX + rb"f\s*>))?"
    rb"\s*(?P<v><" + _PFX + rb"v(?:\s" + _ATTRS + rb")?"
    rb"(?:/>|>(?P<vtext>[^<]*)</" + _PFX + rb"v\s*>))?"
    rb"\s*(?P<is><" + _PFX + rb"is(?:\s" + _ATTRS + rb")?(?:/>|>.*?</" + _PFX + rb"is\s*>))?"
    rb"\s*(?:<" + _PFX + rb"extLst(?:\s" + _ATTRS + rb")?(?:/>|>.*?</" + _PFX + rb"extLst\s*>))?"
    rb"\s*</" + _PFX + rb"c\s*>",
    re.DOTALL,
)
_REF_RE: Final = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_ENTITY_RE: Final = re.compile(r"&(#[xX][0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED_ENTITIES: Final = MappingProxyType(
    {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
)


class _Bail(Exception):
    """The regex scan cannot be trusted for this part; use the streaming parser."""


class _StopScan(Exception):
    """Enough issues were collected; abort the streaming parse."""


def _may_have_issues(data: bytes) -> bool:
    """Cheap byte check: a formula element start or a t="e" attribute somewhere."""
    if _F_PLAIN_RE.search(data) is not None or _F_PREFIXED_RE.search(data) is not None:
        return True
    return next(_error_hits(data, 0), None) is not None


def _error_hits(data: bytes, start: int) -> Iterator[int]:
    """Offsets of quoted "e" values that follow ``t=`` (possible error cells)."""
    for needle in _E_VALUES:
        pos = data.find(needle, start)
        while pos != -1:
            if _T_EQ_TAIL_RE.search(data, max(start, pos - 256), pos) is not None:
                yield pos
            pos = data.find(needle, pos + 1)


def _scan_sheet_cells(data: bytes, limit: int) -> list[_Found]:
    """Issues of one worksheet part (UTF-8 bytes), sorted by row then column."""
    if limit <= 0 or not _may_have_issues(data):
        return []
    try:
        found = _scan_cells_fast(data, limit)
    except _Bail:
        found = _scan_cells_stream(data, limit)
    found.sort()
    return found[:limit]


def _xml_text(raw: bytes) -> str:
    """Decode character data the way an XML parser would (newlines, entities)."""
    text = raw.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY_RE.sub(_replace_entity, text)
    return text


def _replace_entity(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref[0] != "#":
        return _NAMED_ENTITIES[ref]
    code = int(ref[1:].lstrip("xX"), 16) if ref[1] in "xX" else int(ref[1:])
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return match.group(0)


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """("B7") -> (7, 2); None when the reference is not a valid cell address."""
    match = _REF_RE.fullmatch(ref.strip())
    if match is None:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + (ord(ch) - ord("A") + 1)
    row = int(match.group(2))
    if not (1 <= row <= _MAX_ROW and 1 <= col <= _MAX_COL):
        return None
    return row, col


def _classify(
    cell_type: str,
    formula: str | None,
    value: str | None,
    has_inline_string: bool,
) -> tuple[IssueKind, str] | None:
    """Decide whether a cell is an issue.

    ``formula`` / ``value`` are the texts of <f> / <v>, or None when the element is absent.
    An empty <v/> only counts as a saved value for string formulas (t="str"), whose
    result may legitimately be the empty string.
    """
    has_value = has_inline_string or (
        value is not None and (value.strip() != "" or cell_type == "str")
    )
    if formula is not None and not has_value:
        return "formula_without_value", formula.strip()[:DETAIL_MAX_CHARS]
    if cell_type == "e" and value is not None and value.strip():
        return "error", value.strip()[:DETAIL_MAX_CHARS]
    return None


def _cell_issue_at(data: bytes, start_tag: re.Match[bytes]) -> _Found | None:
    """Classify the cell whose start tag is ``start_tag``; raises _Bail when unsure."""
    attrs: dict[bytes, bytes] = {}
    for m in _ATTR_RE.finditer(start_tag.group("attrs") or b""):
        attrs.setdefault(m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
    ref = attrs.get(b"r")
    position = _parse_ref(_xml_text(ref)) if ref is not None else None
    if position is None:
        raise _Bail  # row/column must be counted
    if start_tag.group("close"):
        return None  # <c .../> has neither formula nor value
    body = _CELL_BODY_RE.match(data, start_tag.end())
    if body is None:
        raise _Bail  # unexpected content or order
    cell_type = _xml_text(attrs.get(b"t", b"n")).strip()
    formula = _xml_text(body.group("ftext") or b"") if body.group("f") else None
    value = _xml_text(body.group("vtext") or b"") if body.group("v") else None
    verdict = _classify(cell_type, formula, value, body.group("is") is not None)
    if verdict is None:
        return None
    return position[0], position[1], verdict[0], verdict[1]


def _scan_cells_fast(data: bytes, limit: int) -> list[_Found]:
    """Regex scan that only looks at candidate cells. Raises _Bail when unsure."""
    sheet_data = _SHEETDATA_RE.search(data)
    if sheet_data is None:
        return []  # no cells at all
    start = sheet_data.start()
    # Comments, CDATA sections and processing instructions could hide or fake markup.
    if data.find(b"<!") != -1 or data.find(b"<?", 1) != -1:
        raise _Bail
    by_cell: dict[int, _Found] = {}

    fwv_re = _FWV_ANY_RE if _F_PREFIXED_RE.search(data, start) is not None else _FWV_PLAIN_RE
    count = 0
    for match in fwv_re.finditer(data, start):
        lt = data.rfind(b"<", start, match.start())
        start_tag = _CELL_START_RE.match(data, lt) if lt != -1 else None
        if (
            start_tag is None
            or start_tag.group("close")
            or data[start_tag.end() : match.start()].strip()
        ):
            raise _Bail  # a formula that is not the first child of a cell
        if lt in by_cell:
            continue
        found = _cell_issue_at(data, start_tag)
        if found is not None:
            by_cell[lt] = found
            count += 1
            if count >= limit:
                break

    count = 0
    for pos in _error_hits(data, start):
        lt = data.rfind(b"<", start, pos)
        start_tag = _CELL_START_RE.match(data, lt) if lt != -1 else None
        if start_tag is None or start_tag.end() <= pos or lt in by_cell:
            continue  # not an attribute of a cell start tag, or already known
        found = _cell_issue_at(data, start_tag)
        if found is not None:
            by_cell[lt] = found
            count += 1
            if count >= limit:
                break
    return list(by_cell.values())


class _CellState:
    __slots__ = ("col", "formula", "inline", "row", "type", "value")

    def __init__(self, row: int, col: int, cell_type: str) -> None:
        self.row = row
        self.col = col
        self.type = cell_type
        self.formula: list[str] | None = None
        self.value: list[str] | None = None
        self.inline = False


class _SheetTarget:
    """ElementTree parser target that counts rows/columns like openpyxl does.

    A row without r= is the previous row + 1; a cell without r= is the previous cell's
    column + 1 (starting at 1 in each row).
    """

    def __init__(self, limit: int) -> None:
        self.found: list[_Found] = []
        self._limit = limit
        self._stack: list[str] = []
        self._row = 0
        self._col = 0
        self._cell: _CellState | None = None
        self._cell_depth = 0
        self._text: list[str] | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = _local(tag)
        parent = self._stack[-1] if self._stack else ""
        self._stack.append(local)
        if self._cell is not None:
            if len(self._stack) == self._cell_depth + 1:
                if local == "f":
                    self._cell.formula = self._text = []
                elif local == "v":
                    self._cell.value = self._text = []
                elif local == "is":
                    self._cell.inline = True
            return
        if local == "row" and parent == "sheetData":
            self._row = _row_number(attrib.get("r"), self._row)
            self._col = 0
        elif local == "c" and parent == "row" and self._stack[-3:-2] == ["sheetData"]:
            ref = attrib.get("r")
            position = _parse_ref(ref) if ref is not None else None
            if position is None:
                self._col += 1
                position = (self._row, self._col)
            else:
                self._col = position[1]
            cell_type = (attrib.get("t") or "n").strip()
            self._cell = _CellState(position[0], position[1], cell_type)
            self._cell_depth = len(self._stack)

    def end(self, tag: str) -> None:
        depth = len(self._stack)
        self._stack.pop()
        cell = self._cell
        if cell is None:
            return
        if depth == self._cell_depth + 1:
            self._text = None
        elif depth == self._cell_depth:
            self._cell = None
            formula = "".join(cell.formula) if cell.formula is not None else None
            value = "".join(cell.value) if cell.value is not None else None
            verdict = _classify(cell.type, formula, value, cell.inline)
            if verdict is not None:
                self.found.append((cell.row, cell.col, verdict[0], verdict[1]))
                if len(self.found) >= self._limit:
                    raise _StopScan

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def close(self) -> None:
        return None


def _row_number(value: str | None, previous: int) -> int:
    if value is not None:
        text = value.strip()
        if text.isascii() and text.isdecimal() and 1 <= int(text) <= _MAX_ROW:
            return int(text)
    return previous + 1


def _scan_cells_stream(data: bytes, limit: int) -> list[_Found]:
    """Streaming parse with defusedxml (slower, but exact for any well-formed part)."""
    target = _SheetTarget(limit)
    parser = _defused_et.DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    view = memoryview(data)
    try:
        for offset in range(0, len(data), _CHUNK_BYTES):
            parser.feed(bytes(view[offset : offset + _CHUNK_BYTES]))
        parser.close()
    except _StopScan:
        pass
    return target.found
