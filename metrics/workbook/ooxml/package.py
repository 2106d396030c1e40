"""The zip package: opening it, size-limited reads of its parts, encodings and DTD checks.

Every part is read in chunks with a hard limit on the decompressed size; the sizes
declared in the zip directory are not trusted. Every XML part that is read is
byte-checked for ``<!DOCTYPE`` / ``<!ENTITY`` before any parsing, and the few parses done
with a real parser use defusedxml.
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
from typing import Final
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as _defused_et
from defusedxml import DefusedXmlException

from metrics.workbook.ooxml.facts import (
    MSG_BAD_ENCODING,
    MSG_BAD_XML,
    MSG_CANNOT_OPEN,
    MSG_CFB,
    MSG_DTD,
    MSG_EMPTY,
    MSG_ENCRYPTED_MEMBER,
    MSG_NOT_XLSX,
    MSG_TOO_LARGE,
    MSG_TOTAL_TOO_LARGE,
    MSG_UNSUPPORTED_COMPRESSION,
    XlsxScanError,
)

MAX_PART_BYTES: Final = 200 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 1024 * 1024 * 1024

CHUNK_BYTES: Final = 1024 * 1024

_CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_BOM: Final = b"\xef\xbb\xbf"

# Exceptions that bad input can raise from zipfile / zlib / expat / codecs. They are all
# turned into XlsxScanError at the public boundary.
INPUT_ERRORS: Final = (
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


# ---------------------------------------------------------------------------------------
# Zip package access


def open_zip(source: str | os.PathLike[str] | bytes) -> zipfile.ZipFile:
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
    except INPUT_ERRORS as exc:
        raise XlsxScanError(MSG_NOT_XLSX) from exc


def _clean_name(name: str) -> str:
    """Normalise a zip member or part name: forward slashes, no leading slash, "." and
    ".." segments folded. Case is kept; lookups fall back to a case-insensitive match.
    """
    name = name.replace("\\", "/").lstrip("/")
    return posixpath.normpath(name) if name else ""


class Package:
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
                while chunk := fh.read(CHUNK_BYTES):
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


def parse_small_xml(pkg: Package, info: zipfile.ZipInfo) -> Element:
    """Parse a small part (relationships, workbook) with defusedxml."""
    data = pkg.read_xml(info)
    try:
        root: Element = _defused_et.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise XlsxScanError(MSG_BAD_XML.format(part=info.filename)) from exc
    return root


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]
