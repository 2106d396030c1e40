"""The checks before any spreadsheet library sees an upload.

1. **What the file is**, by content, not by name: only a zip package that holds an
   Excel workbook is accepted; OLE2 (encrypted workbooks, old .xls), .xlsb, .ods,
   macro workbooks, CSV, HTML, images … are refused with a message saying what the
   file is and what to do (``describe_content``).
2. **The zip package** against limits (``check_package``): upload size, number of
   entries, total and per-entry uncompressed size (declared *and* actual), compression
   ratio, entry names (``..``, absolute, duplicates), Strict Open XML, worksheet
   dimensions claiming more rows or columns than allowed, and the rows really written.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from typing import Final

from metrics.intake.limits import MB, IntakeLimits

SAVE_AS_XLSX: Final = "请在 Excel 或 WPS 中“另存为” Excel 工作簿（*.xlsx）后重新上传"


class IntakeRefused(ValueError):
    """The file is refused before parsing; ``str(error)`` is a Chinese message."""


# -- 1. what the file is -------------------------------------------------------------------

_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES: Final = (
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"%PDF", "PDF 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
)


def describe_content(data: bytes) -> str | None:
    """What a non-zip file is, in words; None for a zip package."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return None
    if not data:
        return "空文件（0 字节）"
    if data.startswith(_OLE2):
        return "OLE2 复合文档（设置了打开密码的工作簿，或旧版 .xls 文件）"
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "网页（HTML）文件"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML 文本文件（可能是 Excel 2003 XML 表格）"
    sample = data[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = sample.decode("gb18030")
        except UnicodeDecodeError:
            return "无法识别的二进制文件"
    if "," in text or "\t" in text:
        return "CSV 或制表符分隔的文本文件"
    return "纯文本文件"


# -- 2. the zip package ------------------------------------------------------------------

_STRICT_NS: Final = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_DIMENSION: Final = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_HEAD_BYTES: Final = 4096
_ROW_TAG: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_NUMBER: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br=\"(\d+)\"")
# The same without a namespace prefix: a literal start, so the regex engine skips ahead
# (several times faster); used for the text that has no ":row" in it at all.
_PLAIN_ROW_TAG: Final = re.compile(rb"<row[\s/>]")
_PLAIN_ROW_NUMBER: Final = re.compile(rb"<row\s[^>]*?\br=\"(\d+)\"")
_CHUNK: Final = 1024 * 1024


def check_package(data: bytes, limits: IntakeLimits) -> None:
    """Refuse (IntakeRefused) anything but a plain .xlsx within the limits."""
    if len(data) > limits.max_upload_bytes:
        raise IntakeRefused(
            f"文件大小 {len(data) / MB:.1f} MB，超过上限 {limits.max_upload_bytes / MB:.0f} MB："
            "请删除不需要的工作表或图片后重新上传"
        )
    kind = describe_content(data)
    if kind is not None:
        raise IntakeRefused(f"这不是 .xlsx 工作簿，而是{kind}。{SAVE_AS_XLSX}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise IntakeRefused(f"文件已损坏，无法作为 .xlsx 工作簿打开。{SAVE_AS_XLSX}") from exc
    with archive:
        _check_entries(entries, limits)
        names = {info.filename.lower() for info in entries}
        _check_kind(archive, names)
        _check_no_dtd(archive, entries)
        _check_worksheets(archive, entries, limits)


def _check_no_dtd(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """A DTD can only sit in the prolog, so the head of every XML part tells."""
    for info in entries:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            head = _read_head(archive, info.filename)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise IntakeRefused(
                    f"部件“{info.filename[:80]}”包含 DTD/实体声明，出于安全原因拒绝读取"
                )


def unsafe_member_name(name: str) -> bool:
    """A zip member named by an absolute path, a drive letter, or with a ``..`` step."""
    normal = posixpath.normpath(name.replace("\\", "/"))
    return (
        name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in normal.split("/")
    )


def _check_entries(entries: list[zipfile.ZipInfo], limits: IntakeLimits) -> None:
    if len(entries) > limits.max_entries:
        raise IntakeRefused(
            f"压缩包内有 {len(entries)} 个部件，超过上限 {limits.max_entries} 个，拒绝读取"
        )
    seen: set[str] = set()
    total = 0
    for info in entries:
        name = info.filename
        normal = posixpath.normpath(name.replace("\\", "/"))
        if unsafe_member_name(name):
            raise IntakeRefused(f"压缩包内有非法的部件名“{name[:80]}”（绝对路径或 ..），拒绝读取")
        if normal.lower() in seen:
            raise IntakeRefused(f"压缩包内的部件名“{name[:80]}”重复，文件可能被篡改，拒绝读取")
        seen.add(normal.lower())
        if info.flag_bits & 0x1:
            raise IntakeRefused("压缩包内的部件被加密，无法读取。请去除密码后重新上传")
        total += info.file_size
        if total > limits.max_total_uncompressed:
            raise IntakeRefused(
                f"文件解压后超过 {limits.max_total_uncompressed / MB:.0f} MB，出于安全原因拒绝读取"
            )
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            raise IntakeRefused(
                f"部件“{name[:80]}”的压缩比超过 {limits.max_ratio:.0f}:1（疑似“压缩炸弹”），"
                "出于安全原因拒绝读取"
            )


def _check_kind(archive: zipfile.ZipFile, names: set[str]) -> None:
    if "xl/workbook.bin" in names:
        raise IntakeRefused(f"这是 Excel 二进制工作簿（.xlsb），不是 .xlsx。{SAVE_AS_XLSX}")
    if "content.xml" in names and "mimetype" in names:
        raise IntakeRefused(f"这是 OpenDocument 表格（.ods），不是 .xlsx。{SAVE_AS_XLSX}")
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise IntakeRefused(f"这是 Word 或 PowerPoint 文件，不是 Excel 工作簿。{SAVE_AS_XLSX}")
    if "xl/vbaproject.bin" in names or _content_types(archive).find(b"macroEnabled") >= 0:
        raise IntakeRefused(
            "这是含宏的工作簿（.xlsm），出于安全原因不接受。"
            "请在 Excel 中另存为不含宏的 Excel 工作簿（*.xlsx）后重新上传"
        )
    if "xl/workbook.xml" not in names:
        raise IntakeRefused(f"压缩包里没有 Excel 工作簿（xl/workbook.xml）。{SAVE_AS_XLSX}")
    if _STRICT_NS in _read_head(archive, "xl/workbook.xml"):
        raise IntakeRefused(
            "这是“Strict Open XML”格式的工作簿，看板无法读取。"
            "请在 Excel 中另存为普通的“Excel 工作簿（*.xlsx）”后重新上传"
        )


def _check_worksheets(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: IntakeLimits
) -> None:
    sheets = [
        info
        for info in entries
        if info.filename.lower().startswith("xl/worksheets/") and info.filename.endswith(".xml")
    ]
    if len(sheets) > limits.max_sheets:
        raise IntakeRefused(f"工作簿有 {len(sheets)} 个工作表，超过上限 {limits.max_sheets} 个")
    for info in sheets:
        match = _DIMENSION.search(_read_head(archive, info.filename))
        if match is not None and match.group(4) is not None:
            rows = int(match.group(4))
            columns = _column_number(match.group(3))
            if rows > limits.max_rows or columns > limits.max_columns:
                raise IntakeRefused(
                    f"工作表部件“{info.filename}”声明的范围为 {rows} 行 × {columns} 列，"
                    f"超过上限（{limits.max_rows} 行、{limits.max_columns} 列）。"
                    "请删除表格下方和右侧多余的内容后重新上传"
                )
        _check_real_rows(archive, info.filename, limits)


def _check_real_rows(archive: zipfile.ZipFile, name: str, limits: IntakeLimits) -> None:
    """Count the rows a worksheet really has, and its highest row number, without
    trusting its dimension: a small file can hold a million rows, or one row at
    1,048,576 that makes the reader allocate the whole grid. Streams the part (its
    size is already bounded by the total-size limit), never holding it whole."""
    count = highest = 0
    pending = b""
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(_CHUNK):
                buffer = pending + chunk
                cut = buffer.rfind(b"<")  # tags before the last "<" are complete
                done, pending = (buffer[:cut], buffer[cut:]) if cut > 0 else (b"", buffer)
                count, highest = _count_rows(done, count, highest)
                if count > limits.max_rows or highest > limits.max_rows:
                    break
            count, highest = _count_rows(pending, count, highest)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise IntakeRefused(f"文件已损坏，无法作为 .xlsx 工作簿打开。{SAVE_AS_XLSX}") from exc
    if count > limits.max_rows or highest > limits.max_rows:
        claim = f"第 {highest} 行" if highest > limits.max_rows else f"{count} 行以上"
        raise IntakeRefused(
            f"工作表部件“{name}”有数据写到了{claim}，超过上限 {limits.max_rows} 行。"
            "请删除表格下方多余的内容后重新上传"
        )


def _count_rows(text: bytes, count: int, highest: int) -> tuple[int, int]:
    """``count`` plus the row tags in ``text``; the highest of ``highest`` and their r=."""
    tags, numbers = (
        (_ROW_TAG, _ROW_NUMBER) if b":row" in text else (_PLAIN_ROW_TAG, _PLAIN_ROW_NUMBER)
    )
    return count + len(tags.findall(text)), max(
        highest, max(map(int, numbers.findall(text)), default=0)
    )


def _content_types(archive: zipfile.ZipFile) -> bytes:
    return _read_head(archive, "[Content_Types].xml", 64 * 1024)


def _read_head(archive: zipfile.ZipFile, name: str, size: int = _HEAD_BYTES) -> bytes:
    """The first ``size`` decompressed bytes of an entry (never more)."""
    try:
        with archive.open(name) as handle:
            return handle.read(size)
    except KeyError:
        for info in archive.infolist():
            if info.filename.lower() == name.lower():
                return _read_head(archive, info.filename, size)
        return b""
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        zlib.error,
        NotImplementedError,
    ) as exc:
        raise IntakeRefused(f"文件已损坏，无法作为 .xlsx 工作簿打开。{SAVE_AS_XLSX}") from exc


def _column_number(letters: str | bytes) -> int:
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for ch in text:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number
