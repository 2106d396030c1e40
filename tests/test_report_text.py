"""The optional 报告段落 sheet (the Word report's parts 一 and 三 and its closing) and
the report built like the district's own: parts, document type, progress text."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from openpyxl.workbook.workbook import Workbook

from briefing.document_kind import DocumentKind
from briefing.docx_report import build_report_docx
from briefing.exports import export_document
from briefing.report_prose import document_title, progress_text
from metrics.contract import OPTIONAL_SHEETS, REPORT_TEXT, ReportPart, normalise_header
from metrics.intake.untrusted import load_untrusted
from metrics.model import ProgressEntry
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING, parse_scope
from metrics.workbook.loader import LoadResult, load_workbook
from metrics.workbook.template import template_bytes
from tests.builders import write_valid

HEADERS = list(REPORT_TEXT.headers)
OWN = "中共惠济区委关于巡视整改进展情况的"
Row = dict[str, object]


def with_paragraphs(path: Path, rows: Sequence[Row]) -> Path:
    def tweak(wb: Workbook) -> None:
        ws = wb.create_sheet(REPORT_TEXT.name)
        ws.append(HEADERS)
        for row in rows:
            ws.append([row.get(normalise_header(h)) for h in HEADERS])

    return write_valid(path, tweak=tweak)


def errors(result: LoadResult) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.sheet, p.row, p.column, p.message) for p in result.errors]


def text_of(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


# -- the sheet -------------------------------------------------------------------------


def test_the_sheet_is_optional_and_an_old_workbook_loads_as_before(tmp_path: Path) -> None:
    assert REPORT_TEXT in OPTIONAL_SHEETS
    result = load_workbook(write_valid(tmp_path / "old.xlsx"))
    assert result.problems == () and result.dataset is not None
    assert result.dataset.paragraphs == ()


def test_paragraphs_are_read_in_sheet_order(tmp_path: Path) -> None:
    rows: list[Row] = [
        {"部分": "工作开展情况", "小标题": "提高政治站位", "内容": "区委高度重视……"},
        {"部分": " 下一步工作 ", "内容": "目前，整改工作已取得阶段性成果。"},
        {"部分": "结束语", "内容": "联系电话：0371-63639003", "来源": "原文末尾"},
    ]
    result = load_workbook(with_paragraphs(tmp_path / "p.xlsx", rows))
    assert result.problems == () and result.dataset is not None
    paragraphs = result.dataset.paragraphs
    assert [p.part for p in paragraphs] == [ReportPart.WORK, ReportPart.NEXT, ReportPart.CLOSING]
    assert paragraphs[0].heading == "提高政治站位" and paragraphs[1].heading == ""
    assert paragraphs[2].source == "原文末尾" and paragraphs[2].row == 4


def test_mistakes_name_sheet_row_and_column(tmp_path: Path) -> None:
    rows: list[Row] = [
        {"部分": "总体情况", "内容": "……"},
        {"部分": None, "内容": "……"},
        {"部分": "结束语", "内容": None},
    ]
    result = load_workbook(with_paragraphs(tmp_path / "bad.xlsx", rows))
    assert result.dataset is None
    found = errors(result)
    assert [(s, r, c) for s, r, c, _ in found] == [
        ("报告段落", 2, "部分"),
        ("报告段落", 3, "部分"),
        ("报告段落", 4, "内容"),
    ]
    assert "“部分”写作“总体情况”，无法识别" in found[0][3]
    assert "工作开展情况、下一步工作、结束语" in found[0][3]
    assert found[2][3].startswith("未填写“内容”")


def test_the_template_has_the_sheet_with_a_drop_down(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    sheet = book[REPORT_TEXT.name]
    assert [c.value for c in sheet[1]] == HEADERS
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert any("工作开展情况,下一步工作,结束语" in (f or "") for f in lists)
    assert book.sheetnames.index(REPORT_TEXT.name) == book.sheetnames.index("说明") - 1
    assert "报告段落" in "".join(str(c.value) for row in book["说明"].iter_rows() for c in row)


def test_paragraphs_survive_the_sandboxed_intake(repo_root: Path) -> None:
    result = load_untrusted((repo_root / "data" / "indicators.xlsx").read_bytes())
    assert result.dataset is not None
    assert len(result.dataset.paragraphs) == 13


# -- the bundled paragraphs are the report's own words -------------------------------------


def test_bundled_paragraphs_are_the_reports_own_words(repo_root: Path, scored: Scored) -> None:
    report = (repo_root / "data" / "source" / "report.txt").read_text(encoding="utf-8")
    source = tomllib.loads(
        (repo_root / "data" / "source" / "report_text.toml").read_text(encoding="utf-8")
    )
    assert len(source["paragraph"]) == len(scored.dataset.paragraphs) == 13
    for paragraph in scored.dataset.paragraphs:
        text = paragraph.text
        if "“1+3”" in text:  # the one reading, said in its note
            assert "1 3" in paragraph.note
            text = text.replace("“1+3”", "“1 3”")
        assert text in report, paragraph.row
        if paragraph.heading:
            assert f"{paragraph.heading}。{text}" in report, paragraph.row
    parts = [p.part for p in scored.dataset.paragraphs]
    assert parts.count(ReportPart.WORK) == 4 and parts.count(ReportPart.NEXT) == 4


def test_the_as_of_date_is_said_to_be_an_inference(scored: Scored, repo_root: Path) -> None:
    book = openpyxl.load_workbook(repo_root / "data" / "indicators.xlsx", read_only=True)
    rows = {r[0]: r for r in book["概况"].iter_rows(values_only=True)}
    assert rows["截至日期"][1] == datetime.datetime(2021, 5, 31)
    note = str(rows["截至日期"][2])
    assert "截至目前" in note and "未给出具体日期" in note
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert re.search(r"2021-05-31[^。]*推断", readme)


# -- the report's parts ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bulletin(scored: Scored) -> list[str]:
    return text_of(build_report_docx(scored, EVERYTHING, version="v1"))


def test_the_report_has_the_three_parts_of_the_districts_own(bulletin: list[str]) -> None:
    headings = [t for t in bulletin if re.match(r"^[一二三四]、", t)]
    assert headings == ["一、整改工作开展情况", "二、整改落实情况", "三、下一步工作"]
    one = bulletin[bulletin.index("一、整改工作开展情况") + 1 :]
    assert one[0].startswith("（一）提高政治站位。区委高度重视巡视整改工作，将其作为")
    assert one[3].startswith("（四）坚持统筹协调。区委开展各类督查13次、调研14次，")
    assert one[4].startswith("截至2021年5月31日，35项整改任务已完成30项")
    three = bulletin[bulletin.index("三、下一步工作") + 1 :]
    assert three[0].startswith("目前，我区整改工作已取得阶段性成果")  # its own opening
    assert three[1].startswith("（一）推进尚未完成的整改任务。")  # drafted from the data
    assert three[2].startswith("（二）强化领导，扛稳压实管党治党责任。")  # its own items
    assert three[4].startswith("（四）统筹推进，助推全区工作发展。")
    assert three[5] == "欢迎广大干部群众对巡视整改落实情况进行监督。如有意见建议，请及时反映。"
    assert (
        "通讯地址：开元路8号中共惠济区委办公室（信封上注明“关于巡视整改落实情况的意见建议”）"
        in three
    )
    assert bulletin[-2:] == ["中共惠济区委", "2021年5月31日"]


def test_title_and_body_agree_on_the_document_type(scored: Scored) -> None:
    assert DocumentKind.of_title(scored.meta.title) is DocumentKind.BULLETIN
    report = text_of(build_report_docx(scored, EVERYTHING, version="v1", kind=DocumentKind.REPORT))
    assert report[0] == "中共惠济区委关于巡视整改进展情况的报告"
    assert report[1].endswith("现将截至2021年5月31日的整改进展情况报告如下。")
    assert not any("通报如下" in t for t in report)
    bulletin = text_of(build_report_docx(scored, EVERYTHING, version="v1"))
    assert bulletin[0] == "中共惠济区委关于巡视整改进展情况的通报"
    assert bulletin[1].endswith("整改进展情况通报如下。")
    exported = export_document("docx", scored, EVERYTHING, version="v1", kind=DocumentKind.REPORT)
    assert exported.file_name == "整改进展情况报告_2021-05-31.docx"


@pytest.mark.parametrize(
    ("title", "kind", "expected"),
    [
        (
            "中共惠济区委关于巡视整改进展情况的通报",
            "报告",
            "中共惠济区委关于巡视整改进展情况的报告",
        ),
        ("关于巡视整改情况的报告", "通报", "关于巡视整改情况的通报"),
        ("惠济区巡视整改进展看板", "报告", "中共惠济区委关于巡视整改进展情况的报告"),
        (
            "中共惠济区委关于巡视整改进展情况的通报,第二期",
            "通报",
            "中共惠济区委关于巡视整改进展情况的通报",
        ),
    ],
)
def test_document_titles(scored: Scored, title: str, kind: str, expected: str) -> None:
    meta = dataclasses.replace(scored.meta, title=title)
    assert document_title(meta, DocumentKind(kind)) == expected


def test_without_closing_rows_a_report_ends_as_reports_do(scored: Scored) -> None:
    dataset = dataclasses.replace(scored.dataset, paragraphs=())
    text = text_of(build_report_docx(score(dataset), EVERYTHING, version="v1"))
    assert [t for t in text if t][-3:] == ["特此通报。", "中共惠济区委", "2021年5月31日"]
    headings = [t for t in text if re.match(r"^[一二三]、", t)]
    assert headings == ["一、整改工作开展情况", "二、整改落实情况", "三、下一步工作"]
    one = text[text.index("一、整改工作开展情况") + 1]
    assert one.startswith("截至2021年5月31日，35项整改任务已完成30项")


def test_a_scoped_report_leaves_the_district_wide_paragraphs_out(scored: Scored) -> None:
    text = text_of(build_report_docx(scored, parse_scope("方面:2", scored), version="v1"))
    joined = "\n".join(text)
    assert "提高政治站位" not in joined and "强化领导，扛稳压实" not in joined
    assert "欢迎广大干部群众" in joined  # the closing stays


def test_the_latest_accepted_progress_is_in_its_task(scored: Scored) -> None:
    entries = (
        ProgressEntry(9, "2021年5月进展", datetime.date(2021, 5, 20), "旧的进展。", "区住建局"),
        ProgressEntry(
            9, "2021年5月进展", datetime.date(2021, 5, 31), "新开工安置房3万平方米", "区住建局"
        ),
    )
    dataset = dataclasses.replace(scored.dataset, progress=entries)
    text = text_of(build_report_docx(score(dataset), EVERYTHING, version="v1"))
    start = next(i for i, t in enumerate(text) if t.startswith("（9）回迁安置进展缓慢。"))
    assert text[start + 1] == "截至2021年5月31日，新开工安置房3万平方米。"
    assert not any("旧的进展" in t for t in text)
    assert progress_text(entries[0]) == "截至2021年5月20日，旧的进展。"


def test_a_figure_newer_than_the_measures_is_given_under_its_name(scored: Scored) -> None:
    from metrics.model import Observation

    rate = next(ip for ip in scored.indicators if ip.indicator.name == "回迁安置率")
    newer = Observation(rate.indicator.id, scored.meta.as_of, 70.1, text="70.1%", row=999)
    dataset = dataclasses.replace(
        scored.dataset, observations=(*scored.dataset.observations, newer)
    )
    text = "\n".join(text_of(build_report_docx(score(dataset), EVERYTHING, version="v1")))
    assert "回迁安置率为70.1%。" in text
    assert "回迁率67.7%" in text  # the measures as the report wrote them


def test_the_command_line_chooses_the_document_type(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing.cli import main

    out = tmp_path / "报告.docx"
    workbook = str(repo_root / "data" / "indicators.xlsx")
    assert main([workbook, "--format", "docx", "--doc-type", "报告", "--out", str(out)]) == 0
    text = text_of(out.read_bytes())
    assert text[0] == "中共惠济区委关于巡视整改进展情况的报告"
    assert [t for t in text if t][-3] == "邮政编码：450043"  # the workbook's own closing
    with pytest.raises(SystemExit) as usage:
        main([workbook, "--format", "docx", "--doc-type", "简报", "--out", str(out)])
    assert usage.value.code == 2
    assert "简报" in capsys.readouterr().err
