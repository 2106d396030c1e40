"""Intake: hostile and odd files end in a clear refusal (or a correct acceptance),
never in a crash of the calling process."""

from __future__ import annotations

import io
import logging
import os
import random
import zipfile
from pathlib import Path

import pytest

from metrics.intake.checks import check_package, describe_content
from metrics.intake.limits import IntakeLimits
from metrics.intake.transport import decode_result, encode_result
from metrics.intake.untrusted import load_untrusted
from metrics.workbook.loader import LoadResult, load_workbook
from tests.hostile import (
    declared_size_lie,
    raw_zip,
    replace_text,
    rezip,
    sheet_part,
    valid_bytes,
    with_dimension,
    with_far_cell,
)

REAL = Path(__file__).parent / "data" / "real"


def refusal(data: bytes, limits: IntakeLimits | None = None) -> str:
    result = load_untrusted(data, limits or IntakeLimits())
    assert not result.ok
    assert result.errors, "a refused file must say why"
    return result.errors[0].message


def test_a_valid_workbook_passes(tmp_path: Path) -> None:
    result = load_untrusted(valid_bytes(tmp_path), IntakeLimits())
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None and len(result.dataset.tasks) == 3


def test_the_bundled_workbook_passes(bundled_workbook: Path) -> None:
    assert load_untrusted(bundled_workbook.read_bytes(), IntakeLimits()).ok


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "空文件"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "PNG 图片"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
        ("编号,任务\n1,回迁\n".encode("gb18030"), "CSV"),
        (b"%PDF-1.7\n", "PDF"),
    ],
)
def test_renamed_files_are_named(content: bytes, words: str) -> None:
    message = refusal(content)
    assert words in message and "另存为" in message


def test_encrypted_workbook_is_refused_with_advice() -> None:
    message = refusal((REAL / "calamine__pass_protected.xlsx").read_bytes())
    assert "OLE2" in message and "密码" in message


def test_billion_laughs_is_refused_before_parsing() -> None:
    message = refusal((REAL / "poi__54764.xlsx").read_bytes())
    assert "DTD" in message


def test_truncated_zip() -> None:
    data = REAL / "poi__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx"
    assert "损坏" in refusal(data.read_bytes())


def test_crc_corrupted_zip(tmp_path: Path) -> None:
    data = bytearray(valid_bytes(tmp_path))
    name = sheet_part(bytes(data)).encode()
    offset = data.index(name) + len(name) + 20  # inside the first worksheet's data
    data[offset] ^= 0xFF
    result = load_untrusted(bytes(data), IntakeLimits())
    assert not result.ok
    assert result.errors[0].message  # refused or unreadable, in words


def test_macro_workbook(tmp_path: Path) -> None:
    data = rezip(valid_bytes(tmp_path), add={"xl/vbaProject.bin": b"\0" * 64})
    assert "含宏" in refusal(data)


def test_xlsb_and_ods_and_docx() -> None:
    assert ".xlsb" in refusal(
        raw_zip([("xl/workbook.bin", b"\0"), ("[Content_Types].xml", b"<x/>")])
    )
    assert ".ods" in refusal(
        raw_zip([("mimetype", b"application/vnd.oasis"), ("content.xml", b"<x/>")])
    )
    assert "Word" in refusal(raw_zip([("word/document.xml", b"<x/>")]))


def test_strict_open_xml(tmp_path: Path) -> None:
    data = valid_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml")
    strict = workbook.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    )
    assert "Strict" in refusal(rezip(data, replace={"xl/workbook.xml": strict}))


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    bomb = rezip(valid_bytes(tmp_path), add={"xl/media/padding.xml": b"<a/>" + b" " * 5_000_000})
    assert "压缩比" in refusal(bomb)


def test_total_uncompressed_size(tmp_path: Path) -> None:
    data = rezip(valid_bytes(tmp_path), add={"xl/media/big.bin": os.urandom(2_000_000)})
    assert "解压后超过" in refusal(data, IntakeLimits(max_total_uncompressed=1_000_000))


def test_upload_size_limit(tmp_path: Path) -> None:
    assert "超过上限" in refusal(valid_bytes(tmp_path), IntakeLimits(max_upload_bytes=1000))


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "xl/../../evil.xml", "C:/evil.xml"])
def test_path_traversal_names(name: str) -> None:
    assert "非法的部件名" in refusal(raw_zip([("xl/workbook.xml", b"<w/>"), (name, b"x")]))


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
def test_duplicate_entry_names() -> None:
    data = raw_zip([("xl/workbook.xml", b"<w/>"), ("xl/workbook.xml", b"<w/>")])
    assert "重复" in refusal(data)


def test_too_many_entries() -> None:
    entries = [("xl/workbook.xml", b"<w/>")] + [(f"xl/media/{i}.bin", b"x") for i in range(30)]
    assert "部件" in refusal(raw_zip(entries), IntakeLimits(max_entries=20))


def test_sheet_claiming_the_whole_grid(tmp_path: Path) -> None:
    data = with_dimension(valid_bytes(tmp_path), "A1:XFD1048576")
    message = refusal(data)
    assert "1048576 行 × 16384 列" in message


def test_a_parse_that_takes_too_long_is_stopped(tmp_path: Path) -> None:
    message = refusal(valid_bytes(tmp_path), IntakeLimits(parse_seconds=0.001))
    assert "秒仍未完成" in message


def test_a_cell_at_the_end_of_the_grid_crashes_only_the_child(tmp_path: Path) -> None:
    """python-calamine aborts on a sheet with cells at A1 and XFD1048576 (it would
    allocate the whole grid). The row scan refuses it before any parsing; with that
    limit lifted, the abort happens in the child and this process goes on."""
    far = with_far_cell(valid_bytes(tmp_path))
    assert "第 1048576 行" in refusal(far)
    message = refusal(far, IntakeLimits(max_rows=2_000_000))
    assert "异常退出" in message
    assert load_untrusted(valid_bytes(tmp_path), IntakeLimits()).ok  # still serving


def test_a_parse_that_runs_out_of_memory_is_contained(tmp_path: Path) -> None:
    # The child has already mapped more than 1 MB: its first allocation fails and it
    # dies without an answer, while this process carries on.
    message = refusal(valid_bytes(tmp_path), IntakeLimits(parse_memory_bytes=1024 * 1024))
    assert "异常退出" in message or "内存" in message
    assert load_untrusted(valid_bytes(tmp_path), IntakeLimits()).ok  # still serving


def test_limits_from_the_environment() -> None:
    limits = IntakeLimits.from_env({"ZHENGGAI_MAX_UPLOAD_MB": "2", "ZHENGGAI_MAX_RATIO": "50"})
    assert limits.max_upload_bytes == 2 * 1024 * 1024 and limits.max_ratio == 50
    assert IntakeLimits.from_env({}) == IntakeLimits()


def test_describe_content_of_a_zip_is_none(tmp_path: Path) -> None:
    assert describe_content(valid_bytes(tmp_path)) is None
    check_package(valid_bytes(tmp_path), IntakeLimits())  # does not raise


@pytest.mark.parametrize(
    ("ref", "words"),
    [("A1:XFD1", "16384 列"), ("A1:D1000000", "1000000 行")],
)
def test_sheets_claiming_too_many_columns_or_rows(tmp_path: Path, ref: str, words: str) -> None:
    assert words in refusal(with_dimension(valid_bytes(tmp_path), ref))


def test_two_thousand_sheets(tmp_path: Path) -> None:
    extra = {f"xl/worksheets/sheet{i}.xml": b"<worksheet/>" for i in range(10, 2010)}
    message = refusal(rezip(valid_bytes(tmp_path), add=extra))
    assert "超过上限" in message


def test_a_million_character_cell(tmp_path: Path) -> None:
    """Excel stops at 32,767 characters; a longer cell means the file was made by a tool,
    and it is refused with the cell named (random text, so it is no zip bomb)."""
    rng = random.Random(7)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(1_000_000))
    data = valid_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")  # 任务
    patched = replace_text(sheet, "一是……", text.encode())
    message = refusal(rezip(data, replace={"xl/worksheets/sheet1.xml": patched}))
    assert "1000000 个字符" in message and "32767" in message


def test_zip_bomb_hidden_by_a_declared_size_lie(tmp_path: Path) -> None:
    name = "xl/media/lie.xml"
    bomb = rezip(valid_bytes(tmp_path), add={name: b"<a>" + b" " * 30_000_000 + b"</a>"})
    lying = declared_size_lie(bomb, name, 100)
    result = load_untrusted(lying, IntakeLimits())
    assert not result.ok and result.errors[0].message  # refused in words, never a crash
    assert load_untrusted(valid_bytes(tmp_path), IntakeLimits()).ok


def test_quadratic_blowup_xml_is_refused(tmp_path: Path) -> None:
    entity = "x" * 50_000
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "{entity}">]>'
        "<sst>" + "&a;" * 50_000 + "</sst>"
    ).encode()
    data = rezip(valid_bytes(tmp_path), add={"xl/sharedStrings.xml": xml})
    assert "压缩比" in refusal(data)  # the ratio rule catches it first
    assert "DTD" in refusal(data, IntakeLimits(max_ratio=100_000))  # and so does the DTD rule


def test_invalid_xml_characters_end_in_words(tmp_path: Path) -> None:
    data = valid_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    broken = replace_text(sheet, "一是……", b"\x01\x02\x0b")
    result = load_untrusted(rezip(data, replace={"xl/worksheets/sheet1.xml": broken}))
    assert result.ok or result.errors[0].message  # accepted as text, or refused in words


def test_a_workbook_of_100000_observations_passes(tmp_path: Path) -> None:
    """The default limits are generous enough for real use: 100,000 rows of data."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench", Path(__file__).resolve().parent.parent / "scripts" / "bench.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = bench.generate(tmp_path / "big.xlsx").read_bytes()
    result = load_untrusted(data, IntakeLimits())
    assert result.ok, [str(p) for p in result.problems[:3]]
    assert result.dataset is not None and len(result.dataset.observations) == 100_000


def test_a_small_file_with_a_million_real_rows(tmp_path: Path) -> None:
    """No dimension to give it away: the rows are counted while streaming the part."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1_000_001)
    )
    data = valid_bytes(tmp_path)
    name = "xl/worksheets/sheet9.xml"
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    packed = rezip(data, add={name: sheet + rows + b"</sheetData></worksheet>"})
    assert len(packed) < 10 * 1024 * 1024
    message = refusal(packed, IntakeLimits(max_ratio=10_000))  # past the ratio rule
    assert name in message and "200000" in message


def test_row_counting_across_chunk_boundaries(tmp_path: Path) -> None:
    rows = b"".join(
        b'<x:row r="%d" spans="1:1"><x:c><x:v>1</x:v></x:c></x:row>' % i for i in range(1, 60_001)
    )
    data = rezip(valid_bytes(tmp_path), add={"xl/worksheets/sheet9.xml": b"<x:sheetData>" + rows})
    limits = IntakeLimits(max_ratio=10_000, max_rows=59_999)
    assert "60000" in refusal(data, limits)
    check_package(data, IntakeLimits(max_ratio=10_000, max_rows=60_000))  # exactly at the limit


def test_external_entity_is_refused(tmp_path: Path) -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>'
    )
    data = rezip(valid_bytes(tmp_path), add={"xl/sharedStrings.xml": xxe})
    assert "DTD" in refusal(data)


@pytest.mark.parametrize("raw", ["abc", "-5", "1e999", "0", "nan", "-inf", "1e300", "10MB"])
def test_a_malformed_setting_keeps_its_default_and_is_named(raw: str) -> None:
    env = {"ZHENGGAI_MAX_UPLOAD_MB": raw, "ZHENGGAI_MAX_RATIO": "50"}
    limits, problems = IntakeLimits.checked_from_env(env)
    assert limits.max_upload_bytes == IntakeLimits().max_upload_bytes
    assert limits.max_ratio == 50  # the good setting still applies
    assert len(problems) == 1
    assert "ZHENGGAI_MAX_UPLOAD_MB" in problems[0] and "已使用默认值 10 MB" in problems[0]


@pytest.mark.parametrize(
    ("name", "raw", "field"),
    [
        ("ZHENGGAI_MAX_ROWS", "2.5", "max_rows"),
        ("ZHENGGAI_MAX_COLUMNS", "99999", "max_columns"),
        ("ZHENGGAI_PARSE_SECONDS", "1e999", "parse_seconds"),
        ("ZHENGGAI_PARSE_MEMORY_MB", "-1", "parse_memory_bytes"),
        ("ZHENGGAI_MAX_ENTRIES", "lots", "max_entries"),
    ],
)
def test_every_setting_is_checked(name: str, raw: str, field: str) -> None:
    limits, problems = IntakeLimits.checked_from_env({name: raw})
    assert getattr(limits, field) == getattr(IntakeLimits(), field)
    assert len(problems) == 1 and name in problems[0] and "默认值" in problems[0]


def test_a_malformed_setting_is_logged_once_and_uploads_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ZHENGGAI_MAX_UPLOAD_MB", "not-a-number-7")
    caplog.set_level(logging.WARNING, logger="metrics.intake.limits")
    assert IntakeLimits.from_env() == IntakeLimits()
    for _ in range(2):
        assert load_untrusted(valid_bytes(tmp_path)).ok  # not an exception on every upload
    logged = [r.getMessage() for r in caplog.records if "ZHENGGAI_MAX_UPLOAD_MB" in r.getMessage()]
    assert logged == [
        "设置 ZHENGGAI_MAX_UPLOAD_MB=“not-a-number-7” 无效（不是数字），已使用默认值 10 MB"
    ]


def test_the_childs_answer_survives_the_transport(bundled_workbook: Path) -> None:
    result = load_workbook(bundled_workbook)
    assert result.dataset is not None
    again = decode_result(encode_result(result))
    assert again == result
    assert again is not None and again.dataset is not None
    indicator = result.dataset.indicators[0].id
    assert again.dataset.history(indicator) == result.dataset.history(indicator)
    refused = LoadResult(None, result.problems)
    assert decode_result(encode_result(refused)) == refused
    assert decode_result(b"") is None
    assert decode_result(b"garbage") is None
