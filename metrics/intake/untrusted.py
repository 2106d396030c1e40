"""Intake of untrusted workbooks: every upload is hostile until checked.

``load_untrusted(data)`` is the one door for files from outside (uploads, and
``python -m metrics check``):

1. **What the file is**, by content, not by name: only a zip package that holds an
   Excel workbook is accepted; OLE2 (encrypted workbooks, old .xls), .xlsb, .ods,
   macro workbooks, CSV, HTML, images … are refused with a message saying what the
   file is and what to do.
2. **The zip package** against limits, before any spreadsheet library sees it:
   upload size, number of entries, total and per-entry uncompressed size (declared
   *and* actual), compression ratio, entry names (``..``, absolute, duplicates),
   Strict Open XML, worksheet dimensions claiming more rows or columns than allowed.
3. **The parse** runs in a child process with a memory and a time limit: a crash,
   an abort inside python-calamine or a timeout becomes a clear message, and the
   calling process (the dashboard server) carries on.

The same ``metrics.workbook.loader`` then validates what was read, so what was checked is
what is shown.
"""

from __future__ import annotations

import io
import logging
import math
import os
import pickle
import posixpath
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from metrics.problems import Problem, Severity
from metrics.workbook.loader import MAX_CELL_CHARS, LoadResult

MB: Final = 1024 * 1024
ENV_PREFIX: Final = "ZHENGGAI_"

SAVE_AS_XLSX: Final = "请在 Excel 或 WPS 中“另存为” Excel 工作簿（*.xlsx）后重新上传"


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    max_upload_bytes: int = 10 * MB
    max_entries: int = 1000
    max_total_uncompressed: int = 100 * MB
    max_ratio: float = 100.0  # per entry, uncompressed : compressed
    max_rows: int = 200_000  # per worksheet, as claimed by its dimension
    max_columns: int = 200
    max_sheets: int = 100
    parse_seconds: float = 60.0
    parse_memory_bytes: int = 1536 * MB

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IntakeLimits:
        """Defaults, overridden by ZHENGGAI_MAX_UPLOAD_MB, ZHENGGAI_MAX_ENTRIES,
        ZHENGGAI_MAX_TOTAL_MB, ZHENGGAI_MAX_RATIO, ZHENGGAI_MAX_ROWS,
        ZHENGGAI_MAX_COLUMNS, ZHENGGAI_MAX_SHEETS, ZHENGGAI_PARSE_SECONDS,
        ZHENGGAI_PARSE_MEMORY_MB.

        A malformed setting never raises: its default is used, and the problem is
        logged once per process (see ``checked_from_env`` for the messages)."""
        limits, problems = cls.checked_from_env(environ)
        for problem in problems:
            if problem not in _LOGGED:
                _LOGGED.add(problem)
                _log.warning("%s", problem)
        return limits

    @classmethod
    def checked_from_env(
        cls, environ: Mapping[str, str] | None = None
    ) -> tuple[IntakeLimits, tuple[str, ...]]:
        """The limits, and a Chinese message for each malformed setting (which then keeps
        its default): not a number, not above 0, not whole where a count is meant,
        infinite, or beyond a sane maximum."""
        env = os.environ if environ is None else environ
        defaults = cls()
        changes: dict[str, float | int] = {}
        problems: list[str] = []
        for setting in _SETTINGS:
            raw = env.get(setting.variable, "").strip()
            if not raw:
                continue
            value, why = setting.read(raw)
            if value is None:
                default = setting.shown(getattr(defaults, setting.field))
                problems.append(
                    f"设置 {setting.variable}={_shorten(raw)} 无效（{why}），"
                    f"已使用默认值 {default}{setting.unit}"
                )
            else:
                changes[setting.field] = value
        return replace(defaults, **changes), tuple(problems)  # type: ignore[arg-type]

    def describe(self) -> str:
        """The limits in one sentence for staff, e.g. shown next to the upload box."""
        return (
            f"仅接受 .xlsx；文件不超过 {self.max_upload_bytes / MB:g} MB，"
            f"工作表不超过 {self.max_sheets:,} 个，每个工作表不超过 {self.max_rows:,} 行、"
            f"{self.max_columns:,} 列，单元格不超过 {MAX_CELL_CHARS:,} 个字符。"
        )


@dataclass(frozen=True, slots=True)
class _Setting:
    """One ``ZHENGGAI_*`` limit: how it is written (number and unit) and what is sane."""

    suffix: str
    field: str
    scale: int  # MB settings are stored in bytes
    whole: bool  # a count (entries, rows …): a whole number
    maximum: float  # in the setting's own unit
    unit: str = ""

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.suffix

    def read(self, raw: str) -> tuple[float | int | None, str]:
        """(value in the field's unit, "") or (None, why it is refused)."""
        try:
            number = float(raw)
        except ValueError:
            return None, "不是数字"
        if math.isnan(number):
            return None, "不是数字"
        if number <= 0:
            return None, "应大于 0"
        if number > self.maximum:  # infinity included
            return None, f"应不超过 {self.maximum:,.0f}{self.unit}"
        if self.whole and not number.is_integer():
            return None, "应为整数"
        if self.field in ("max_ratio", "parse_seconds"):
            return number, ""
        value = int(number * self.scale)
        return (value, "") if value >= 1 else (None, "应大于 0")

    def shown(self, default: float) -> str:
        return f"{default / self.scale:,g}"


_SETTINGS: Final = (
    _Setting("MAX_UPLOAD_MB", "max_upload_bytes", MB, False, 1024 * 1024, " MB"),
    _Setting("MAX_ENTRIES", "max_entries", 1, True, 10_000_000),
    _Setting("MAX_TOTAL_MB", "max_total_uncompressed", MB, False, 1024 * 1024, " MB"),
    _Setting("MAX_RATIO", "max_ratio", 1, False, 1e9),
    _Setting("MAX_ROWS", "max_rows", 1, True, 1_048_576, " 行"),
    _Setting("MAX_COLUMNS", "max_columns", 1, True, 16_384, " 列"),
    _Setting("MAX_SHEETS", "max_sheets", 1, True, 1_000_000, " 个"),
    _Setting("PARSE_SECONDS", "parse_seconds", 1, False, 86_400, " 秒"),
    _Setting("PARSE_MEMORY_MB", "parse_memory_bytes", MB, False, 1024 * 1024, " MB"),
)

_log = logging.getLogger(__name__)
_LOGGED: set[str] = set()  # each malformed setting is logged once per process


def _shorten(raw: str, limit: int = 40) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in raw)
    return f"“{text[:limit]}……”" if len(text) > limit else f"“{text}”"


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
        if (
            name.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", name)
            or ".." in normal.split("/")
        ):
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
                count += len(_ROW_TAG.findall(done))
                highest = max([highest, *map(int, _ROW_NUMBER.findall(done))])
                if count > limits.max_rows or highest > limits.max_rows:
                    break
            count += len(_ROW_TAG.findall(pending))
            highest = max([highest, *map(int, _ROW_NUMBER.findall(pending))])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise IntakeRefused(f"文件已损坏，无法作为 .xlsx 工作簿打开。{SAVE_AS_XLSX}") from exc
    if count > limits.max_rows or highest > limits.max_rows:
        claim = f"第 {highest} 行" if highest > limits.max_rows else f"{count} 行以上"
        raise IntakeRefused(
            f"工作表部件“{name}”有数据写到了{claim}，超过上限 {limits.max_rows} 行。"
            "请删除表格下方多余的内容后重新上传"
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


# -- 3. the parse, in a child process ------------------------------------------------------


def load_untrusted(data: bytes, limits: IntakeLimits | None = None) -> LoadResult:
    """Check, then parse and validate in a child process. Never raises for bad input."""
    limits = limits or IntakeLimits.from_env()
    try:
        check_package(data, limits)
    except IntakeRefused as exc:
        return _refused(str(exc))
    return _parse_in_child(data, limits)


def _refused(message: str) -> LoadResult:
    return LoadResult(None, (Problem(Severity.ERROR, "", None, None, message),))


def _parse_in_child(data: bytes, limits: IntakeLimits) -> LoadResult:
    """Parse in a separate interpreter (``metrics.intake.parse_child``), memory and time capped."""
    env = dict(os.environ)  # the child imports the installed ``metrics`` package
    try:
        done = subprocess.run(
            [sys.executable, "-m", "metrics.intake.parse_child", str(limits.parse_memory_bytes)],
            input=data,
            capture_output=True,
            timeout=limits.parse_seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _refused(
            f"读取该文件超过 {limits.parse_seconds:g} 秒仍未完成，已停止。"
            "文件可能过大或结构异常：请删除多余内容，或在 Excel 中另存为 .xlsx 后重新上传"
        )
    if done.returncode == 0:
        try:
            result = pickle.loads(done.stdout)  # our own child's answer
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            result = None
        if isinstance(result, LoadResult):
            return result
    return _refused(
        "读取该文件时解析程序异常退出（可能是内存不足或文件结构异常），已停止，"
        "服务不受影响。请检查文件，或在 Excel 中另存为 .xlsx 后重新上传"
    )
