"""The Word report (``python -m briefing FILE --format docx``), read back with python-docx:
official-document layout (GB/T 9704-2012), every task and indicator in scope, real
headings, tables, captions and figures, workbook text as typed, the 督办 colours."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle

from briefing.docx_figures import chart_key, render_figures, report_charts
from briefing.docx_layout import east_asian_font
from briefing.docx_report import build_report_docx
from briefing.exports import build_document
from briefing.images import Renderer
from briefing.numbering import chinese_number
from briefing.report_prose import indicator_text, task_text, without_ordinal
from metrics.scoring.headline import headline
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING, Scope, parse_scope
from metrics.supervision.model import RoundFacts, RoundsFacts
from metrics.supervision.rules import colours
from metrics.supervision.settings import SupervisionSettings
from metrics.workbook.loader import load_workbook
from report.views import attention_items
from report.wording import chinese_punctuation, target_text, value_text
from tests.coloured_exports import coloured
from tests.markup import markup_workbook

D = datetime.date
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes) -> DocxDocument:
    return Document(io.BytesIO(data))


def body_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def report(scored: Scored) -> DocxDocument:
    return read(build_report_docx(scored, EVERYTHING, version="v1"))


@pytest.fixture(scope="module")
def with_figures(scored: Scored, renderer: Renderer) -> bytes:
    return build_report_docx(
        scored, EVERYTHING, version="v1", figures=render_figures(renderer, scored)
    )


# -- layout -------------------------------------------------------------------------------


def test_page_is_a4_with_the_standard_margins(report: DocxDocument) -> None:
    for section in report.sections:
        sizes = (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
        # Stored in twentieths of a point: within 0.02 mm of the standard's figures.
        assert [round(size.mm, 1) for size in sizes if size is not None] == [
            210,
            297,
            37,
            35,
            28,
            26,
        ]


def test_22_lines_of_28_characters(report: DocxDocument) -> None:
    grid = report.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid is not None and grid.get(f"{W}linePitch") == "579"  # 28.95 pt
    normal = report.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    text_block_height = Mm(297 - 37 - 35)
    assert int(text_block_height / Pt(28.95)) == 22
    spacing = normal.element.rPr.find(f"{W}spacing")  # characters closed up
    pitch = 16 + int(spacing.get(f"{W}val")) / 20
    assert int(Mm(210 - 28 - 26).pt / pitch) == 28


@pytest.mark.parametrize(
    ("style", "font", "size", "bold"),
    [
        ("Title", "方正小标宋简体", 22, False),
        ("Normal", "仿宋_GB2312", 16, None),
        ("Heading 1", "黑体", 16, False),
        ("Heading 2", "楷体_GB2312", 16, False),
        ("Heading 3", "仿宋_GB2312", 16, True),
        ("Footer", "宋体", 14, None),
    ],
)
def test_fonts_are_set_for_east_asian_text(
    report: DocxDocument, style: str, font: str, size: int, bold: bool | None
) -> None:
    found = report.styles[style]
    assert isinstance(found, ParagraphStyle)
    assert east_asian_font(found) == font
    assert found.font.size == Pt(size)
    assert found.font.bold is bold
    assert found.font.color.rgb is None  # no theme blue from the template


def test_the_title_is_centred_and_headings_are_real_headings(
    report: DocxDocument, scored: Scored
) -> None:
    title = report.paragraphs[0]
    assert title.style is not None and title.style.name == "Title"
    assert title.text == scored.meta.title
    levels = [p.style.name for p in report.paragraphs if p.style and p.style.name != "Normal"]
    assert levels.count("Heading 1") == 3
    assert levels.count("Heading 2") == 3  # the three 方面
    assert levels.count("Heading 3") == 12  # the twelve 问题


def test_page_numbers_outer_edge_with_dashes(report: DocxDocument) -> None:
    settings = report.settings.element
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    section = report.sections[0]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text or "" for t in paragraph._p.iter(f"{W}instrText"))
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert f'w:jc w:val="{alignment}"' in xml
        indent = "right_indent" if alignment == "right" else "left_indent"
        assert getattr(paragraph.paragraph_format, indent) == Pt(14)  # one character in


def test_fallback_fonts_are_named_in_the_font_table(scored: Scored) -> None:
    data = build_report_docx(scored, EVERYTHING, version="v1")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        fonts = package.read("word/fontTable.xml").decode("utf-8")
        assert "docProps/thumbnail.jpeg" not in package.namelist()
    for name, fallback in (
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
        ("方正小标宋简体", "宋体"),
    ):
        assert re.search(rf'w:name="{name}"><w:altName w:val="{fallback}"/>', fonts), name


# -- content ------------------------------------------------------------------------------


def test_opening_says_who_inspected_when_and_the_feedback_date(report: DocxDocument) -> None:
    opening = report.paragraphs[1].text
    assert opening.startswith(
        "省委第四巡视组于2020年9月13日至2020年11月10日对中共惠济区委进行了巡视，"
        "并于2021年2月4日反馈了巡视意见，反馈意见涉及3个方面12个问题，细化为35项整改任务。"
    )


def test_overall_progress_sentence(report: DocxDocument, scored: Scored) -> None:
    text = body_text(report)
    assert "截至2021年5月31日，35项整改任务已完成30项，正在整改5项，整改率85.7%。" in text
    figures = headline(scored)
    assert f"已有统计并可比较的3个中已达到目标{figures.indicators_met}个、进度正常1个" in text


def test_every_task_measure_and_figure_is_in_the_report(
    report: DocxDocument, scored: Scored
) -> None:
    """No figure is dropped: each stands in its task's text, in the measures as the
    report words it, in the source's own sentence, or under its name."""
    text = squeeze(body_text(report))
    for tp in scored.tasks:
        written = task_text(tp, scored)
        assert squeeze(chinese_punctuation(tp.task.title)) in text, tp.task.id
        assert squeeze(chinese_punctuation(tp.task.measures)) in text, tp.task.id
        assert squeeze(written.figures) in text, tp.task.id
        said = squeeze(written.body + written.figures)
        for ip in tp.indicators:
            if ip.latest is not None:
                assert squeeze(value_text(ip)) in said, ip.indicator.id
            elif ip.indicator.target is not None:
                number = int(ip.indicator.target)
                forms = {squeeze(target_text(ip)).split("（")[0]}
                if 1 <= number <= 10:  # "每半年至少研究一次"
                    forms.add(f"{chinese_number(number)}次")
                assert any(form in said for form in forms), ip.indicator.id


def test_a_figure_the_measures_state_is_not_repeated_under_its_database_name(
    report: DocxDocument,
) -> None:
    text = body_text(report)
    assert "累计回迁群众9.62万人，回迁率67.7%" in text  # the measures, as the report says it
    for name in ("回迁安置率为", "累计回迁群众为", "在建（有序推进）条数", "相当于2019年的倍数"):
        assert name not in text, name
    # A figure the measures leave out comes in the report's own sentence.
    assert "其中有3家企业2020年营业收入超亿元，占比10%。" in text
    assert "2020年新增“四上”单位77家，是2019年入库数量近2倍。" in text


def test_a_figure_sentence_words_plans_and_gaps(scored: Scored) -> None:
    road = next(ip for ip in scored.indicators if ip.indicator.name.startswith("“十四五”规划区级"))
    assert (
        indicator_text(road, scored.meta.as_of) == "“十四五”规划区级道路43条（2025年12月31日前）。"
    )
    pm25 = next(ip for ip in scored.indicators if ip.indicator.name.startswith("PM2.5"))
    assert indicator_text(pm25, scored.meta.as_of) == (
        "PM2.5年均浓度为52微克/立方米（2020年12月31日），目标54微克/立方米（2020年12月31日前），"
        "较目标低2微克/立方米，已达到目标。"
    )
    investment = next(ip for ip in scored.indicators if ip.indicator.id == "T05-04")
    assert indicator_text(investment, scored.meta.as_of) == (
        "省市重点项目完成投资为87.6亿元，目标211亿元（2021年12月31日前），已完成目标的41.5%。"
    )


def test_a_document_sent_up_never_shows_a_data_gap_or_a_code(report: DocxDocument) -> None:
    text = body_text(report)
    # Plans and expectations stand as the report states them.
    for phrase in ("“十四五”期间规划区级道路43条", "公办占比40%", "656个拆除任务"):
        assert phrase in text, phrase
    for gap in ("尚无数据", "未填写", "无法评估", "无数据", "序时进度", "（2021年5月31日）"):
        assert gap not in text, gap
    assert not re.search(r"T\d\d-\d\d|\.xlsx|v\d", text)


def test_figures_are_worded_as_the_report_words_them(report: DocxDocument) -> None:
    text = body_text(report)
    for phrase in ("6200余亩", "十余万人次", "三十万余次", "第1", "第一", "67.7%", "13050个"):
        assert phrase in text, phrase
    for wrong in ("1名次", "10万余人次", "13,050"):
        assert wrong not in text, wrong


def test_part_three_lists_the_open_tasks_in_prose_when_they_are_few(
    report: DocxDocument, scored: Scored
) -> None:
    paragraphs = [p.text for p in report.paragraphs]
    part = paragraphs[paragraphs.index("三、下一步工作") + 1 :]
    drafted = next(p for p in part if p.startswith("（一）推进尚未完成的整改任务。"))
    assert drafted.startswith("（一）推进尚未完成的整改任务。尚有5项整改任务未完成：（7）防范化解")
    for tp in scored.tasks:
        assert (f"（{tp.task.id}）" in drafted) == (not tp.complete), tp.task.id
    assert not report.tables  # five items read better in a sentence than in a table


def many_open(scored: Scored) -> Scored:
    """The bundled data with tasks (1)–(12) still open: 14 open tasks in all."""
    from metrics.contract import TaskStatus

    tasks = tuple(
        dataclasses.replace(t, status=TaskStatus.IN_PROGRESS) if t.id <= 12 else t
        for t in scored.dataset.tasks
    )
    return score(dataclasses.replace(scored.dataset, tasks=tasks))


def test_many_open_items_go_into_a_table_every_one_listed(scored: Scored) -> None:
    many = many_open(scored)
    document = read(build_report_docx(many, EVERYTHING, version="v1"))
    (table,) = document.tables
    items = attention_items(many)
    assert len(items) > 10
    assert [c.text for c in table.rows[0].cells] == ["序号", "类别", "任务编号", "状态", "情况"]
    assert {row.cells[3].text for row in table.rows[1:]} <= {
        "正在整改",
        "未启动",
        "慢于时间进度",
        "明显慢于时间进度",
    }
    assert len(table.rows) == len(items) + 1
    assert [row.cells[2].text for row in table.rows[1:]] == [f"（{i.task_id}）" for i in items]
    header = table.rows[0]._tr
    assert header.find(f"{W}trPr/{W}tblHeader") is not None  # repeated on each page
    caption = next(p for p in document.paragraphs if p.text.startswith("表"))
    assert "SEQ 表" in caption._p.xml
    drafted = next(p.text for p in document.paragraphs if p.text.startswith("（一）推进尚未"))
    assert "（见表1）" in drafted


def test_a_scope_keeps_only_its_tasks_numbered_without_gaps(scored: Scored) -> None:
    scope = parse_scope("方面:2", scored)
    document = read(build_report_docx(scored, scope, version="v1"))
    text = body_text(document)
    kept = scope.apply(scored).tasks
    assert kept and len(kept) < len(scored.tasks)
    for tp in scored.tasks:
        measures = squeeze(chinese_punctuation(tp.task.measures))
        assert (measures in squeeze(text)) == (tp in kept), tp.task.id
    level2 = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 2"]
    assert len(level2) == 1 and level2[0].startswith("（一）全面从严治党")
    level3 = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 3"]
    assert [h.split(".")[0] for h in level3] == [str(n) for n in range(1, len(level3) + 1)]
    assert "范围" in text


def test_figures_are_print_resolution_images_with_numbered_captions(
    with_figures: bytes, scored: Scored
) -> None:
    document = read(with_figures)
    pictures = document.inline_shapes
    expected = report_charts(scored)
    assert len(pictures) == len(expected) == 3
    for shape in pictures:
        assert shape.width == Mm(156)
    captions = [p for p in document.paragraphs if re.match(r"^图\d", p.text)]
    assert [re.sub(r"^图\d+\s*", "", p.text) for p in captions] == [c for c, _ in expected]
    assert all("SEQ 图" in p._p.xml for p in captions)
    with zipfile.ZipFile(io.BytesIO(with_figures)) as package:
        images = [n for n in package.namelist() if n.startswith("word/media/")]
        for name in images:
            png = package.read(name)
            width = int.from_bytes(png[16:20], "big")
            assert width >= 2000  # about 370 dpi across 156 mm


def test_export_entry_point_builds_the_same_report(scored: Scored, renderer: Renderer) -> None:
    data = build_document("docx", scored, EVERYTHING, version="v1", renderer=renderer)
    document = read(data)
    assert len(document.inline_shapes) == 3
    assert body_text(document) == body_text(
        read(
            build_report_docx(
                scored, EVERYTHING, version="v1", figures=render_figures(renderer, scored)
            )
        )
    )


# -- workbook text --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def marked(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path
) -> Iterator[tuple[Scored, dict[str, str]]]:
    out = tmp_path_factory.mktemp("markup-docx") / "markup.xlsx"
    typed = markup_workbook(repo_root / "data" / "indicators.xlsx", out)
    result = load_workbook(out)
    assert result.dataset is not None
    yield score(result.dataset), typed


def test_workbook_text_is_text(marked: tuple[Scored, dict[str, str]]) -> None:
    scored, typed = marked
    data = build_report_docx(scored, EVERYTHING, version="v1")
    document = read(data)
    text = body_text(document)
    # Task notes, indicator sources and notes are staff's notes on the data (kept in the
    # dashboard, the HTML report and the Excel summary): the report shows the rest.
    # The title is the document's own ("……情况的报告") unless 标题 names a document type.
    for field in ("TT", "MM", "CC", "PP", "UU", "II", "HO"):
        assert squeeze(typed[field]) in squeeze(text), field
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        relations = package.read("word/_rels/document.xml.rels").decode("utf-8")
        xml = package.read("word/document.xml").decode("utf-8")
    assert "hyperlink" not in relations and "<w:hyperlink" not in xml
    assert "203.0.113.7" not in relations


# -- numbering helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "words"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五")]
)
def test_chinese_numbers(n: int, words: str) -> None:
    assert chinese_number(n) == words


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("(一)学习贯彻", "学习贯彻"),
        ("（三）贯彻落实", "贯彻落实"),
        ("1.理论指导实践有差距", "理论指导实践有差距"),
        ("12、干部队伍", "干部队伍"),
        ("二、问题", "问题"),
        ("没有编号", "没有编号"),
        ("(一)", "(一)"),
    ],
)
def test_headings_drop_the_workbooks_own_numbers(text: str, bare: str) -> None:
    assert without_ordinal(text) == bare


def test_scope_label_in_a_scoped_file(scored: Scored) -> None:
    scope = Scope(task_ids=(9,))
    document = read(build_report_docx(scored, scope, version="v1"))
    assert any("任务" in p.text and "范围" in p.text for p in document.paragraphs)


def test_without_the_inspection_rows_the_opening_says_only_what_is_known(
    tmp_path: Path,
) -> None:
    from tests.builders import write_valid

    result = load_workbook(write_valid(tmp_path / "small.xlsx"))
    assert result.dataset is not None
    small = score(result.dataset)
    assert small.meta.inspection_team == "" and small.meta.inspection_start is None
    opening = read(build_report_docx(small, EVERYTHING, version="v1")).paragraphs[1].text
    feedback = small.meta.feedback_date
    assert opening.startswith(
        f"{feedback.year}年{feedback.month}月{feedback.day}日，巡视组向{small.meta.organisation}"
        "反馈了巡视意见，"
    )
    assert "巡视组于" not in opening


def test_a_bad_inspection_date_is_named_by_sheet_row_and_column(tmp_path: Path) -> None:
    from tests.builders import meta, write_valid

    rows = [*meta(), ("巡视组", "省委第一巡视组"), ("巡视开始日期", "九月")]
    result = load_workbook(write_valid(tmp_path / "bad.xlsx", meta=rows))
    assert result.dataset is None
    (problem,) = result.errors
    assert (problem.sheet, problem.column) == ("概况", "内容")
    assert problem.row == len(rows) + 1 and "巡视开始日期" in problem.message


def test_signed_by_the_organisation_with_the_datas_date(report: DocxDocument) -> None:
    signature = [p for p in report.paragraphs if p.style is not None and p.style.name == "落款"]
    assert [p.text for p in signature] == ["中共惠济区委", "2021年5月31日"]
    style = signature[0].style
    assert style is not None and style.paragraph_format.right_indent == Pt(64)  # 右空四字


def test_command_line_report_and_without_chromium_says_the_figures_are_missing(
    bundled_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from briefing.cli import main

    out = tmp_path / "报告.docx"
    monkeypatch.setenv("ZHENGGAI_CHROMIUM", str(tmp_path / "nowhere"))
    assert main([str(bundled_workbook), "--format", "docx", "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "未插入图表" in said.err and "apt-get install chromium" in said.err
    assert f"已生成 {out}" in said.out
    document = Document(str(out))
    assert len(document.inline_shapes) == 0
    assert "整改率85.7%" in body_text(document)


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("中共惠济区委关于巡视整改进展情况的通报", ["中共惠济区委关于巡视整改进展情况的通报"]),
        (
            "中共郑州市惠济区委员会关于省委第四巡视组反馈意见整改进展情况的通报",
            ["中共郑州市惠济区委员会关于", "省委第四巡视组反馈意见整改进展情况的通报"],
        ),
        ("一" * 45, ["一" * 15, "一" * 15, "一" * 15]),
        # 40 characters: the break after 关于 (at 17) would leave 23 for the last line.
        ("一" * 15 + "关于" + "二" * 23, ["一" * 15 + "关于" + "二" * 3, "二" * 20]),
    ],
)
def test_long_titles_break_into_balanced_lines_at_a_phrase(title: str, lines: list[str]) -> None:
    from briefing.docx_layout import TITLE_CHARS_PER_LINE, title_lines

    found = title_lines(title)
    assert found == lines
    assert "".join(found) == title
    assert all(len(line) <= TITLE_CHARS_PER_LINE for line in found)


def test_a_long_title_is_one_centred_paragraph_with_line_breaks(scored: Scored) -> None:
    import dataclasses

    long_title = "中共郑州市惠济区委员会关于省委第四巡视组反馈意见整改进展情况的通报"
    meta = dataclasses.replace(scored.meta, title=long_title)
    changed = dataclasses.replace(scored, dataset=dataclasses.replace(scored.dataset, meta=meta))
    title = read(build_report_docx(changed, EVERYTHING, version="v1")).paragraphs[0]
    assert title.style is not None and title.style.name == "Title"
    assert title.text == "中共郑州市惠济区委员会关于\n省委第四巡视组反馈意见整改进展情况的通报"


def test_tasks_keep_the_reports_numbering(report: DocxDocument) -> None:
    """(1)–(35) as the report and the closing table number them, never restarted per
    problem: 防范化解重大风险任务艰巨 is (7), not (3)."""
    text = body_text(report)
    assert "（7）防范化解重大风险任务艰巨" in text
    assert "（3）防范化解重大风险任务艰巨" not in text
    assert "（35）干部任用把关不严" in text


def test_a_short_table_keeps_together_and_a_long_one_may_break() -> None:
    from docx import Document as new_document

    from briefing.docx_layout import SHORT_TABLE_ROWS, style_table

    document = new_document()
    short = document.add_table(rows=SHORT_TABLE_ROWS, cols=2)
    long = document.add_table(rows=SHORT_TABLE_ROWS + 1, cols=2)
    for table in (short, long):
        style_table(table, (Pt(40),))
    keeps = [
        all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
        for row in short.rows
    ]
    assert keeps == [True] * (SHORT_TABLE_ROWS - 1) + [False]
    assert not any(
        p.paragraph_format.keep_with_next
        for row in long.rows
        for c in row.cells
        for p in c.paragraphs
    )


def test_headings_and_titles_use_chinese_punctuation(report: DocxDocument) -> None:
    """The workbook keeps the source's half-width commas ("表面化,指导"); a document
    sent up writes "表面化，指导"."""
    headings = [
        p.text for p in report.paragraphs if p.style is not None and "Heading" in p.style.name
    ]
    assert (
        "（一）学习贯彻习近平新时代中国特色社会主义思想不够深入，履行职责使命不够到位" in headings
    )
    text = body_text(report)
    assert "（1）理论学习表面化，指导实践有差距。" in text
    assert "表面化,指导" not in text


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("理论学习表面化,指导实践有差距", "理论学习表面化，指导实践有差距"),
        ("各镇(街道)", "各镇（街道）"),
        ("问题:说明;其他", "问题：说明；其他"),
        ("1,141亿元", "1,141亿元"),
        ("S312 (G107)", "S312 (G107)"),
        ("PM2.5年均浓度", "PM2.5年均浓度"),
    ],
)
def test_chinese_punctuation(raw: str, written: str) -> None:
    assert chinese_punctuation(raw) == written


def test_printed_chart_labels_are_never_cut(scored: Scored) -> None:
    """A document has no hover: every group's whole name is on its chart, wrapped."""
    for caption, build in report_charts(scored):
        figure = build()
        if caption == "整改任务完成情况":
            continue
        labels = [str(y) for y in figure.data[0].y]
        assert not any("…" in label for label in labels), caption
        if caption == "分问题完成情况":  # short labels, the whole names in the key
            assert labels[:2] == ["一·1", "一·2"]
            key = chart_key(caption, scored)
            assert key.startswith("注：一·1 理论指导实践有差距；一·2 贯彻落实党中央")
            assert "没有完全形成齐抓共管的工作格局的问题" in key and "…" not in key
        else:
            whole = ["".join(label.split("<br>")) for label in labels]
            assert (
                "学习贯彻习近平新时代中国特色社会主义思想不够深入,履行职责使命不够到位"
                in "".join(whole)
            )


# -- 督办 colours ----------------------------------------------------------------------------


def parts_of(document: DocxDocument) -> tuple[list[str], list[str]]:
    """The paragraphs of part 二 and of part 三."""
    texts = [p.text for p in document.paragraphs]
    two, three = texts.index("二、整改落实情况"), texts.index("三、下一步工作")
    return texts[two + 1 : three], texts[three + 1 :]


def test_part_three_names_each_open_tasks_colour_in_words(tmp_path: Path) -> None:
    scored, warnings = coloured(tmp_path)
    document = read(build_report_docx(scored, EVERYTHING, version="v1", warnings=warnings))
    two, three = parts_of(document)
    drafted = next(p for p in three if p.startswith("（一）推进尚未完成的整改任务。"))
    assert drafted == (
        "（一）推进尚未完成的整改任务。尚有4项整改任务未完成，其中1项已超过整改时限，"
        "红色督办1项、黄色督办1项、蓝色督办1项："
        "（1）逾期任务（甲局牵头，整改时限2021年5月1日，已超过整改时限，红色督办）；"
        "（3）指标滞后（乙局牵头，整改时限2021年12月31日，黄色督办，因进度滞后指标1个）；"
        "（2）临近时限（乙局牵头，整改时限2021年6月15日，蓝色督办）；"
        "（5）获准延期（丙局牵头，整改时限2021年4月30日（已同意延期至2021年9月30日））。"
    )
    # Part 二 gives each task's facts, not the office's label for them; words, no symbols.
    assert not any("督办" in p for p in two)
    assert not any(symbol in body_text(document) for symbol in "●▲■")
    assert not document.tables  # few items: the sentence, no table
    plain = read(build_report_docx(scored, EVERYTHING, version="v1"))
    drafted = next(p.text for p in plain.paragraphs if p.text.startswith("（一）推进尚未"))
    assert "督办" not in drafted
    assert "（1）逾期任务（甲局牵头，整改时限2021年5月1日，已超过整改时限）" in drafted


def test_table_1_gives_each_open_tasks_colour_and_rule(scored: Scored) -> None:
    many = many_open(scored)
    late = RoundFacts("2021年6月进展", D(2021, 5, 31), D(2021, 6, 5), frozenset({"区委"}))
    warnings = colours(many, RoundsFacts((late,)), SupervisionSettings())
    reason = "区委未按时报送“2021年6月进展”（截止2021年6月5日）"
    assert warnings and all(w.reasons == (reason,) for w in warnings.values())
    document = read(build_report_docx(many, EVERYTHING, version="v1", warnings=warnings))
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "类别",
        "任务编号",
        "状态",
        "督办",
        "情况",
    ]
    seen = set()
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        task_id = int(cells[2].strip("（）"))
        if cells[1] == "任务" and task_id in warnings:
            seen.add(task_id)
            assert cells[4] == "▲ 黄色", task_id
            assert cells[5].endswith(f"\n督办原因：{reason}"), task_id
        else:  # an open task without a colour, or a figure behind time
            assert cells[4] == "" and "督办原因" not in cells[5], cells
    assert seen == set(warnings)
    drafted = next(p.text for p in document.paragraphs if p.text.startswith("（一）推进尚未"))
    assert f"，黄色督办{len(warnings)}项（见表1）" in drafted


def test_the_export_entry_point_passes_the_colours_on(tmp_path: Path) -> None:
    scored, warnings = coloured(tmp_path)
    text = body_text(
        read(build_document("docx", scored, EVERYTHING, version="v1", warnings=warnings))
    )
    assert "红色督办1项、黄色督办1项、蓝色督办1项" in text
