"""workbook.xml and its relationships: the worksheets (name, part, visibility) and the
1904 date system."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element

from metrics.workbook.ooxml.facts import (
    MSG_NO_SHEET_REL,
    MSG_NO_WORKBOOK,
    MSG_SHEET_NO_NAME,
    SheetInfo,
    SheetState,
    XlsxScanError,
)
from metrics.workbook.ooxml.package import Package, local_name, parse_small_xml

_DEFAULT_WORKBOOK: Final = "xl/workbook.xml"

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


def _read_rels(pkg: Package, source_part: str) -> dict[str, _Rel] | None:
    """Relationships of ``source_part`` by Id, or None if it has no relationships part."""
    info = pkg.find(_rels_part_for(source_part))
    if info is None:
        return None
    rels: dict[str, _Rel] = {}
    for el in parse_small_xml(pkg, info).iter():
        if local_name(el.tag) != "Relationship":
            continue
        rel_id = el.get("Id")
        target = el.get("Target")
        if rel_id is None or target is None:
            continue
        if (el.get("TargetMode") or "").strip().lower() == "external":
            continue
        rels[rel_id] = _Rel(type=el.get("Type") or "", target=_resolve_target(source_part, target))
    return rels


def find_workbook(pkg: Package) -> zipfile.ZipInfo:
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
        if not key.startswith("{") or local_name(key) != "id":
            continue
        if key[1:].partition("}")[0].endswith("/relationships"):
            return value
        fallback = value
    return fallback


@dataclass(frozen=True, slots=True)
class _Workbook:
    date1904: bool
    sheets: tuple[SheetInfo, ...]


def read_workbook_part(pkg: Package, wb_info: zipfile.ZipInfo) -> _Workbook:
    root = parse_small_xml(pkg, wb_info)
    wb_part = wb_info.filename.replace("\\", "/")
    rels = _read_rels(pkg, wb_part) or {}
    date1904 = False
    seen_pr = False
    sheet_els: list[Element] = []
    for child in root:
        local = local_name(child.tag)
        if local == "workbookPr" and not seen_pr:
            seen_pr = True
            date1904 = _xsd_bool(child.get("date1904"))
        elif local == "sheets":
            sheet_els.extend(el for el in child if local_name(el.tag) == "sheet")
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
