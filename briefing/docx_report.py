"""The progress report as a Word document in official-document layout (``docx_layout``).

It is built like the district's own report (the sentences are in ``report_prose``):

- the title, as the document type the user chose (报告 or 通报), and an opening
  paragraph: who inspected and when, the feedback date, how the problems were broken
  down into tasks (each clause only when the workbook says it), and the as-of date;
- 一、整改工作开展情况: the workbook's 报告段落 of that part (organisation, plan,
  mechanisms: "（一）提高政治站位。……"), the overall sentence ("截至…，35项整改任务已完成
  30项，正在整改5项，整改率85.7%。"), the figures and the overview charts as numbered
  figures;
- 二、整改落实情况: (一) 方面 › 1. 问题 › (1) 任务, each task as prose: its measures,
  where it stands, the latest accepted progress, the figures its measures do not state;
- 三、下一步工作: drafted from the open tasks and the figures behind time (for staff to
  edit), the workbook's own 下一步工作 paragraphs, and a table of the open items;
  given the supervision warnings, the drafted items name each open task's 督办 colour
  in words and 表1 has a 督办 column ("● 红色", symbol and word) with the rule(s) that
  gave it under the task's 情况 ("督办原因：…", as the 督办单 says it);
- the closing (the workbook's 结束语, or "特此报告。"), the signature and the date.

Workbook text goes into the document as text runs, never as markup. Charts are
optional: without a renderer (no Chromium) the figures are left out and the caller
says so.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from docx.document import Document as DocxDocument
from docx.shared import Pt

from briefing.document_kind import DocumentKind
from briefing.docx_figures import FigureImage
from briefing.docx_layout import (
    CAPTION_STYLE,
    TABLE_TEXT_STYLE,
    TEXT_WIDTH,
    add_field,
    add_title,
    finish,
    new_document,
    style_table,
)
from briefing.numbering import Numbered
from briefing.report_prose import (
    DOCUMENT_STATUS,
    Item,
    closing_lines,
    document_title,
    figures_summary,
    heading_text,
    indicator_text,
    needs_table,
    next_steps,
    numbered,
    opening_paragraph,
    paragraph_text,
    paragraphs_of,
    task_text,
    unique,
)
from metrics.contract import ReportPart
from metrics.model import ReportParagraph
from metrics.scoring.headline import chinese_date, headline
from metrics.scoring.progress import IndicatorStatus, Scored
from metrics.scoring.scope import Scope
from metrics.supervision.model import TaskWarning
from report.literal import office_text
from report.supervision import reasons_cell, warning_cell
from report.views import WARNING_COLUMN, WARNING_REASONS_COLUMN, AttentionItem, attention_items
from report.wording import chinese_punctuation, deadline_text, overdue_words

PARTS = ("整改工作开展情况", "整改落实情况", "下一步工作")


def build_report_docx(
    scored: Scored,
    scope: Scope,
    *,
    version: str,
    figures: Sequence[FigureImage] = (),
    kind: DocumentKind | None = None,
    warnings: Mapping[int, TaskWarning] | None = None,
) -> bytes:
    """The report for the scope's tasks; ``figures`` are chart images (``docx_figures``);
    ``kind`` 报告 or 通报 (default: what the workbook's 标题 names); ``warnings`` the
    supervision colours (computed by the caller; None: not mentioned). The district-wide
    paragraphs of 报告段落 (parts 一 and 三) go only into a report of every task."""
    whole = scope.is_everything
    scored = scope.apply(scored)
    kind = kind or DocumentKind.of_title(scored.meta.title)
    meta = scored.meta
    title = document_title(meta, kind)
    document = new_document(title=title, author=meta.organisation)
    document.core_properties.subject = f"数据截至{chinese_date(meta.as_of)}，数据版本{version}"
    add_title(document, title)
    if not whole:
        document.add_paragraph(office_text(f"（范围：{scope.label()}）"), style=CAPTION_STYLE)
    document.add_paragraph(office_text(opening_paragraph(scored, kind)))

    _part_heading(document, 1)
    own = paragraphs_of(scored, ReportPart.WORK) if whole else ()
    _own_paragraphs(document, own)
    document.add_paragraph(office_text(headline(scored).sentence + figures_summary(scored)))
    _figures(document, figures)

    _part_heading(document, 2)
    _tasks(document, scored)

    _part_heading(document, 3)
    _next_steps(document, scored, paragraphs_of(scored, ReportPart.NEXT) if whole else (), warnings)

    for line in closing_lines(scored, kind):
        document.add_paragraph(office_text(line))
    return finish(document, organisation=meta.organisation, day=meta.as_of)


def _part_heading(document: DocxDocument, n: int) -> None:
    document.add_heading(office_text(f"{Numbered.level1(n)}{PARTS[n - 1]}"), level=1)


def _own_paragraphs(
    document: DocxDocument, paragraphs: Sequence[ReportParagraph], start: int = 1
) -> None:
    """The workbook's paragraphs: those with a 小标题 numbered "（一）小标题。" from
    ``start``, those without as plain paragraphs."""
    n = start
    for own in paragraphs:
        paragraph = document.add_paragraph()
        if own.heading.strip():
            head = f"{Numbered.level2(n)}{heading_text(own.heading)}。"
            paragraph.add_run(office_text(head)).bold = True
            n += 1
        paragraph.add_run(office_text(paragraph_text(own)))


# -- parts ------------------------------------------------------------------------------


def _figures(document: DocxDocument, figures: Sequence[FigureImage]) -> None:
    for number, figure in enumerate(figures, start=1):
        picture = document.add_paragraph(style=CAPTION_STYLE)
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.line_spacing = 1.0
        picture.add_run().add_picture(io.BytesIO(figure.png), width=TEXT_WIDTH)
        caption = document.add_paragraph(style=CAPTION_STYLE)
        caption.add_run("图")
        add_field(caption, "SEQ 图 \\* ARABIC", str(number))
        caption.add_run(office_text(f"　{figure.caption}"))
        if figure.key:  # the whole names behind the chart's short labels
            caption.paragraph_format.keep_with_next = True
            document.add_paragraph(office_text(figure.key), style=CAPTION_STYLE)


def _tasks(document: DocxDocument, scored: Scored) -> None:
    categories = unique(tp.task.category for tp in scored.tasks)
    for c_number, category in enumerate(categories, start=1):
        document.add_heading(
            office_text(f"{Numbered.level2(c_number)}{heading_text(category)}"), level=2
        )
        in_category = [tp for tp in scored.tasks if tp.task.category == category]
        problems = unique(tp.task.problem for tp in in_category)
        for p_number, problem in enumerate(problems, start=1):
            document.add_heading(
                office_text(f"{Numbered.level3(p_number)}{heading_text(problem)}"), level=3
            )
            for tp in (tp for tp in in_category if tp.task.problem == problem):
                # the report's own numbering, (1)–(35), as everywhere else
                text = task_text(tp, scored)
                paragraph = document.add_paragraph()
                paragraph.add_run(office_text(text.head)).bold = True
                paragraph.add_run(office_text(text.body))
                for more in (text.progress, text.figures):
                    if more:
                        document.add_paragraph(office_text(more))


def _next_steps(
    document: DocxDocument,
    scored: Scored,
    own: Sequence[ReportParagraph],
    warnings: Mapping[int, TaskWarning] | None = None,
) -> None:
    """Part 三: the workbook's opening paragraphs of the part, the items drafted from
    the data, the workbook's own items, then the table of open items."""
    intro = [p for p in own if not p.heading.strip()]
    items = [p for p in own if p.heading.strip()]
    _own_paragraphs(document, intro)
    drafted: list[Item] = next_steps(scored, warnings)
    for head, text in numbered(drafted):
        paragraph = document.add_paragraph()
        paragraph.add_run(office_text(head)).bold = True
        paragraph.add_run(office_text(text))
    _own_paragraphs(document, items, start=len(drafted) + 1)
    if not drafted and not own:
        document.add_paragraph("范围内的任务均已完成，量化指标无进度滞后。")
    if needs_table(scored):
        _attention(document, scored, warnings)


HEADERS = ("序号", "类别", "任务编号", "状态", "情况")
WIDTHS = (Pt(34), Pt(40), Pt(48), Pt(62))  # 情况 takes the rest
# With the warnings: 督办 after 状态, wide enough for "● 红色" on one line at 小四.
SUPERVISED_HEADERS = ("序号", "类别", "任务编号", "状态", WARNING_COLUMN, "情况")
SUPERVISED_WIDTHS = (*WIDTHS, Pt(62))


def _attention(
    document: DocxDocument, scored: Scored, warnings: Mapping[int, TaskWarning] | None = None
) -> None:
    """表1: every open task and lagging figure, when there are too many for a sentence;
    with ``warnings``, each task's 督办 colour in symbol and word, and under its 情况
    the rule(s) that gave it."""
    items = attention_items(scored)
    caption = document.add_paragraph(style=CAPTION_STYLE)
    caption.paragraph_format.keep_with_next = True
    caption.add_run("表")
    add_field(caption, "SEQ 表 \\* ARABIC", "1")
    caption.add_run("　未完成和滞后事项")
    headers = HEADERS if warnings is None else SUPERVISED_HEADERS
    table = document.add_table(rows=1, cols=len(headers))
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].style = TABLE_TEXT_STYLE
        cell.paragraphs[0].add_run(office_text(text))
    for number, item in enumerate(items, start=1):
        row = table.add_row().cells
        values = [str(number), item.kind, f"（{item.task_id}）", _status_word(scored, item)]
        warning = None
        if warnings is not None:
            warning = warnings.get(item.task_id) if item.kind == "任务" else None
            values.append(warning_cell(warning))
        values.append(_situation(scored, item))
        for cell, text in zip(row, values, strict=True):
            cell.paragraphs[0].style = TABLE_TEXT_STYLE
            cell.paragraphs[0].add_run(office_text(text))
        if warning is not None:  # under the 情况, as the 督办单 gives it
            reasons = row[-1].add_paragraph(style=TABLE_TEXT_STYLE)
            reasons.add_run(office_text(f"{WARNING_REASONS_COLUMN}：{reasons_cell(warning)}"))
    style_table(table, WIDTHS if warnings is None else SUPERVISED_WIDTHS)


def _situation(scored: Scored, item: AttentionItem) -> str:
    """The table's 情况 column in a document's words: the task or the figure, and only
    the facts the data has (a missing deadline is left out, not written)."""
    found = scored.task(item.task_id)
    if found is None:
        return item.text
    if item.kind == "任务":
        text = chinese_punctuation(found.task.title)
        if found.task.deadline is not None:
            text += f"，整改时限{deadline_text(found.task)}"
            if found.overdue:
                text += f"，已超过{overdue_words(found.task)}"
        return text
    sentences = [
        indicator_text(ip, scored.meta.as_of)
        for ip in found.indicators
        if ip.status is item.status and ip.indicator.name in item.text
    ]
    return sentences[0].rstrip("。") if sentences else item.text


def _status_word(scored: Scored, item: AttentionItem) -> str:
    """A task's 状态 (正在整改), an indicator's status (进度滞后): words, not colours."""
    if item.kind == "任务":
        found = scored.task(item.task_id)
        if found is not None:
            return str(found.task.status)
    if isinstance(item.status, IndicatorStatus):
        return DOCUMENT_STATUS.get(item.status, str(item.status.value))
    return str(item.status.value)
