"""Evidence files (佐证材料) for ``metrics.rounds.evidence``, built in memory: every hostile
case of the evidence brief (``catalogue()``) and valid minimal files (``good_samples()``)."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from typing import NamedTuple

import docx
from openpyxl import Workbook
from PIL import Image

from metrics.intake.limits import MB
from metrics.rounds.evidence import EvidenceLimits

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SMALL = EvidenceLimits(file_bytes=1000, task_round_bytes=5000)


class HostileEvidence(NamedTuple):
    name: str  # what the case is
    raw_name: str  # the file name as uploaded
    data: bytes
    words: tuple[str, ...]  # all expected in the message
    code: str  # the rule expected to refuse it (EvidenceRefused.code)
    absent: tuple[str, ...] = ()  # never in the message (e.g. the raw name's "../")
    limits: EvidenceLimits = EvidenceLimits()
    already_stored: int = 0


class GoodSample(NamedTuple):
    raw_name: str
    data: bytes
    mime: str
    kind: str
    name: str  # the stored name expected
    is_image: bool


# -- builders ------------------------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int = 4, height: int = 3, *, text: bytes = b"", noise: int = 0) -> bytes:
    """A valid RGB PNG; ``text``: a tEXt chunk; ``noise``: that many random bytes more."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    chunks = [png_chunk(b"IHDR", header)]
    if text:
        chunks.append(png_chunk(b"tEXt", b"Comment\x00" + text))
    if noise:
        chunks.append(png_chunk(b"zzZz", random.Random(1).randbytes(noise)))
    chunks += [png_chunk(b"IDAT", zlib.compress(rows)), png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def jpeg(width: int = 8, height: int = 6) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def pdf(
    catalog_extra: bytes = b"", *, trailer_extra: bytes = b"", objects: tuple[bytes, ...] = ()
) -> bytes:
    """A valid one-page PDF (correct xref offsets); extra catalog keys, trailer keys and
    objects (numbered from 5) may be added."""
    content = b"BT /F1 12 Tf 20 100 Td (evidence) Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(bodies) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def object_stream(objects: bytes, *, filter_name: bytes = b"/FlateDecode") -> bytes:
    """An object stream (object 5) holding ``objects`` as object 6, compressed."""
    index = b"6 0 "
    data = index + objects
    body = zlib.compress(data) if filter_name == b"/FlateDecode" else data
    return b"<< /Type /ObjStm /N 1 /First %d /Filter %s /Length %d >>\nstream\n%s\nendstream" % (
        len(index),
        filter_name,
        len(body),
        body,
    )


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("整改佐证材料")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "整改任务"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(
    source: bytes,
    *,
    add: dict[str, bytes] | None = None,
    replace: dict[str, bytes] | None = None,
    stored: bool = False,
) -> bytes:
    """A copy of a package with members added or replaced (all stored or deflated)."""
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(out, "w", method) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def raw_zip(entries: list[tuple[str, bytes]], *, stored: bool = False) -> bytes:
    """A zip with exactly these entries (odd names allowed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            dst.writestr(zipfile.ZipInfo(name), data)
    return out.getvalue()


def many_entries_zip(count: int) -> bytes:
    """A zip of ``count`` empty stored entries, written by hand (fast for 100,000)."""
    local, central = bytearray(), bytearray()
    for i in range(count):
        name = b"f%d" % i
        offset = len(local)
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0)
        local += name
        central += struct.pack(
            "<4s6H3I5H2I",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, count & 0xFFFF, count & 0xFFFF, len(central), len(local), 0
    )
    return bytes(local + central + end)


def declared_size(data: bytes, member: str, size: int) -> bytes:
    """Make the zip headers of ``member`` claim ``size`` uncompressed bytes."""
    patched = bytearray(data)
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            if patched[start + name_at : start + name_at + len(name)] == name:
                struct.pack_into("<I", patched, start + size_at, size)
            start += 4
    return bytes(patched)


def encrypted_flag(data: bytes) -> bytes:
    """Set the "encrypted" flag on every member (headers only)."""
    patched = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            patched[start + flag_at] |= 0x1
            start += 4
    return bytes(patched)


# -- the catalogue -------------------------------------------------------------------------

HTML = (
    b"<!DOCTYPE html><html><body><script>fetch('/steal?c='+document.cookie)</script></body></html>"
)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
)
JS_ACTION = b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + random.Random(2).randbytes(3000)
CONTENT_TYPES = "[Content_Types].xml"


def catalogue() -> list[HostileEvidence]:
    """Every hostile or odd evidence file of the brief, each with the words of its refusal."""
    good_png, good_jpeg, good_pdf, good_docx = png(), jpeg(), pdf(), docx_bytes()
    zip_payload = raw_zip([("Exploit.class", b"\xca\xfe\xba\xbe" + bytes(200))])
    with zipfile.ZipFile(io.BytesIO(good_docx)) as package:
        types = package.read(CONTENT_TYPES)
        document = package.read("word/document.xml")
    macro_types = types.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + document.split(b"?>", 1)[1]
    long_name = "关于整改情况的说明" * 30 + ".html"
    huge = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
    huge_png = good_png[:8] + huge + good_png[33:]
    unsafe = "出于安全原因不接受"
    return [
        # images and PDFs that are also something else
        HostileEvidence(
            "png with html in a text chunk",
            "现场照片.png",
            png(text=HTML),
            ("现场照片.png", "PNG", "网页或脚本代码", unsafe),
            "polyglot",
        ),
        HostileEvidence(
            "png with html after IEND",
            "照片.png",
            good_png + HTML,
            ("照片.png", "网页或脚本代码"),
            "polyglot",
        ),
        HostileEvidence(
            "large png with html at its end",
            "大图.png",
            png(noise=200_000) + b"\n<script>x()</script>",
            ("大图.png", "网页或脚本代码"),
            "polyglot",
        ),
        HostileEvidence(
            "GIFAR-like jpeg with a zip appended",
            "证件.jpg",
            good_jpeg + zip_payload,
            ("证件.jpg", "JPEG", "压缩包", "伪装"),
            "polyglot",
        ),
        HostileEvidence(
            "jpeg + zip + a fake end marker",
            "证件2.jpg",
            good_jpeg + zip_payload + b"\xff\xd9",
            ("证件2.jpg", "压缩包"),
            "polyglot",
        ),
        HostileEvidence(
            "pdf with a zip appended",
            "报告.pdf",
            good_pdf + zip_payload,
            ("报告.pdf", "PDF", "压缩包"),
            "polyglot",
        ),
        HostileEvidence(
            "pdf with html in a comment",
            "报告.pdf",
            good_pdf.replace(b"%\xe2", b"%<html>\xe2", 1),
            ("报告.pdf", "网页或脚本代码"),
            "polyglot",
        ),
        HostileEvidence(
            "docx whose first member is stored html",
            "说明.docx",
            raw_zip(
                [("a.html", HTML), *[(n, b"") for n in (CONTENT_TYPES, "word/document.xml")]],
                stored=True,
            ),
            ("说明.docx", "网页代码"),
            "polyglot",
        ),
        # markup and programs under other names
        HostileEvidence(
            "html renamed .pdf",
            "整改通知.pdf",
            HTML,
            ("整改通知.pdf", "网页（HTML）", "打印为 PDF"),
            "html",
        ),
        HostileEvidence(
            "html after a BOM and white space",
            "a.pdf",
            b"\xef\xbb\xbf \r\n\t<HTML><p>x</p></HTML>",
            ("a.pdf", "网页（HTML）"),
            "html",
        ),
        HostileEvidence(
            "utf-16 html",
            "b.docx",
            "\ufeff<html><body>x</body></html>".encode("utf-16-le"),
            ("b.docx", "网页（HTML）"),
            "html",
        ),
        HostileEvidence(
            "script tag after some text",
            "c.png",
            b"just some words\n" * 20 + b"<ScRiPt>x()</script>",
            ("c.png", "网页（HTML）"),
            "html",
        ),
        HostileEvidence(
            "svg with a script renamed .png",
            "图表.png",
            SVG,
            ("图表.png", "SVG", "PNG 或 PDF"),
            "svg",
        ),
        HostileEvidence(
            "svg without an xml declaration",
            "图.jpg",
            b'<svg onload="alert(1)"/>',
            ("图.jpg", "SVG"),
            "svg",
        ),
        HostileEvidence(
            "ELF program renamed .pdf",
            "方案.pdf",
            b"\x7fELF\x02\x01\x01" + bytes(500),
            ("方案.pdf", "可执行程序", unsafe),
            "executable",
        ),
        HostileEvidence(
            "windows program renamed .jpg",
            "照片.jpg",
            b"MZ\x90\x00" + bytes(300),
            ("照片.jpg", "可执行程序"),
            "executable",
        ),
        HostileEvidence(
            "mach-o program",
            "x.png",
            b"\xcf\xfa\xed\xfe" + bytes(300),
            ("x.png", "可执行程序"),
            "executable",
        ),
        HostileEvidence(
            "shell script",
            "run.pdf",
            b"#!/bin/sh\nrm -rf / --no-preserve-root\n",
            ("run.pdf", "脚本文件", unsafe),
            "script",
        ),
        # PDF actions
        HostileEvidence(
            "pdf with an open action in JavaScript",
            "报告.pdf",
            pdf(JS_ACTION),
            ("报告.pdf", "JavaScript", "打印为 PDF"),
            "pdf_active",
        ),
        HostileEvidence(
            "pdf with #-escaped /JavaScript",
            "报告.pdf",
            pdf(b"/OpenAction << /S /J#61va#53cript /JS (x) >>"),
            ("JavaScript",),
            "pdf_active",
        ),
        HostileEvidence(
            "pdf with /JS alone",
            "报告.pdf",
            pdf(b"/AA << /O << /JS (app.alert(1)) >> >>"),
            ("/JS",),
            "pdf_active",
        ),
        HostileEvidence(
            "pdf with a launch action",
            "报告.pdf",
            pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
            ("报告.pdf", "/Launch"),
            "pdf_active",
        ),
        HostileEvidence(
            "pdf with an embedded file",
            "报告.pdf",
            pdf(b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>"),
            ("报告.pdf", "附件"),
            "pdf_active",
        ),
        HostileEvidence(
            "pdf with JavaScript hidden in a compressed object stream",
            "报告.pdf",
            pdf(b"/OpenAction 6 0 R", objects=(object_stream(b"<< /S /JavaScript /JS (x) >>"),)),
            ("报告.pdf", "JavaScript"),
            "pdf_active",
        ),
        HostileEvidence(
            "pdf with an object stream in an unknown filter",
            "报告.pdf",
            pdf(objects=(object_stream(b"<< >>", filter_name=b"/LZWDecode"),)),
            ("报告.pdf", "无法检查"),
            "pdf_damaged",
        ),
        HostileEvidence(
            "encrypted pdf",
            "红头文件.pdf",
            pdf(trailer_extra=b"/Encrypt 9 0 R"),
            ("红头文件.pdf", "加密", "去除密码"),
            "pdf_encrypted",
        ),
        # Office packages
        HostileEvidence(
            "zip bomb disguised as .docx",
            "台账.docx",
            rezip(good_docx, add={"word/media/image1.png": bytes(4 * MB)}),
            ("台账.docx", "压缩炸弹"),
            "zip_bomb",
        ),
        HostileEvidence(
            "docx claiming a 200 MB member",
            "台账.docx",
            declared_size(
                rezip(good_docx, add={"word/media/a.bin": b"abc"}), "word/media/a.bin", 200 * MB
            ),
            ("台账.docx", "压缩炸弹"),
            "zip_bomb",
        ),
        HostileEvidence(
            "docx with vbaProject.bin",
            "通知.docx",
            rezip(good_docx, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)}),
            ("通知.docx", "含宏", "不含宏"),
            "macro",
        ),
        HostileEvidence(
            "docx with a macro-enabled content type",
            "通知.docx",
            rezip(good_docx, replace={CONTENT_TYPES: macro_types}),
            ("通知.docx", "含宏"),
            "macro",
        ),
        HostileEvidence(
            "docx with a DTD",
            "通知.docx",
            rezip(good_docx, replace={"word/document.xml": dtd}),
            ("通知.docx", "DTD"),
            "zip_dtd",
        ),
        HostileEvidence(
            "docx with a ../ member",
            "通知.docx",
            rezip(good_docx, add={"../../evil.sh": b"x"}),
            ("通知.docx", "非法的部件名"),
            "zip_names",
        ),
        HostileEvidence(
            "docx with encrypted members",
            "通知.docx",
            encrypted_flag(good_docx),
            ("通知.docx", "加密"),
            "zip_encrypted",
        ),
        HostileEvidence(
            "zip of 1,001 entries",
            "材料.docx",
            raw_zip([(f"f{i}", b"") for i in range(1001)]),
            ("材料.docx", "1,000"),
            "zip_entries",
        ),
        HostileEvidence(
            "OLE2 .doc renamed .docx",
            "旧文件.docx",
            OLE2,
            ("旧文件.docx", "旧版 Office", ".docx"),
            "ole2",
        ),
        HostileEvidence(
            "plain zip renamed .xlsx",
            "表.xlsx",
            zip_payload,
            ("表.xlsx", "压缩包", "解压"),
            "not_office",
        ),
        HostileEvidence(
            "corrupt zip",
            "表.xlsx",
            good_docx[: len(good_docx) // 2],
            ("表.xlsx", "已损坏"),
            "damaged",
        ),
        # truncated images
        HostileEvidence(
            "truncated png", "截图.png", good_png[:-20], ("截图.png", "不完整", "PNG"), "truncated"
        ),
        HostileEvidence(
            "truncated jpeg",
            "照片.jpg",
            good_jpeg[:-30],
            ("照片.jpg", "不完整", "JPEG"),
            "truncated",
        ),
        HostileEvidence(
            "png of 100,000 × 100,000 pixels",
            "巨图.png",
            huge_png,
            ("巨图.png", "100,000 × 100,000", "亿像素"),
            "pixels",
        ),
        # other types
        HostileEvidence(
            "gif",
            "动图.gif",
            b"GIF89a" + bytes(100),
            ("动图.gif", "GIF", "PNG 或 JPEG"),
            "other_type",
        ),
        HostileEvidence(
            "plain text", "说明.txt", "整改说明".encode() * 10, ("说明.txt", "纯文本"), "other_type"
        ),
        HostileEvidence(
            "pdf header not at offset 0",
            "x.pdf",
            b"\x00\x01\x02" + good_pdf,
            ("x.pdf", "无法识别"),
            "unknown_type",
        ),
        HostileEvidence(
            "random bytes",
            "data.bin",
            random.Random(3).randbytes(5000),
            ("data.bin", "无法识别"),
            "unknown_type",
        ),
        # sizes
        HostileEvidence("empty file", "空.pdf", b"", ("空.pdf", "空文件"), "empty"),
        HostileEvidence(
            "over a small per-file limit",
            "扫描件.pdf",
            good_pdf + b"%" * 1000,
            ("扫描件.pdf", "超过每个文件", "字节"),
            "file_too_big",
            limits=SMALL,
        ),
        HostileEvidence(
            "20 MB + 1 byte",
            "扫描件.pdf",
            b"%PDF-" + bytes(20 * MB - 4),
            ("扫描件.pdf", "20,971,521 字节", "20 MB（20,971,520 字节）"),
            "file_too_big",
        ),
        HostileEvidence(
            "over the task total",
            "第二份.pdf",
            good_pdf,
            ("第二份.pdf", "本任务本轮", "合计"),
            "task_total",
            limits=EvidenceLimits(10_000, 5000),
            already_stored=4900,
        ),
        # hostile names (the message shows the cleaned name)
        HostileEvidence(
            "../ in the name",
            "../../etc/passwd.html",
            HTML,
            ("passwd.html",),
            "html",
            absent=("../", "etc"),
        ),
        HostileEvidence(
            "..\\ in the name",
            "..\\..\\Windows\\system.ini",
            HTML,
            ("system.ini",),
            "html",
            absent=("..", "\\", "Windows"),
        ),
        HostileEvidence(
            "control characters in the name",
            "a\x00b\x1b[31mc\x07.png",
            SVG,
            ("ab[31mc.png",),
            "svg",
            absent=("\x00", "\x1b", "\x07"),
        ),
        HostileEvidence(
            "right-to-left override in the name",
            "照片\u202egnp.exe",
            b"MZ" + bytes(100),
            ("照片gnp.exe",),
            "executable",
            absent=("\u202e",),
        ),
        HostileEvidence(
            "very long name",
            long_name,
            HTML,
            ("关于整改情况的说明", ".html"),
            "html",
            absent=(long_name,),
        ),
    ]


def good_samples() -> list[GoodSample]:
    """Valid minimal files of each allowed type, each with the check's expected answer."""
    return [
        GoodSample("整改报告.pdf", pdf(), "application/pdf", "PDF", "整改报告.pdf", False),
        GoodSample(
            "对象流.pdf",
            pdf(b"/PageLabels 6 0 R", objects=(object_stream(b"<< /Nums [0 << /S /D >>] >>"),)),
            "application/pdf",
            "PDF",
            "对象流.pdf",
            False,
        ),
        GoodSample("现场照片.JPG", jpeg(), "image/jpeg", "JPEG", "现场照片.jpg", True),
        GoodSample("截图", png(), "image/png", "PNG", "截图.png", True),
        GoodSample("台账.docx", docx_bytes(), DOCX_MIME, "Word", "台账.docx", False),
        GoodSample("统计表.xlsx", xlsx_bytes(), XLSX_MIME, "Excel", "统计表.xlsx", False),
        GoodSample("照片.png.exe", png(), "image/png", "PNG", "照片.png", True),
        GoodSample("../../etc/passwd", pdf(), "application/pdf", "PDF", "passwd.pdf", False),
    ]
