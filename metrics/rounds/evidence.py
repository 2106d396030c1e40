"""Evidence files (佐证材料): whether an uploaded file may be stored, by its content.

``check_evidence(name, data, limits)`` returns a ``CheckedEvidence`` (cleaned name with
the extension of the type found in the content, MIME type, label, size, SHA-256) or
raises ``EvidenceRefused`` whose text is a Chinese message naming the file and saying
what to do. What a file is and what makes it unsafe is decided in ``evidence_sniff``;
the zip bounds are the workbook intake's (``IntakeLimits`` defaults).

``EvidenceLimits.from_env()`` reads ZHENGGAI_EVIDENCE_MAX_MB (per file, default 20) and
ZHENGGAI_EVIDENCE_TASK_MAX_MB (per task and round, default 100); a malformed setting
keeps its default and is reported.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from metrics.intake.checks import unsafe_member_name
from metrics.intake.limits import MB, IntakeLimits
from metrics.rounds.evidence_sniff import (
    ALLOWED,
    DOCX,
    MARKUP_SPAN,
    POLYGLOT_TAGS,
    RESAVE_OFFICE,
    UNSAFE,
    XLSX,
    ContentRefused,
    EvidenceType,
    bomb,
    sniff,
)
from metrics.values.text import shorten

FILE_ENV: Final = "ZHENGGAI_EVIDENCE_MAX_MB"
TASK_ENV: Final = "ZHENGGAI_EVIDENCE_TASK_MAX_MB"
DEFAULT_FILE_BYTES: Final = 20 * MB
DEFAULT_TASK_ROUND_BYTES: Final = 100 * MB
MAX_SETTING_MB: Final = 1024 * 1024
MAX_NAME_CHARS: Final = 100
FALLBACK_STEM: Final = "佐证材料"

# The zip bounds (entries, total size, ratio) of the workbook intake, at their defaults.
_PACKAGE_LIMITS: Final = IntakeLimits()


@dataclass(frozen=True, slots=True)
class EvidenceLimits:
    file_bytes: int = DEFAULT_FILE_BYTES
    task_round_bytes: int = DEFAULT_TASK_ROUND_BYTES  # all files of one task in one round

    @classmethod
    def from_env(cls) -> tuple[EvidenceLimits, list[str]]:
        """The limits, and a Chinese message for each malformed setting (not a number, not
        above 0, infinite or beyond a sane maximum), which then keeps its default."""
        problems: list[str] = []
        values = [
            _read_mb(variable, default, problems)
            for variable, default in (
                (FILE_ENV, DEFAULT_FILE_BYTES),
                (TASK_ENV, DEFAULT_TASK_ROUND_BYTES),
            )
        ]
        return cls(values[0], values[1]), problems

    def describe(self) -> str:
        """The limits in one line for staff, shown next to the upload box."""
        return (
            f"佐证材料：{ALLOWED}，每个文件不超过 {_mb(self.file_bytes)}，"
            f"每项任务每轮合计不超过 {_mb(self.task_round_bytes)}"
        )


@dataclass(frozen=True, slots=True)
class CheckedEvidence:
    name: str  # cleaned file name with the sniffed type's extension
    mime: str
    kind: str  # "PDF" / "JPEG" / "PNG" / "Word" / "Excel"
    size: int
    sha256: str
    is_image: bool


class EvidenceRefused(ValueError):
    """The file may not be stored; ``str(error)`` is the Chinese message for staff and
    ``code`` names the rule that refused it ("empty", "html", "polyglot", "macro" …)."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


def check_evidence(
    raw_name: str, data: bytes, limits: EvidenceLimits, *, already_stored: int = 0
) -> CheckedEvidence:
    """Check a file by its content; ``already_stored``: the bytes already stored for the
    same task in the same round. Raises EvidenceRefused."""
    shown = clean_name(raw_name)
    if not data:
        raise EvidenceRefused(f"文件“{shown}”是空文件（0 字节）。请检查文件后重新上传。", "empty")
    size, limit = _sizes(len(data), limits.file_bytes)
    if len(data) > limits.file_bytes:
        raise EvidenceRefused(
            f"文件“{shown}”大小为 {size}，超过每个文件的上限 {limit}。"
            "请压缩图片、删减页数或拆分成几个文件后重新上传。",
            "file_too_big",
        )
    check_task_total([already_stored], len(data), limits, name=shown)
    try:
        found = (
            _check_package(data, _PACKAGE_LIMITS)
            if data.startswith((b"PK\x03\x04", b"PK\x05\x06"))
            else sniff(data, _PACKAGE_LIMITS)
        )
    except ContentRefused as refusal:
        message = f"文件“{shown}”{refusal.problem}。{refusal.advice}。"
        raise EvidenceRefused(message, refusal.code) from None
    return CheckedEvidence(
        name=clean_name(raw_name, found.extension),
        mime=found.mime,
        kind=found.kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        is_image=found.is_image,
    )


def check_task_total(
    stored_sizes: Iterable[int], new_size: int, limits: EvidenceLimits, *, name: str = ""
) -> int:
    """The bytes of one task in one round once a file of ``new_size`` is added to the
    files of ``stored_sizes``; EvidenceRefused when that is over ``task_round_bytes``."""
    sizes = [*stored_sizes, new_size]
    if min(sizes) < 0:
        raise ValueError(f"a file size cannot be negative: {min(sizes)}")
    stored = sum(sizes) - new_size
    total = stored + new_size
    if total > limits.task_round_bytes:
        subject = f"文件“{name}”" if name else "该文件"
        shown_total, limit = _sizes(total, limits.task_round_bytes)
        raise EvidenceRefused(
            f"{subject}加入后，本任务本轮的佐证材料合计 {shown_total}，超过上限 {limit}"
            f"（已上传 {_size(stored)}）。请删除不需要的材料，或压缩后再上传。",
            "task_total",
        )
    return total


# -- names -----------------------------------------------------------------------------------

_SEPARATORS: Final = re.compile(r"[/\\]")
_EXTENSION: Final = re.compile(r"\.([A-Za-z0-9]{0,7}[A-Za-z][A-Za-z0-9]{0,7})$")
# Characters Windows refuses in file names, as their full-width forms (as Chinese text
# writes them anyway); also keeps "<" and ">" out of anything that shows the name.
_WINDOWS: Final = str.maketrans(
    {"<": "＜", ">": "＞", ":": "：", '"': "＂", "|": "｜", "?": "？", "*": "＊"}
)


def clean_name(raw: str, extension: str | None = None) -> str:
    """A safe file name for ``raw``: NFKC, no directory part (``/`` or ``\\``), no control
    or format characters (U+202E …), white space collapsed, no leading dots, at most
    ``MAX_NAME_CHARS`` characters. With ``extension`` (the sniffed type's), the name ends
    in it, replacing any other extension; without, the name's own is kept (for messages).
    ``FALLBACK_STEM`` when nothing is left."""
    text = _SEPARATORS.split(unicodedata.normalize("NFKC", raw))[-1]
    text = " ".join(text.split())  # tabs and line breaks separate words, then go
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split()).translate(_WINDOWS)
    match = _EXTENSION.search(text)
    stem, ext = (text[: match.start()], match[1]) if match else (text, "")
    if extension is not None:
        ext = extension.strip(".").lower()
        if ext and stem.lower().endswith("." + ext):  # "报告.pdf.exe" holding a PDF: "报告.pdf"
            stem = stem[: -len(ext) - 1]
    stem = stem.lstrip(". ").rstrip(". ")
    room = MAX_NAME_CHARS - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(". ") or FALLBACK_STEM
    return f"{stem}.{ext}" if ext else stem


# -- settings and sizes ----------------------------------------------------------------------


def _read_mb(variable: str, default: int, problems: list[str]) -> int:
    """A setting in MB as bytes (as ``IntakeLimits.checked_from_env`` reads them)."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    why = ""
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if math.isnan(number):
        why = "不是数字"
    elif number <= 0:
        why = "应大于 0"
    elif number > MAX_SETTING_MB:  # infinity included
        why = f"应不超过 {MAX_SETTING_MB:,} MB"
    elif int(number * MB) < 1:
        why = "应大于 0"
    if not why:
        return int(number * MB)
    text = "".join(ch if ch.isprintable() else "?" for ch in raw)
    problems.append(
        f"设置 {variable}=“{shorten(text, 42, ellipsis='……')}” 无效（{why}），"
        f"已使用默认值 {default / MB:g} MB"
    )
    return default


def _mb(limit: int) -> str:
    return f"{limit / MB:g} MB" if limit >= MB else _size(limit)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} 字节"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """A size and its limit in words; the bytes too when rounding could make them look equal."""
    if abs(size - limit) < MB // 10:
        exact = f"{limit:,} 字节"
        return f"{size:,} 字节", exact if limit < MB else f"{_mb(limit)}（{exact}）"
    return _size(size), _mb(limit)


# -- Office packages -------------------------------------------------------------------------

_MARKUP_PARTS: Final = (".xml", ".rels", ".vml")
_RATIO_FROM: Final = MB  # smaller members are bounded by the total alone
_CHUNK: Final = MB


def _damaged_package() -> ContentRefused:
    return ContentRefused("damaged", "已损坏，无法作为 Word 或 Excel 文件打开", RESAVE_OFFICE)


def _check_package(data: bytes, limits: IntakeLimits) -> EvidenceType:
    """A .docx or .xlsx within the zip limits of the workbook intake."""
    if any(tag in data[:MARKUP_SPAN].lower() for tag in POLYGLOT_TAGS):
        raise ContentRefused("polyglot", f"是压缩包，但开头夹带了网页代码，{UNSAFE}", RESAVE_OFFICE)
    # Every directory record starts with this signature: the count bounds the entries
    # before zipfile parses the directory.
    if data.count(b"PK\x01\x02") > limits.max_entries:
        raise ContentRefused(
            "zip_entries", f"内含的部件超过 {limits.max_entries:,} 个，{UNSAFE}", RESAVE_OFFICE
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged_package() from exc
    with archive:
        names = _check_entries(entries, limits)
        kind = _package_kind(names)
        _scan_markup(archive, entries, limits)
    return kind


def _check_entries(entries: list[zipfile.ZipInfo], limits: IntakeLimits) -> set[str]:
    """Member names, encryption, declared sizes and ratios; the normalised names."""
    seen: set[str] = set()
    total = 0
    for info in entries:
        name = info.filename
        normal = posixpath.normpath(name.replace("\\", "/"))
        if unsafe_member_name(name):
            raise ContentRefused(
                "zip_names",
                f"内含非法的部件名“{_shown(name)}”（绝对路径或 ..），{UNSAFE}",
                RESAVE_OFFICE,
            )
        if normal.lower() in seen:
            raise ContentRefused(
                "zip_names",
                f"内含重复的部件名“{_shown(name)}”（可能被篡改），{UNSAFE}",
                RESAVE_OFFICE,
            )
        seen.add(normal.lower())
        if info.flag_bits & 0x1:
            raise ContentRefused(
                "zip_encrypted", "的内容被加密，无法检查", "请去除密码后重新保存并上传"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_total_uncompressed or (
            info.file_size > _RATIO_FROM and ratio > limits.max_ratio
        ):
            raise bomb(limits.max_total_uncompressed)
    return seen


def _package_kind(names: set[str]) -> EvidenceType:
    if any(n.endswith(("vbaproject.bin", "vbadata.xml")) for n in names):
        raise _macros()
    word, excel = "word/document.xml" in names, "xl/workbook.xml" in names
    if "[content_types].xml" in names and word != excel:
        return DOCX if word else XLSX
    if word and excel:
        problem = "同时含有 Word 和 Excel 的内容，无法确定类型（疑似伪装文件）"
        raise ContentRefused("not_office", problem, RESAVE_OFFICE)
    if "xl/workbook.bin" in names:
        problem, advice = (
            "是 Excel 二进制工作簿（.xlsb）",
            "请“另存为” Excel 工作簿（*.xlsx）后重新上传",
        )
    elif "ppt/presentation.xml" in names:
        problem, advice = "是 PowerPoint 演示文稿", "请“另存为” PDF 后重新上传"
    elif "mimetype" in names and "content.xml" in names:
        problem, advice = (
            "是 OpenDocument 文件（.odt、.ods）",
            "请“另存为” .docx 或 .xlsx 后重新上传",
        )
    elif "ofd.xml" in names:
        problem, advice = "是 OFD 版式文件", "请用 OFD 阅读器导出或“打印为 PDF”后重新上传"
    else:
        problem, advice = (
            "是压缩包，而不是 Word（.docx）或 Excel（.xlsx）文件",
            "请解压后逐个上传其中的 PDF、图片或 Office 文件",
        )
    raise ContentRefused("not_office", f"{problem}，不在允许的类型之内", advice)


def _shown(member: str) -> str:
    """A member's name in a message: printable, at most 80 characters."""
    return shorten("".join(ch if ch.isprintable() else "?" for ch in member), 80)


def _macros() -> ContentRefused:
    return ContentRefused(
        "macro",
        f"是含宏的 Office 文件（.docm、.xlsm 等），{UNSAFE}",
        "请“另存为”不含宏的 Word 文档（*.docx）或 Excel 工作簿（*.xlsx）后重新上传",
    )


def _scan_markup(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: IntakeLimits
) -> None:
    """Stream every XML part (never more than the total limit): no DTD or entity
    declaration anywhere, no macro-enabled content type."""
    budget = limits.max_total_uncompressed
    for info in entries:
        lower = info.filename.lower()
        if not lower.endswith(_MARKUP_PARTS):
            continue
        types = lower == "[content_types].xml"
        carry = b""
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(min(_CHUNK, budget + 1)):
                    budget -= len(chunk)
                    if budget < 0:
                        raise bomb(limits.max_total_uncompressed)
                    text = carry + chunk
                    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                        raise ContentRefused(
                            "zip_dtd",
                            f"的部件“{_shown(info.filename)}”含有 DTD 或实体声明，{UNSAFE}",
                            RESAVE_OFFICE,
                        )
                    if types and b"macroenabled" in text.lower():
                        raise _macros()
                    carry = text[-16:]
        except (  # NotImplementedError: an unknown compression; RuntimeError: encryption
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            zlib.error,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            raise _damaged_package() from exc
