"""What an evidence file is, by its content alone: ``sniff`` (used by ``evidence``).

Only PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) pass, each with the checks that
make such a file safe to keep and hand out again: no HTML, SVG, script or program under
any name; no polyglot (an image or PDF that also carries markup or a zip); no PDF
JavaScript, launch action, attachment or encryption (which would hide them); no
truncated image; no zip bomb, macro, DTD or odd member name in an Office package.

Every check is bounded for any input: fixed slices are scanned, zip members and PDF
object streams are decompressed in chunks up to ``IntakeLimits.max_total_uncompressed``,
and the number of zip entries is counted before the zip directory is parsed.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Final, NoReturn

from metrics.intake.limits import IntakeLimits


@dataclass(frozen=True, slots=True)
class EvidenceType:
    mime: str
    kind: str  # the label staff read: "PDF", "JPEG", "PNG", "Word", "Excel"
    extension: str
    is_image: bool


PDF: Final = EvidenceType("application/pdf", "PDF", "pdf", False)
JPEG: Final = EvidenceType("image/jpeg", "JPEG", "jpg", True)
PNG: Final = EvidenceType("image/png", "PNG", "png", True)
DOCX: Final = EvidenceType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word", "docx", False
)
XLSX: Final = EvidenceType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", "xlsx", False
)


class ContentRefused(Exception):
    """Why a file is refused: ``problem`` follows the file's name, ``advice`` says what to do;
    ``code`` names the rule (for callers and tests)."""

    def __init__(self, code: str, problem: str, advice: str) -> None:
        super().__init__(problem)
        self.code = code
        self.problem = problem
        self.advice = advice


ALLOWED: Final = "PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx）"
CONVERT: Final = f"请转换为 {ALLOWED}之一后重新上传"
REDO_PDF: Final = "请用“打印为 PDF”或“另存为 PDF”重新生成后上传"
REDO_IMAGE: Final = "请用图片软件重新导出（或重新截图、拍照）后上传"
RESAVE_OFFICE: Final = "请在 Word、Excel 或 WPS 中打开并重新保存为 .docx 或 .xlsx 后上传"
UNSAFE: Final = "出于安全原因不接受"
MAX_PIXELS: Final = 178_956_970  # where Pillow refuses an image as a decompression bomb
POLYGLOT_SPAN: Final = 64 * 1024
MARKUP_SPAN: Final = 1024
_CHUNK: Final = 1024 * 1024

# -- the whole file ---------------------------------------------------------------------------

_PROGRAMS: Final = (
    b"\x7fELF",
    b"MZ",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\xca\xfe\xba\xbf",
)
_OTHER_TYPES: Final = (  # (magic, offset, what it is, what to do)
    (b"GIF8", 0, "GIF 图片", "请转换为 PNG 或 JPEG 后重新上传"),
    (b"BM", 0, "BMP 图片", "请转换为 PNG 或 JPEG 后重新上传"),
    (b"II*\x00", 0, "TIFF 图片", "请转换为 PDF、PNG 或 JPEG 后重新上传"),
    (b"MM\x00*", 0, "TIFF 图片", "请转换为 PDF、PNG 或 JPEG 后重新上传"),
    (b"WEBP", 8, "WebP 图片", "请转换为 PNG 或 JPEG 后重新上传"),
    (
        b"ftyphei",
        4,
        "HEIC 照片（苹果手机格式）",
        "请在手机上转换为 JPEG（或在相机设置中选“兼容性最佳”）后重新上传",
    ),
    (b"ftypmif1", 4, "HEIF 照片", "请转换为 JPEG 后重新上传"),
    (b"Rar!", 0, "RAR 压缩包", "请解压后逐个上传其中的文件"),
    (b"7z\xbc\xaf", 0, "7z 压缩包", "请解压后逐个上传其中的文件"),
    (b"\x1f\x8b", 0, "gzip 压缩文件", "请解压后逐个上传其中的文件"),
)
_BINARY: Final = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")  # not in text
_HTML_TAGS: Final = (b"<html", b"<!doctype", b"<script", b"<head", b"<body", b"<iframe")
POLYGLOT_TAGS: Final = (b"<script", b"<html", b"<svg", b"<!doctype html", b"<iframe", b"<body")


def sniff(data: bytes, package: IntakeLimits) -> EvidenceType:
    """The type of a non-empty file, or ContentRefused saying what it is and what to do."""
    if data.startswith(_PROGRAMS):
        raise ContentRefused(
            "executable", f"实际是可执行程序（Windows、Linux 或 macOS 程序），{UNSAFE}", CONVERT
        )
    if data.startswith(b"#!"):
        raise ContentRefused("script", f"实际是脚本文件（以 #! 开头），{UNSAFE}", CONVERT)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ContentRefused(
            "ole2",
            "是旧版 Office 文件（.doc、.xls、.wps、.et）或设置了打开密码的 Office 文件，"
            "无法检查其内容",
            "请去除打开密码，在 Word、Excel 或 WPS 中“另存为” .docx 或 .xlsx 后重新上传",
        )
    if data.startswith(b"%PDF-"):
        _check_polyglot(data, PDF)
        _check_pdf(data, package)
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        _check_polyglot(data, JPEG)
        _check_jpeg(data)
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_polyglot(data, PNG)
        _check_png(data)
        return PNG
    _refuse_other(data)


def _has_tag(text: bytes, tags: tuple[bytes, ...]) -> bool:
    return any(tag in text for tag in tags)


def _refuse_other(data: bytes) -> NoReturn:
    """Say what a file of no allowed type is: markup, another known type, text or unknown."""
    head = data[:MARKUP_SPAN].replace(b"\x00", b"").lower()  # UTF-16 text reads as ASCII
    if b"<svg" in head or (b"<?xml" in head and b"svg" in data[:4096].lower()):
        raise ContentRefused(
            "svg", f"实际是 SVG 矢量图（可能含有脚本），{UNSAFE}", "请转换为 PNG 或 PDF 后重新上传"
        )
    if _has_tag(head, _HTML_TAGS):
        raise ContentRefused(
            "html", f"实际是网页（HTML）文件，{UNSAFE}", "请把网页内容“打印为 PDF”后重新上传"
        )
    if head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<?xml"):
        raise ContentRefused("xml", "实际是 XML 文本文件，不在允许的类型之内", CONVERT)
    for magic, offset, what, advice in _OTHER_TYPES:
        if data[offset : offset + len(magic)] == magic:
            raise ContentRefused("other_type", f"是 {what}，不在允许的类型之内", advice)
    sample = data[:4096]
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _BINARY.search(sample):
            break
        raise ContentRefused("other_type", "是纯文本文件，不在允许的类型之内", CONVERT)
    raise ContentRefused("unknown_type", f"的文件类型无法识别，不是 {ALLOWED}之一", CONVERT)


def _check_polyglot(data: bytes, kind: EvidenceType) -> None:
    """An image or PDF must not also be a web page or a zip (read as such by a browser,
    a Java or Office program): markup at either end, or a zip's end record at the end."""
    advice = REDO_PDF if kind is PDF else REDO_IMAGE
    ends = (data[:POLYGLOT_SPAN] + b" " + data[-POLYGLOT_SPAN:]).lower()
    if _has_tag(ends, POLYGLOT_TAGS):
        raise ContentRefused(
            "polyglot",
            f"虽是 {kind.kind} 文件，但夹带了网页或脚本代码（疑似伪装文件），{UNSAFE}",
            advice,
        )
    if b"PK\x05\x06" in data[-(POLYGLOT_SPAN + 22) :]:
        raise ContentRefused(
            "polyglot",
            f"虽是 {kind.kind} 文件，但结尾夹带了压缩包（疑似伪装文件），{UNSAFE}",
            advice,
        )


# -- images ----------------------------------------------------------------------------------

_IEND: Final = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_SOF: Final = frozenset(
    {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), 0xCD, 0xCE, 0xCF}
)
_MAX_SEGMENTS: Final = 10_000


def _truncated(kind: str) -> ContentRefused:
    return ContentRefused(
        "truncated",
        f"是不完整的 {kind} 图片（缺少结束标记：可能上传或保存时中断，或结尾夹带了其他数据）",
        REDO_IMAGE,
    )


def _damaged_image(kind: str) -> ContentRefused:
    return ContentRefused("damaged", f"是已损坏的 {kind} 图片，无法读取", REDO_IMAGE)


def _check_pixels(kind: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise _damaged_image(kind)
    if width * height > MAX_PIXELS:
        raise ContentRefused(
            "pixels",
            f"是 {width:,} × {height:,} 像素的 {kind} 图片，"
            f"超过 {MAX_PIXELS / 1e8:.1f} 亿像素的上限",
            "请缩小图片尺寸后重新上传",
        )


def _check_png(data: bytes) -> None:
    if data[8:16] != b"\x00\x00\x00\x0dIHDR" or len(data) < 24 + len(_IEND):
        raise _damaged_image("PNG")
    if not data.endswith(_IEND):
        raise _truncated("PNG")
    width, height = struct.unpack(">II", data[16:24])
    _check_pixels("PNG", width, height)


def _check_jpeg(data: bytes) -> None:
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise _truncated("JPEG")
    pos = 2
    for _ in range(_MAX_SEGMENTS):  # the markers before the image data, to find its size
        if pos + 9 > len(data) or data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            pos += 2
        elif marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header seen
            break
        elif marker in _SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            _check_pixels("JPEG", width, height)
            return
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    raise _damaged_image("JPEG")


def bomb(total: int, advice: str = RESAVE_OFFICE) -> ContentRefused:
    return ContentRefused(
        "zip_bomb",
        f"解压后的内容过大（超过 {total / 1024 / 1024:g} MB 或压缩比异常，"
        f"疑似“压缩炸弹”），{UNSAFE}",
        advice,
    )


# -- PDF -------------------------------------------------------------------------------------

_DELIMITER: Final = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|\Z)"


def _pdf_name(word: str, *, prefix: bool = False) -> bytes:
    """A regex for the PDF name ``word`` (after its "/"), also written with #xx escapes."""
    parts = []
    for ch in word:
        escape = "".join(
            f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in f"{ord(ch):02x}"
        )
        parts.append(b"(?:%s|#%s)" % (re.escape(ch.encode()), escape.encode()))
    return b"".join(parts) + (b"" if prefix else _DELIMITER)


def _names(*groups: tuple[str, str]) -> re.Pattern[bytes]:
    """One regex for the names of ``groups`` ((group, name), "*" at the end of a name:
    any name starting so); the group that matched says which. The "/" and a look at the
    next byte come first, so that the regex engine skips ahead quickly."""
    firsts = sorted({ch for _, word in groups for ch in (word[0], "#")})
    alternatives = b"|".join(
        b"(?P<%s>%s)" % (group.encode(), _pdf_name(word.rstrip("*"), prefix=word.endswith("*")))
        for group, word in groups
    )
    return re.compile(b"/(?=[%s])(?:%s)" % ("".join(firsts).encode(), alternatives))


# Unmistakable anywhere, stream data included; the short names only outside stream data
# (where compressed bytes could spell them by chance) and inside object streams.
_LONG: Final = (
    ("javascript", "JavaScript"),
    ("launch", "Launch"),
    ("embedded", "EmbeddedFile*"),
    ("attachment", "FileAttachment"),
)
_SHORT: Final = (("js", "JS"), ("ef", "EF"), ("encrypt", "Encrypt"))
_LONG_NAMES: Final = _names(*_LONG)
_SHORT_NAMES: Final = _names(*_SHORT)
_ALL_NAMES: Final = _names(*_LONG, *_SHORT)
_STREAM: Final = re.compile(rb"(?<!end)stream(?:\r\n|\r|\n)")
_STREAM_BODY: Final = re.compile(rb"(?<!end)stream(?:\r\n|\r|\n)(?:.*?endstream|.*)", re.S)
_OBJECT_STREAM: Final = re.compile(b"/" + _pdf_name("ObjStm"))
_FILTER: Final = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_FILTER_NAME: Final = re.compile(rb"/([^\s/\[\]<>()]+)")
_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_OBJECT_STREAMS: Final = 10_000
_PDF_FINDINGS: Final = {
    "javascript": "含有 JavaScript 脚本（/JavaScript）",
    "js": "含有 JavaScript 脚本（/JS）",
    "launch": "含有启动外部程序的动作（/Launch）",
    "embedded": "含有嵌入的附件（/EmbeddedFile）",
    "attachment": "含有附件批注（/FileAttachment）",
    "ef": "含有嵌入的附件（/EF）",
}


def _refuse_pdf(found: re.Match[bytes]) -> NoReturn:
    code = found.lastgroup or "javascript"
    if code == "encrypt":
        raise ContentRefused(
            "pdf_encrypted",
            "是加密的 PDF（设置了密码或权限限制），无法检查其内容",
            "请去除密码和权限限制（例如用“打印为 PDF”另存一份）后重新上传",
        )
    raise ContentRefused("pdf_active", f"是{_PDF_FINDINGS[code]}的 PDF，{UNSAFE}", REDO_PDF)


def _check_pdf(data: bytes, package: IntakeLimits) -> None:
    """No JavaScript, launch action, attachment or encryption: looked for in the file, in
    what lies outside stream data, and in the (inflated) object streams."""
    for pattern, text in ((_LONG_NAMES, data), (_SHORT_NAMES, _STREAM_BODY.sub(b" ", data))):
        if (found := pattern.search(text)) is not None:
            _refuse_pdf(found)
    budget = package.max_total_uncompressed
    done = count = 0
    while (name := _OBJECT_STREAM.search(data, done)) is not None:
        start = _STREAM.search(data, name.end())
        if start is None:
            break
        count += 1
        if count > _MAX_OBJECT_STREAMS:
            raise ContentRefused("pdf_damaged", "的内部结构异常（对象流过多），无法检查", REDO_PDF)
        end = data.find(b"endstream", start.end())
        done = len(data) if end < 0 else end
        head_start = max(0, name.start() - 4096)
        head_start = max(head_start, data.rfind(b"obj", head_start, name.start()))
        head, raw = data[head_start : start.start()], data[start.end() : done]
        body = _object_stream(head, raw, budget, package.max_total_uncompressed)
        budget -= len(body)
        if (found := _ALL_NAMES.search(body)) is not None:
            _refuse_pdf(found)


def _object_stream(head: bytes, body: bytes, budget: int, total: int) -> bytes:
    """The objects of an object stream: ``body`` as is or inflated (at most ``budget``,
    what is left of ``total``)."""
    head = _ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), head)
    written = _FILTER.search(head)
    filters = _FILTER_NAME.findall(written[1]) if written else []
    if not filters:
        return body
    if filters not in ([b"FlateDecode"], [b"Fl"]):
        raise ContentRefused("pdf_damaged", "的对象流使用了无法检查的压缩方式", REDO_PDF)
    inflater = zlib.decompressobj()
    out = bytearray()
    for offset in range(0, len(body), _CHUNK):
        try:
            out += inflater.decompress(body[offset : offset + _CHUNK], budget - len(out) + 1)
        except zlib.error:
            break  # a damaged stream: what could be read is checked
        if len(out) > budget or inflater.unconsumed_tail:
            raise bomb(total, REDO_PDF)
        if inflater.eof:
            break
    return bytes(out)
