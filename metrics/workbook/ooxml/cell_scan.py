"""The cell scan of one worksheet part: Excel error values and formulas without a saved
result, by row and column.

Worksheets are first checked with a cheap byte search; only sheets that may contain a
formula or an error value are scanned. The scan is a regex pass that only looks at the
candidate cells; when a candidate cell lacks an ``r=`` reference, or the part contains
comments / CDATA / processing instructions, the sheet is re-scanned with a streaming
(defusedxml) parser that counts rows and columns the way openpyxl does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import MappingProxyType
from typing import Final, TypeAlias

import defusedxml.ElementTree as _defused_et

from metrics.workbook.ooxml.facts import DETAIL_MAX_CHARS, MAX_COL, MAX_ROW, IssueKind
from metrics.workbook.ooxml.package import CHUNK_BYTES, local_name

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


def scan_sheet_cells(data: bytes, limit: int) -> list[_Found]:
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
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
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
        local = local_name(tag)
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
        if text.isascii() and text.isdecimal() and 1 <= int(text) <= MAX_ROW:
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
        for offset in range(0, len(data), CHUNK_BYTES):
            parser.feed(bytes(view[offset : offset + CHUNK_BYTES]))
        parser.close()
    except _StopScan:
        pass
    return target.found
