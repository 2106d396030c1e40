"""Evidence files (佐证材料): checked by content, refused with a clear message naming the file."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest

from metrics.intake.limits import MB, IntakeLimits
from metrics.rounds import evidence
from metrics.rounds.evidence import (
    FALLBACK_STEM,
    MAX_NAME_CHARS,
    CheckedEvidence,
    EvidenceLimits,
    EvidenceRefused,
    check_evidence,
    check_task_total,
    clean_name,
)
from tests.hostile_evidence import (
    CONTENT_TYPES,
    GoodSample,
    HostileEvidence,
    catalogue,
    docx_bytes,
    good_samples,
    many_entries_zip,
    object_stream,
    pdf,
    png,
    rezip,
)

CASES = catalogue()
GOOD = good_samples()


def test_the_catalogue_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_hostile_file_is_refused_with_its_words(case: HostileEvidence) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        check_evidence(case.raw_name, case.data, case.limits, already_stored=case.already_stored)
    message = str(refused.value)
    assert refused.value.code == case.code, message
    for word in case.words:
        assert word in message, (word, message)
    for word in case.absent:
        assert word not in message, (word, message)
    assert message.startswith("文件“"), message
    assert message.endswith("。"), message
    assert "请" in message, message  # says what to do


@pytest.mark.parametrize("sample", GOOD, ids=[sample.raw_name for sample in GOOD])
def test_every_good_sample_is_accepted(sample: GoodSample) -> None:
    checked = check_evidence(sample.raw_name, sample.data, EvidenceLimits())
    assert checked == CheckedEvidence(
        name=sample.name,
        mime=sample.mime,
        kind=sample.kind,
        size=len(sample.data),
        sha256=hashlib.sha256(sample.data).hexdigest(),
        is_image=sample.is_image,
    )


def test_the_kind_comes_from_the_content_not_the_name() -> None:
    data = png()
    for raw in ("报告.pdf", "表格.xlsx", "文档.docx", "x"):
        checked = check_evidence(raw, data, EvidenceLimits())
        assert (checked.mime, checked.kind, checked.is_image) == ("image/png", "PNG", True)
        assert checked.name.endswith(".png")


def test_hidden_javascript_is_found_only_by_inflating_the_object_stream() -> None:
    hidden = pdf(b"/OpenAction 6 0 R", objects=(object_stream(b"<< /S /JavaScript /JS (x) >>"),))
    assert b"JavaScript" not in hidden and b"/JS" not in hidden
    with pytest.raises(EvidenceRefused, match="JavaScript") as refused:
        check_evidence("a.pdf", hidden, EvidenceLimits())
    assert refused.value.code == "pdf_active"


def test_an_object_stream_inflating_beyond_the_total_is_a_bomb(monkeypatch: Any) -> None:
    monkeypatch.setattr(evidence, "_PACKAGE_LIMITS", IntakeLimits(max_total_uncompressed=MB))
    data = pdf(objects=(object_stream(b"<< >>" + b" " * (2 * MB)),))
    assert len(data) < MB // 100
    with pytest.raises(EvidenceRefused, match="压缩炸弹") as refused:
        check_evidence("a.pdf", data, EvidenceLimits())
    assert refused.value.code == "zip_bomb"
    assert "打印为 PDF" in str(refused.value)


def test_compressed_bytes_spelling_js_inside_stream_data_are_no_finding() -> None:
    """Stream data (an image, a font) may spell "/JS " by chance; only dictionaries count."""
    noise = b"\x00\x93/JS \x17\xff/EF]"
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /Length %d >>\nstream\n%s\nendstream"
    )
    data = pdf(objects=(image % (len(noise), noise),))
    assert check_evidence("a.pdf", data, EvidenceLimits()).kind == "PDF"


def test_a_zip_of_100000_entries_is_refused_before_its_directory_is_parsed(
    monkeypatch: Any,
) -> None:
    data = many_entries_zip(100_000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a real zip, as the builder claims
        assert len(archive.infolist()) == 100_000

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the zip directory was parsed")

    monkeypatch.setattr(zipfile, "ZipFile", never)
    with pytest.raises(EvidenceRefused, match="1,000") as refused:
        check_evidence("a.docx", data, EvidenceLimits())
    assert refused.value.code == "zip_entries"


def test_members_are_read_with_a_cap(monkeypatch: Any) -> None:
    """A part that inflates beyond the total limit is stopped there, whatever it claims."""
    monkeypatch.setattr(evidence, "_PACKAGE_LIMITS", IntakeLimits(max_ratio=1e9))
    big = b"<w:t>" + b"x" * (3 * MB) + b"</w:t>"
    data = rezip(docx_bytes(), add={"word/big.xml": big})
    assert check_evidence("a.docx", data, EvidenceLimits()).kind == "Word"
    monkeypatch.setattr(
        evidence, "_PACKAGE_LIMITS", IntakeLimits(max_ratio=1e9, max_total_uncompressed=MB)
    )
    with pytest.raises(EvidenceRefused, match="压缩炸弹"):
        check_evidence("a.docx", data, EvidenceLimits())


def test_a_docx_with_both_word_and_excel_parts_is_refused() -> None:
    data = rezip(docx_bytes(), add={"xl/workbook.xml": b"<workbook/>"})
    with pytest.raises(EvidenceRefused, match="同时含有 Word 和 Excel") as refused:
        check_evidence("a.docx", data, EvidenceLimits())
    assert refused.value.code == "not_office"


def test_a_package_without_content_types_is_not_office() -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        assert CONTENT_TYPES in archive.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
    with pytest.raises(EvidenceRefused) as refused:
        check_evidence("a.docx", out.getvalue(), EvidenceLimits())
    assert refused.value.code == "not_office"


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "extension", "expected"),
    [
        ("整改报告.pdf", "pdf", "整改报告.pdf"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("..\\..\\Windows\\报告.DOCX", "docx", "报告.docx"),
        ("C:\\Users\\张三\\Desktop\\照片.jpeg", "jpg", "照片.jpg"),
        ("报告.pdf.exe", "pdf", "报告.pdf"),
        ("报告.PDF", "pdf", "报告.pdf"),
        ("x.exe", "pdf", "x.pdf"),
        ("照片\u202egnp.exe", "png", "照片gnp.png"),
        ("a\x00b\x07c\u200b\u2066d.png", "png", "abcd.png"),
        ("  多个\t\n空白   字符 .png", "png", "多个 空白 字符.png"),
        ("...隐藏文件.png", "png", "隐藏文件.png"),
        (".pdf", "pdf", f"{FALLBACK_STEM}.pdf"),
        ("", "xlsx", f"{FALLBACK_STEM}.xlsx"),
        ("../", "pdf", f"{FALLBACK_STEM}.pdf"),
        ("\u202e\u200b", "png", f"{FALLBACK_STEM}.png"),
        ("ＡＢＣ１２３．ｐｄｆ", "pdf", "ABC123.pdf"),  # NFKC
        ("a／b.pdf", "pdf", "b.pdf"),  # a full-width slash is a slash after NFKC
        ("问题:整改?<b>*.pdf", "pdf", "问题：整改？＜b＞＊.pdf"),
        ("v1.2 方案", "pdf", "v1.2 方案.pdf"),
        ("报告.2024", "pdf", "报告.2024.pdf"),
        ("报告. .", "pdf", "报告.pdf"),
    ],
)
def test_clean_name(raw: str, extension: str, expected: str) -> None:
    assert clean_name(raw, extension) == expected


def test_clean_name_without_an_extension_keeps_the_names_own() -> None:
    assert clean_name("../a/通知.HTML") == "通知.HTML"
    assert clean_name("无扩展名") == "无扩展名"
    assert clean_name("\x00") == FALLBACK_STEM


@pytest.mark.parametrize("extension", ["pdf", "docx", "xlsx", "jpg", "png"])
def test_a_long_name_is_cut_to_the_limit_keeping_the_extension(extension: str) -> None:
    name = clean_name("很长的文件名" * 50 + ".exe", extension)
    assert len(name) == MAX_NAME_CHARS
    assert name.endswith("." + extension)
    assert name.startswith("很长的文件名")


def test_clean_name_is_stable() -> None:
    for raw in ("问题:整改?.pdf", "../x/y.png", "ＡＢ．pdf", "a" * 300):
        once = clean_name(raw, "pdf")
        assert clean_name(once, "pdf") == once


# -- limits --------------------------------------------------------------------------------


def test_default_limits_and_their_description(monkeypatch: Any) -> None:
    monkeypatch.delenv(evidence.FILE_ENV, raising=False)
    monkeypatch.delenv(evidence.TASK_ENV, raising=False)
    limits, problems = EvidenceLimits.from_env()
    assert limits == EvidenceLimits(20 * MB, 100 * MB)
    assert problems == []
    assert limits.describe() == (
        "佐证材料：PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx），"
        "每个文件不超过 20 MB，每项任务每轮合计不超过 100 MB"
    )


def test_limits_from_env(monkeypatch: Any) -> None:
    monkeypatch.setenv(evidence.FILE_ENV, " 5 ")
    monkeypatch.setenv(evidence.TASK_ENV, "50.5")
    limits, problems = EvidenceLimits.from_env()
    assert limits == EvidenceLimits(5 * MB, int(50.5 * MB))
    assert problems == []
    assert "每个文件不超过 5 MB，每项任务每轮合计不超过 50.5 MB" in limits.describe()


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("abc", "不是数字"),
        ("nan", "不是数字"),
        ("20MB", "不是数字"),
        ("0", "应大于 0"),
        ("-3", "应大于 0"),
        ("1e-9", "应大于 0"),
        ("inf", "应不超过"),
        ("1e300", "应不超过"),
    ],
)
def test_a_malformed_limit_keeps_its_default(monkeypatch: Any, raw: str, why: str) -> None:
    monkeypatch.setenv(evidence.FILE_ENV, raw)
    monkeypatch.setenv(evidence.TASK_ENV, raw)
    limits, problems = EvidenceLimits.from_env()
    assert limits == EvidenceLimits(20 * MB, 100 * MB)
    assert len(problems) == 2
    assert evidence.FILE_ENV in problems[0] and "已使用默认值 20 MB" in problems[0]
    assert evidence.TASK_ENV in problems[1] and "已使用默认值 100 MB" in problems[1]
    assert all(why in problem for problem in problems)


def test_a_malformed_setting_is_shown_printable_and_short(monkeypatch: Any) -> None:
    monkeypatch.setenv(evidence.FILE_ENV, "x\x1b[2J" + "9" * 100)
    _, problems = EvidenceLimits.from_env()
    assert "\x1b" not in problems[0] and len(problems[0]) < 120


def test_the_file_limit_is_inclusive() -> None:
    data = pdf()
    limits = EvidenceLimits(file_bytes=len(data), task_round_bytes=10 * len(data))
    assert check_evidence("a.pdf", data, limits).size == len(data)
    with pytest.raises(EvidenceRefused, match="超过每个文件"):
        check_evidence("a.pdf", data + b"\n", limits)


def test_the_task_total() -> None:
    limits = EvidenceLimits(file_bytes=1000, task_round_bytes=3000)
    assert check_task_total([], 1000, limits) == 1000
    assert check_task_total([1000, 1000], 1000, limits) == 3000  # exactly the limit
    with pytest.raises(EvidenceRefused, match="合计") as refused:
        check_task_total([1000, 1000], 1001, limits, name="第三份.pdf")
    assert refused.value.code == "task_total"
    assert "第三份.pdf" in str(refused.value) and "已上传" in str(refused.value)
    with pytest.raises(EvidenceRefused, match="该文件"):
        check_task_total(iter([2999]), 2, limits)
    with pytest.raises(ValueError, match="negative"):
        check_task_total([-1], 10, limits)


def test_check_evidence_counts_what_is_already_stored() -> None:
    data = pdf()
    limits = EvidenceLimits(file_bytes=10 * len(data), task_round_bytes=2 * len(data))
    assert check_evidence("a.pdf", data, limits, already_stored=len(data)).size == len(data)
    with pytest.raises(EvidenceRefused, match="本任务本轮"):
        check_evidence("a.pdf", data, limits, already_stored=len(data) + 1)


def test_the_refusal_is_a_value_error_whose_text_is_the_message() -> None:
    with pytest.raises(ValueError) as refused:
        check_evidence("空.pdf", b"", EvidenceLimits())
    assert isinstance(refused.value, EvidenceRefused)
    assert str(refused.value) == "文件“空.pdf”是空文件（0 字节）。请检查文件后重新上传。"
